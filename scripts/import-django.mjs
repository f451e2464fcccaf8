// `npm run import:django -- <dump.json> [--map map.json] [--clinic "Name" [--clinic-admin email]] [--dry-run] [--remote --env <env>]`
// Brings the data of a Django REST Framework "healthcare backend" (the output of `manage.py dumpdata`)
// into the local D1, or with --remote an environment's. docs/import.md says what becomes of each model
// and each kind of password. The work is in scripts/django/ (TypeScript, also run by the tests in
// workerd); esbuild bundles it for Node here, as scripts/openapi.mjs does with the app.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'
import { fail } from './prompt.mjs'
import { applyMigrations, d1Execute, d1Read } from './wrangler.mjs'

const USAGE = 'Usage: npm run import:django -- <dump.json> [--map map.json] [--clinic "Name" [--clinic-admin email]] [--dry-run] [--remote --env <env>]'

/** @type {ReturnType<typeof parseArgs<{ allowPositionals: true, options: Record<string, { type: 'string' | 'boolean' }> }>>} */
let args
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      map: { type: 'string' },
      clinic: { type: 'string' },
      'clinic-admin': { type: 'string' },
      'dry-run': { type: 'boolean' },
      remote: { type: 'boolean' },
      env: { type: 'string' },
      // The local database's directory, as wrangler's own option (tests import into a fresh one).
      'persist-to': { type: 'string' },
    },
  })
} catch (error) {
  fail(`${error instanceof Error ? error.message : error}\n${USAGE}`)
}
const { values, positionals } = args
const option = (/** @type {string} */ name) => {
  const value = values[name]
  return typeof value === 'string' ? value : undefined
}
if (positionals.length !== 1) fail(USAGE)
if (option('clinic') !== undefined && !option('clinic')?.trim()) fail('--clinic needs the name of the clinic everyone joins.')
if (option('clinic-admin') && !option('clinic')) fail('--clinic-admin names the admin of the clinic given with --clinic.')
if (values.remote && !option('env')) fail('--remote needs --env <env>: the environment whose database receives the import.')

const [dumpPath] = positionals
const readText = (/** @type {string} */ path, /** @type {string} */ what) => {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    return fail(`Cannot read the ${what} ${path}: ${error instanceof Error ? error.message : error}`)
  }
}
const dumpText = readText(dumpPath, 'dump')
const mapPath = option('map')
const mapText = mapPath ? readText(mapPath, 'map file') : undefined

const dir = mkdtempSync(join(tmpdir(), 'import-django-'))
/** @type {typeof import('./django/run')} */
let importer
try {
  const bundle = join(dir, 'run.mjs')
  await build({ entryPoints: ['scripts/django/run.ts'], outfile: bundle, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' })
  importer = await import(pathToFileURL(bundle).href)
} finally {
  rmSync(dir, { recursive: true, force: true })
}

const remote = Boolean(values.remote)
const target = { remote, env: option('env'), persistTo: option('persist-to') }
const where = remote ? `the remote database of ${option('env')}` : 'the local database'
const setPassword = `npm run set-password -- --email <email>${remote ? ` --remote --env ${option('env')}` : ''}`
const started = Date.now()
try {
  const map = mapText === undefined ? undefined : importer.parseMap(mapText)
  // Migrations wait for the first read, which comes after the dump is checked: a refused file costs no wrangler call.
  /** @type {Promise<unknown> | undefined} */
  let migrated
  const ready = () => (migrated ??= remote ? Promise.resolve() : applyMigrations({ persistTo: target.persistTo }))
  console.log(`${values['dry-run'] ? 'Checking' : 'Importing'} ${basename(dumpPath)} into ${where}...`)
  const report = await importer.importDjango(
    dumpText,
    {
      map,
      clinic: option('clinic'),
      clinicAdmin: option('clinic-admin'),
      dryRun: Boolean(values['dry-run']),
      file: basename(dumpPath),
      onProgress: (message) => console.log(message),
    },
    {
      read: async (statements) => {
        await ready()
        return d1Read(statements, target)
      },
      write: async (statements, reads) => {
        const results = await d1Execute([...statements, ...reads].map((sql) => `${sql};`).join('\n'), target)
        // Locally the rows of every statement come back, the reads' last; remotely none do.
        return remote || !reads.length ? undefined : results.slice(results.length - reads.length)
      },
    },
  )
  console.log(importer.formatReport(report, { setPassword }))
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
} catch (error) {
  if (error instanceof importer.ImportRefusal) fail(`Nothing was imported: ${error.message}`)
  fail(`import:django failed: ${error instanceof Error ? error.message : error}`)
}
