// @ts-check
// `npm run deploy -- --env staging|production`: applies pending D1 migrations to that
// environment's remote database, then deploys the Worker. Needs `wrangler login` (or
// CLOUDFLARE_API_TOKEN with CLOUDFLARE_ACCOUNT_ID) and the database ids in wrangler.toml.
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { unstable_readConfig as readConfig } from 'wrangler'
import { applyMigrations } from './wrangler.mjs'

const ENVIRONMENTS = ['staging', 'production']

/**
 * @param {string} message
 * @returns {never}
 */
function refuse(message) {
  console.error(message)
  process.exit(2)
}

const { values } = parseArgs({ options: { env: { type: 'string' }, verbose: { type: 'boolean', default: false } } })
const env = values.env
if (!env || !ENVIRONMENTS.includes(env)) {
  refuse(`Say which environment to deploy: npm run deploy -- --env staging (or --env production).${env ? ` "${env}" is not one of ${ENVIRONMENTS.join(', ')}.` : ''}`)
}

const config = readConfig({ config: 'wrangler.toml', env })
/** @type {{ binding: string, database_name?: string, database_id?: string }[]} */
const databases = config.d1_databases
const placeholders = databases.filter((d1) => !d1.database_id || /^0{8}-0{4}-0{4}-0{4}-0{11}\d$/.test(d1.database_id))
if (placeholders.length) {
  const lines = placeholders.map((d1) => `  npx wrangler d1 create ${d1.database_name}`)
  refuse(
    `wrangler.toml still has a placeholder database_id for [env.${env}]. Create the database:\n${lines.join('\n')}\n` +
      `then put the database_id it prints into [env.${env}] d1_databases in wrangler.toml (see docs/deploy.md).`,
  )
}

const [database] = databases
console.log(`Deploying ${config.name} (${env}).`)
console.log(`Applying pending migrations to the remote database ${database.database_name}...`)
const applied = await applyMigrations({
  remote: true,
  env,
  verbose: values.verbose,
  onApplied: (name, done, total) => console.log(`  ${done}/${total}  ${name}`),
})
console.log(applied ? `Applied ${applied} migration${applied === 1 ? '' : 's'}.` : 'No migrations to apply.')

console.log('Building and uploading the Worker...')
const { status } = spawnSync('npx', ['wrangler', 'deploy', '--env', env], { stdio: 'inherit' })
if (status !== 0) process.exit(status ?? 1)
