// `npm run bench [-- --duration 10 --connections 16,64 --scenarios get_patient,login]`: builds the
// Worker as `wrangler deploy` would, serves it from Miniflare's own HTTP server (no `wrangler dev`
// proxy, which caps a JSON hello at about 600 req/s here) on a fresh, migrated, seeded local D1, and
// loads it with autocannon on 127.0.0.1. Prints a table and writes it to bench-results/.
import autocannon from 'autocannon'
import { Miniflare } from 'miniflare'
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { clearTimeout, setTimeout } from 'node:timers'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath, URL } from 'node:url'
import { parseArgs } from 'node:util'
import { unstable_readConfig as readConfig } from 'wrangler'
import { fixed, judge, rowOf, save, table } from './report.mjs'
import { BARE_PATH, CREATE_FLOOR_PATH, DISCLOSURE_ACTIONS, MAX_AUDIT_LAG_MS, PBKDF2_PATH, READ_FLOOR_PATH, SCENARIOS } from './scenarios.mjs'
import { seed } from './seed.mjs'
import { offlineEnv } from '../wrangler.mjs'

const WARMUP_SECONDS = 2
const DRIVEN_BY = "Miniflare's own HTTP server on 127.0.0.1 (workerd, no wrangler dev proxy), loaded by autocannon in this Node process"
/** Building, migrating, starting and seeding; each run adds its own time on top. */
const SETUP_BUDGET_SECONDS = 240

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16,64' },
    scenarios: { type: 'string', default: SCENARIOS.map((scenario) => scenario.name).join(',') },
    rounds: { type: 'string', default: '1' },
  },
})
const duration = Number(flags.duration)
const connectionCounts = flags.connections.split(',').map(Number)
const rounds = Number(flags.rounds)
const names = flags.scenarios.split(',')
const unknown = names.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name))
if (!(duration > 0) || !(Number.isInteger(rounds) && rounds > 0) || !connectionCounts.every((count) => Number.isInteger(count) && count > 0) || unknown.length) {
  console.error(`Usage: npm run bench -- [--duration seconds] [--connections 16,64] [--rounds 1] [--scenarios ${SCENARIOS.map((s) => s.name).join(',')}]`)
  if (unknown.length) console.error(`Unknown scenario: ${unknown.join(', ')}`)
  process.exit(2)
}
const selected = SCENARIOS.filter((scenario) => names.includes(scenario.name))

/** How long after a load stops the bench waits for its audit events in D1 before calling it a miss. */
const AUDIT_WAIT_MS = 6 * MAX_AUDIT_LAG_MS
const AUDIT_POLL_MS = 25

/**
 * Every binding the bench Worker gets, in one place: wrangler.toml's vars, a fresh random secret, the
 * production iteration count, every rate limiter in wrangler.toml raised out of reach so that no
 * scenario is ever throttled, and wrangler.toml's queues as they are (the audit queue's producer
 * and this Worker as its consumer, with the same batch size, timeout, retries and dead-letter queue),
 * and the audit archive's R2 bucket (in memory: no scenario fires the cron that writes it).
 * @param {import('wrangler').Unstable_Config} config
 */
function bindingsOf(config) {
  return {
    bindings: { ...config.vars, JWT_SECRET: randomBytes(48).toString('base64url'), PASSWORD_ITERATIONS: '100000' },
    d1Databases: Object.fromEntries(config.d1_databases.map((d1) => [d1.binding, d1.database_id])),
    r2Buckets: Object.fromEntries(config.r2_buckets.map((bucket) => [bucket.binding, bucket.bucket_name])),
    ratelimits: Object.fromEntries(config.ratelimits.map(({ name }) => [name, { simple: { limit: 1_000_000_000, period: 60 } }])),
    queueProducers: Object.fromEntries((config.queues.producers ?? []).map(({ binding, queue }) => [binding, { queueName: queue }])),
    queueConsumers: Object.fromEntries(
      (config.queues.consumers ?? []).map((consumer) => [
        consumer.queue,
        {
          maxBatchSize: consumer.max_batch_size ?? undefined,
          maxBatchTimeout: consumer.max_batch_timeout ?? undefined,
          maxRetries: consumer.max_retries ?? undefined,
          retryDelay: consumer.retry_delay ?? undefined,
          deadLetterQueue: consumer.dead_letter_queue ?? undefined,
        },
      ]),
    ),
  }
}

