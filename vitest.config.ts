import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'
// Builds dist/public: wrangler.toml's [assets] directory must exist before the pool reads it.
import './scripts/build-public.mjs'

function randomSecret(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(48)), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations('migrations')
  return {
    plugins: [
      cloudflareTest({
        main: './src/index.ts',
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // A fresh secret per run: nothing signs with a constant from the repo.
            JWT_SECRET: randomSecret(),
            // Tests hash many passwords; the production default is pinned by a unit test instead.
            PASSWORD_ITERATIONS: '1000',
          },
          // A second, empty database: the migration tests fill it at an earlier schema, then migrate it.
          d1Databases: { DB: '00000000-0000-0000-0000-000000000000', MIGRATION_DB: 'migration-test' },
          ratelimits: {
            // A small limiter that tests put in place of API_USER_LIMITER or a global limiter to see it trip quickly.
            SMALL_LIMITER: { simple: { limit: 5, period: 60 } },
            // The whole suite logs in and registers far more than one Cloudflare location would allow a minute.
            LOGIN_GLOBAL_LIMITER: { simple: { limit: 1_000_000, period: 60 } },
            REGISTER_GLOBAL_LIMITER: { simple: { limit: 1_000_000, period: 60 } },
          },
        },
      }),
    ],
    test: {
      // e2e/ holds the browser tests, which run under Node (npm run test:e2e), not in workerd.
      include: ['test/**/*.test.ts'],
      setupFiles: ['./test/setup.ts'],
      // Generous: the suite shares two cores with workerd, and some tests send hundreds of requests.
      testTimeout: 30_000,
      // The Worker's one-line-per-request access log is noise here; tests that check it spy on console.log.
      onConsoleLog: (line: string) => !line.startsWith('{"level":"info"'),
    },
  }
})
