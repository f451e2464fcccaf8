import { randomBytes } from 'node:crypto'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

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
            JWT_SECRET: randomBytes(48).toString('base64url'),
            // Tests hash many passwords; the production default is pinned by a unit test instead.
            PASSWORD_ITERATIONS: '1000',
          },
        },
      }),
    ],
    test: {
      setupFiles: ['./test/setup.ts'],
    },
  }
})