/** Audit events of reads (DISCLOSURE_ACTIONS) in D1 now, read through Miniflare (never through the Worker). */
async function disclosuresInD1(/** @type {Miniflare} */ instance) {
  const db = await instance.getD1Database('DB')
  const placeholders = DISCLOSURE_ACTIONS.map(() => '?').join(', ')
  const row = await db.prepare(`SELECT count(*) AS n FROM audit_events WHERE action IN (${placeholders})`).bind(...DISCLOSURE_ACTIONS).first()
  return Number(row?.n ?? 0)
}

/**
 * Waits until D1 holds `expected` disclosure events; returns the ms from `stoppedAt` (the end of the
 * load) to the first poll that saw them all, or null when they were not all there within AUDIT_WAIT_MS.
 */
async function auditLag(/** @type {Miniflare} */ instance, /** @type {number} */ expected, /** @type {number} */ stoppedAt) {
  for (;;) {
    const seen = await disclosuresInD1(instance)
    const now = performance.now()
    if (seen >= expected) return now - stoppedAt
    if (now - stoppedAt > AUDIT_WAIT_MS) {
      console.error(`    audit: ${seen} of ${expected} disclosure events in D1 ${AUDIT_WAIT_MS} ms after the load stopped`)
      return null
    }
    await delay(AUDIT_POLL_MS)
  }
}

/**
 * Two samples of one scenario as one: every answer of both, over both windows; the audit lag is the
 * worse of the two (null, not within the wait, if either was).
 * @param {import('./report.mjs').Sample | undefined} before
 * @param {import('./report.mjs').Sample} sample
 * @returns {import('./report.mjs').Sample}
 */
function merged(before, sample) {
  if (!before) return sample
  /** @type {(a: Record<string, number>, b: Record<string, number>) => Record<string, number>} */
  const add = (a, b) => Object.fromEntries([...new Set([...Object.keys(a), ...Object.keys(b)])].map((key) => [key, (a[key] ?? 0) + (b[key] ?? 0)]))
  const lags = [before.audit?.lag_ms, sample.audit?.lag_ms]
  return {
    latencies: [...before.latencies, ...sample.latencies],
    statuses: add(before.statuses, sample.statuses),
    socketErrors: add(before.socketErrors, sample.socketErrors),
    seconds: before.seconds + sample.seconds,
    cpuMs: before.cpuMs === null || sample.cpuMs === null ? null : before.cpuMs + sample.cpuMs,
    ...(before.audit &&
      sample.audit && {
        audit: { events: before.audit.events + sample.audit.events, lag_ms: lags.includes(null) ? null : Math.max(.../** @type {number[]} */ (lags)) },
      }),
  }
}

const CLOCK_TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100

/**
 * CPU time (user + system, in ms) used so far by this process's workerd children: the Workers, the
 * local D1 and the queue, never the load generator. Unlike req/s, it hardly moves with what else runs
 * on the machine. Null where /proc cannot tell (not Linux).
 */
function workerdCpuMs() {
  try {
    let ticks = 0
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      let stat
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      } catch {
        continue
      }
      // Fields after the parenthesised name: state ppid ... utime (14th field) stime (15th).
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (name === 'workerd' && Number(fields[1]) === process.pid) ticks += Number(fields[11]) + Number(fields[12])
    }
    return ticks ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : null
  } catch {
    return null
  }
}

/** Runs wrangler offline; throws (rather than exiting) so the caller still cleans up. */
function wrangler(/** @type {string[]} */ args) {
  const result = spawnSync('npx', ['wrangler', ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...offlineEnv, CI: 'true' }, timeout: 120_000 })
  if (result.status !== 0) throw new Error(`wrangler ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`)
}

const elapsed = (/** @type {number} */ since) => ((performance.now() - since) / 1000).toFixed(1)

/** @type {Miniflare | undefined} */
let mf
/**
 * autocannon's run: a promise of its result that also emits events (its types describe the two apart).
 * @typedef {PromiseLike<import('autocannon').Result> & { stop: () => void, on: (event: string, listener: (...args: never[]) => void) => void }} Load
 */
/** @type {Load | undefined} */
let load
const workDir = mkdtempSync(join(tmpdir(), 'bench-'))

async function shutdown() {
  load?.stop()
  await mf?.dispose().catch((error) => console.error(`Disposing Miniflare failed: ${error.message}`))
  mf = undefined
  rmSync(workDir, { recursive: true, force: true })
}

