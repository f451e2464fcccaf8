// `npm run deploy -- --env staging|production`: applies pending D1 migrations to that
// environment's remote database, then deploys the Worker. Needs `wrangler login` (or
// CLOUDFLARE_API_TOKEN) and the database ids in wrangler.toml.
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { env: { type: 'string', default: 'production' } } })
if (!['staging', 'production'].includes(values.env)) {
  console.error('Use --env staging or --env production.')
  process.exit(2)
}

for (const args of [
  ['d1', 'migrations', 'apply', 'DB', '--remote', '--env', values.env],
  ['deploy', '--env', values.env],
]) {
  const { status } = spawnSync('npx', ['wrangler', ...args], { stdio: 'inherit' })
  if (status !== 0) process.exit(status ?? 1)
}
