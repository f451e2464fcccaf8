// @ts-check
// `npm run audit:verify` (the local D1 and R2 of `npm start`), or
// `npm run audit:verify -- --remote --env production`: walks the audit archive's hash chain from its
// first row, re-hashes every object in R2, and checks the events still in D1 against their archived
// copies (src/core/audit-chain.ts, the code the Worker's archiver uses, bundled here for Node). Names
// every gap, broken link, changed or missing object and changed event; exits 1 on any.
// `--archive` first runs one pass of the cron's work (archive, verify, hot window) on the local
// database: `npm start` fires no cron triggers (see docs/audit-archive.md).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'
import { getPlatformProxy, unstable_readConfig } from 'wrangler'
import { WORKER_TARGET } from './worker-target.mjs'

const { values } = parseArgs({
  options: {
    remote: { type: 'boolean', default: false },
    env: { type: 'string' },
    archive: { type: 'boolean', default: false },
  },
})

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(message)
  process.exit(2)
}

if (values.remote && values.archive) fail('--archive runs on the local database only: the deployed Worker archives every minute.')
if (values.remote && !values.env) fail('--remote needs --env staging or --env production: the top-level bindings are for local development.')

const work = mkdtempSync(join(tmpdir(), 'audit-verify-'))

/**
 * A configuration with only the two bindings verification reads, marked remote, for
 * getPlatformProxy: the rest of wrangler.toml (queues, rate limiters, crons) stays out of it.
 */
function remoteConfig(/** @type {string} */ env) {
  const config = unstable_readConfig({ config: 'wrangler.toml', env })
  const database = config.d1_databases.find((/** @type {{ binding: string }} */ binding) => binding.binding === 'DB')
  const bucket = config.r2_buckets.find((/** @type {{ binding: string }} */ binding) => binding.binding === 'AUDIT_ARCHIVE')
  if (!database || !bucket) fail(`wrangler.toml's [env.${env}] has no DB database or AUDIT_ARCHIVE bucket.`)
  const path = join(work, 'wrangler.json')
  writeFileSync(
    path,
    JSON.stringify({
      name: `${config.name}-audit-verify`,
      compatibility_date: config.compatibility_date,
      d1_databases: [{ binding: 'DB', database_name: database.database_name, database_id: database.database_id, remote: true }],
      r2_buckets: [{ binding: 'AUDIT_ARCHIVE', bucket_name: bucket.bucket_name, remote: true }],
    }),
  )
  return path
}

try {
  const bundle = join(work, 'audit-archiver.mjs')
  await build({ entryPoints: ['src/audit-archiver.ts'], outfile: bundle, ...WORKER_TARGET, logLevel: 'warning' })
  /**
   * @type {{
   *   verifyArchive: (env: Record<string, unknown>) => Promise<{ rows: number, events: number, pending: number, problems: { kind: string, seq: number | null, object_key: string | null, message: string }[] }>,
   *   runAuditArchive: (env: Record<string, unknown>) => Promise<{ archived: number, deleted: number }>,
   * }}
   */
  const { verifyArchive, runAuditArchive } = await import(pathToFileURL(bundle).href)
  const proxy = values.remote
    ? await getPlatformProxy({ configPath: remoteConfig(/** @type {string} */ (values.env)), remoteBindings: true, persist: false })
    : await getPlatformProxy({ configPath: 'wrangler.toml', remoteBindings: false })
  const where = values.remote ? `${values.env} (remote)` : 'the local D1 and R2 of npm start'
  try {
    if (values.archive) {
      const run = await runAuditArchive(proxy.env)
      console.log(`Archive pass: ${run.archived} events archived, ${run.deleted} deleted from the hot window.`)
    }
    const report = await verifyArchive(proxy.env)
    for (const problem of report.problems) {
      console.log(`${problem.kind.padEnd(16)} ${problem.seq === null ? '' : `row ${problem.seq}: `}${problem.message}`)
    }
    const summary = `${report.rows} manifest rows, ${report.events} archived events, ${report.pending} events in D1 not archived yet, in ${where}`
    if (report.problems.length > 0) {
      console.log(`FAIL: ${report.problems.length} problems in ${summary}.`)
      process.exitCode = 1
    } else {
      console.log(`OK: the chain holds: ${summary}.`)
    }
  } finally {
    await proxy.dispose()
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