/**
 * Loads the Worker for the warm-up plus `seconds` without a pause, and keeps only what completes
 * after the warm-up: stopping between the two would leave the warm-up's in-flight requests (seconds
 * of work for pbkdf2 and login at 64 connections) to be served inside the measurement. For a
 * scenario that discloses, also counts its 200 answers (warm-up included: each queued one event)
 * and, once the load stops, measures how long until D1 holds them all.
 * @param {Miniflare} instance
 * @param {string} url
 * @param {import('./scenarios.mjs').Scenario} scenario
 * @param {import('autocannon').Request} request
 * @param {number} connections
 * @param {number} seconds
 */
async function measure(instance, url, scenario, request, connections, seconds) {
  /** @type {import('./report.mjs').Sample} */
  const sample = { latencies: [], statuses: {}, socketErrors: {}, seconds: 0, cpuMs: null }
  const eventsBefore = scenario.discloses ? await disclosuresInD1(instance) : 0
  let disclosed = 0
  let measuring = false
  const run = /** @type {Load} */ (/** @type {unknown} */ (autocannon({ url, connections, duration: WARMUP_SECONDS + seconds, requests: [{ ...request }] })))
  load = run
  run.on('response', (/** @type {unknown} */ _client, /** @type {number} */ status, /** @type {number} */ _bytes, /** @type {number} */ milliseconds) => {
    if (status === 200) disclosed++
    if (!measuring) return
    sample.latencies.push(milliseconds)
    sample.statuses[status] = (sample.statuses[status] ?? 0) + 1
  })
  run.on('reqError', (/** @type {{ code?: string, message: string }} */ error) => {
    const kind = error.code ?? error.message
    if (measuring) sample.socketErrors[kind] = (sample.socketErrors[kind] ?? 0) + 1
  })
  await delay(WARMUP_SECONDS * 1000)
  measuring = true
  const since = performance.now()
  const cpuBefore = workerdCpuMs()
  await run
  const stoppedAt = performance.now()
  const cpuAfter = workerdCpuMs()
  sample.cpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore
  sample.seconds = (stoppedAt - since) / 1000
  load = undefined
  if (scenario.discloses) sample.audit = { events: disclosed, lag_ms: await auditLag(instance, eventsBefore + disclosed, stoppedAt) }
  return sample
}

async function main() {
  const config = readConfig({ config: 'wrangler.toml' })
  const build = join(workDir, 'build')
  const state = join(workDir, 'state')
  let since = performance.now()
  wrangler(['deploy', '--dry-run', '--outdir', build])
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state])
  console.log(`Built the Worker and applied migrations/ to a fresh local D1 in ${elapsed(since)} s.`)

  const { bindings, d1Databases, r2Buckets, ratelimits, queueProducers, queueConsumers } = bindingsOf(config)
  const runtime = { compatibilityDate: config.compatibility_date, compatibilityFlags: config.compatibility_flags, modules: true }
  const instance = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    // `wrangler d1 ... --persist-to <dir>` keeps D1 under <dir>/v3/d1.
    d1Persist: join(state, 'v3', 'd1'),
    // The request log (a console.log line per request) is read and dropped: printed, it would bury
    // the table and slow the Worker down to the terminal's pace. Errors (console.error) still show.
    handleRuntimeStdio: (/** @type {import('node:stream').Readable} */ stdout, /** @type {import('node:stream').Readable} */ stderr) => {
      stdout.resume()
      stderr.pipe(process.stderr)
    },
    workers: [
      // Module names are paths relative to modulesRoot, which defaults to the working directory.
      { ...runtime, name: 'api', modulesRoot: build, scriptPath: join(build, 'index.js'), bindings, d1Databases, r2Buckets, ratelimits, queueProducers, queueConsumers },
      {
        ...runtime,
        name: 'pbkdf2',
        scriptPath: fileURLToPath(new URL('pbkdf2-worker.js', import.meta.url)),
        bindings: { PASSWORD_ITERATIONS: bindings.PASSWORD_ITERATIONS },
        routes: [`*${PBKDF2_PATH}`],
      },
      { ...runtime, name: 'bare', scriptPath: fileURLToPath(new URL('bare-worker.js', import.meta.url)), routes: [`*${BARE_PATH}`] },
      // The floors of get_patient and create_patient: the app's bindings, its D1 and its audit queue (the app consumes it).
      { ...runtime, name: 'read-floor', scriptPath: fileURLToPath(new URL('read-floor-worker.js', import.meta.url)), bindings, d1Databases, queueProducers, routes: [`*${READ_FLOOR_PATH}/*`] },
      { ...runtime, name: 'create-floor', scriptPath: fileURLToPath(new URL('create-floor-worker.js', import.meta.url)), bindings, d1Databases, routes: [`*${CREATE_FLOOR_PATH}`] },
    ],
  })
  mf = instance
  const url = (await instance.ready).toString().replace(/\/$/, '')
  console.log(`Driving the Worker at ${url} through ${DRIVEN_BY}; ${PBKDF2_PATH}, ${READ_FLOOR_PATH}/ and ${CREATE_FLOOR_PATH} are scripts/bench/*-worker.js in the same instance.`)

  since = performance.now()
  console.log('Seeding:')
  const data = await seed(
    await instance.getD1Database('DB'),
    (path, init) => instance.dispatchFetch(`${url}${path}`, init),
    (step) => console.log(`  ${step} (${elapsed(since)} s)`),
  )
  const counts = Object.entries(data.rows).map(([table, count]) => `${count.toLocaleString('en-US')} ${table}`)
  console.log(`Seeded ${counts.join(', ')} in ${elapsed(since)} s.`)

  // Each round runs every selected scenario once more, in order, and adds to its sample: on a shared
  // machine, a change in the load then falls on every scenario alike rather than on the ones it hits.
  const requests = new Map(selected.map((scenario) => [scenario, scenario.request(data)]))
  /** @type {Map<string, import('./report.mjs').Sample>} */
  const samples = new Map()
  for (let round = 1; round <= rounds; round++) {
    if (rounds > 1) console.log(`Round ${round} of ${rounds}:`)
    for (const [scenario, request] of requests) {
      for (const connections of connectionCounts) {
        const sample = await measure(instance, url, scenario, request, connections, duration)
        const row = rowOf(scenario, connections, sample)
        const key = `${scenario.name}:${connections}`
        samples.set(key, merged(samples.get(key), sample))
        const audit = row.audit_events === null ? '' : `, ${row.audit_events} audit events in D1 ${row.audit_lag_ms === null ? 'NOT within the wait' : `${fixed(row.audit_lag_ms, 0)} ms after the load stopped`}`
        console.log(`  ${scenario.name} c${connections}: ${fixed(row.rps, 0)} req/s, ${fixed(row.cpu_ms, 2)} CPU ms/req, p50 ${fixed(row.p50, 1)} ms, p99 ${fixed(row.p99, 1)} ms, ${row.errors} errors${audit}`)
      }
    }
  }
  const rows = selected.flatMap((scenario) =>
    connectionCounts.map((connections) => rowOf(scenario, connections, /** @type {import('./report.mjs').Sample} */ (samples.get(`${scenario.name}:${connections}`)))),
  )

  const results = judge(rows)
  console.log(`\n${table(results)}`)
  const checks = results.flatMap((row) => row.checks)
  const met = checks.filter((check) => check.pass).length
  console.log(`\n${met} of ${checks.length} targets met (ratio: req/s ÷ the "vs" scenario's req/s at the same concurrency).`)
  const lags = results.flatMap((row) => (row.audit_events === null ? [] : [row.audit_lag_ms]))
  if (lags.length) {
    const worst = lags.includes(null) ? 'NOT within the wait' : `${fixed(Math.max(.../** @type {number[]} */ (lags)), 0)} ms`
    console.log(`Audit consumer lag (load stopped → every disclosure event in D1), worst of ${lags.length} read runs: ${worst} (target ≤ ${MAX_AUDIT_LAG_MS} ms).`)
  }
  const file = save({
    started_at: startedAt,
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    driven_by: DRIVEN_BY,
    targets_met: met,
    targets: checks.length,
    options: { duration_seconds: duration, rounds, warmup_seconds: WARMUP_SECONDS, connections: connectionCounts, audit_poll_ms: AUDIT_POLL_MS },
    seed: { ...data.rows },
    results,
  })
  console.log(`Saved ${file} and bench-results/latest.json.`)
}

const startedAt = new Date().toISOString()
const budgetSeconds =
  SETUP_BUDGET_SECONDS +
  rounds * selected.reduce((sum, scenario) => sum + connectionCounts.length * (duration + WARMUP_SECONDS + 15 + (scenario.discloses ? AUDIT_WAIT_MS / 1000 : 0)), 0)
const watchdog = setTimeout(() => {
  console.error(`The bench ran past its ${budgetSeconds} s budget; stopping.`)
  process.exitCode = 1
  shutdown().finally(() => process.exit(1))
}, budgetSeconds * 1000)
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => shutdown().finally(() => process.exit(130)))

try {
  await main()
} catch (error) {
  console.error(error)
  process.exitCode = 1
} finally {
  clearTimeout(watchdog)
  await shutdown()
}
