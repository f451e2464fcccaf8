// Turns autocannon results into the bench's rows, checks them against the targets, and
// prints and saves them.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MAX_AUDIT_LAG_MS, TARGET_CONNECTIONS, TARGETS } from './scenarios.mjs'

/**
 * `audit`: for a scenario that discloses, the events its load put on the audit queue (its 200 answers,
 * warm-up included) and how long after the load stopped the last of them was in D1 (null: not within the wait).
 * `cpuMs`: CPU time workerd used over the window (null: unknown).
 * @typedef {{ latencies: number[], statuses: Record<string, number>, socketErrors: Record<string, number>, seconds: number, cpuMs: number | null, audit?: { events: number, lag_ms: number | null } }} Sample
 */
/** @typedef {ReturnType<typeof rowOf>} Row */
/** @typedef {{ target: string, value: number | null, pass: boolean }} Check */
/** @typedef {Row & { reference: string | null, ratio: number | null, cpu_ratio: number | null, vs_baseline: number | null, vs_d1_floor: number | null, spread: number | null, spread_vs_bare: number | null, checks: Check[] }} JudgedRow */

/** The value below which `fraction` of the sorted values fall (nearest rank). */
const percentile = (/** @type {number[]} */ sorted, /** @type {number} */ fraction) => sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? null

/**
 * One measured run: throughput over the window, latency in ms, every non-2xx answer and socket error counted.
 * @param {import('./scenarios.mjs').Scenario} scenario
 * @param {number} connections
 * @param {Sample} sample
 */
export function rowOf(scenario, connections, { latencies, statuses, socketErrors, seconds, cpuMs, audit }) {
  const sorted = latencies.toSorted((a, b) => a - b)
  /** @type {(tally: Record<string, number>, include?: (key: string) => boolean) => number} */
  const count = (tally, include = () => true) => Object.entries(tally).reduce((sum, [key, n]) => sum + (include(key) ? n : 0), 0)
  return {
    scenario: scenario.name,
    target: scenario.target ?? null,
    connections,
    seconds,
    responses: latencies.length,
    rps: latencies.length / seconds,
    cpu_ms: cpuMs !== null && latencies.length ? cpuMs / latencies.length : null,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    errors: count(statuses, (status) => !status.startsWith('2')) + count(socketErrors),
    statuses,
    socket_errors: socketErrors,
    audit_events: audit?.events ?? null,
    audit_lag_ms: audit ? audit.lag_ms : null,
  }
}

/**
 * Adds to each row its req/s ratio to `baseline` and to `d1_floor` at the same concurrency, its
 * target's ratio (to its reference in TARGETS: a floor Worker, d1_floor, get_patient or pbkdf2),
 * its tail spread (p99 ÷ p50) and that spread against the bare Worker's, and its checks: the throughput target and the audit lag at
 * TARGET_CONNECTIONS, zero errors everywhere. Tails are reported, never judged.
 * @param {Row[]} rows
 * @returns {JudgedRow[]}
 */
export function judge(rows) {
  const rpsOf = (/** @type {string} */ name, /** @type {number} */ connections) =>
    rows.find((other) => other.scenario === name && other.connections === connections)?.rps ?? null
  const ratioTo = (/** @type {Row} */ row, /** @type {string} */ name) => {
    const reference = rpsOf(name, row.connections)
    return reference ? row.rps / reference : null
  }
  const spreadOf = (/** @type {Row | undefined} */ row) => (row?.p50 && row.p99 !== null ? row.p99 / row.p50 : null)
  return rows.map((row) => {
    const referenceName = row.target ? TARGETS[row.target].reference : null
    const ratio = referenceName ? ratioTo(row, referenceName) : null
    const referenceCpu = rows.find((other) => other.scenario === referenceName && other.connections === row.connections)?.cpu_ms ?? null
    const spread = spreadOf(row)
    const bareSpread = spreadOf(rows.find((other) => other.scenario === 'bare' && other.connections === row.connections))
    /** @type {Check[]} */
    const checks = []
    if (row.connections === TARGET_CONNECTIONS) {
      if (row.target) {
        const { min, label } = TARGETS[row.target]
        checks.push({ target: label, value: ratio, pass: ratio !== null && ratio >= min })
      }
      if (row.audit_events !== null) {
        checks.push({ target: `audit lag ≤ ${MAX_AUDIT_LAG_MS} ms`, value: row.audit_lag_ms, pass: row.audit_lag_ms !== null && row.audit_lag_ms <= MAX_AUDIT_LAG_MS })
      }
    }
    checks.push({ target: 'zero errors', value: row.errors, pass: row.errors === 0 })
    return {
      ...row,
      reference: referenceName,
      ratio,
      cpu_ratio: referenceCpu !== null && row.cpu_ms ? referenceCpu / row.cpu_ms : null,
      vs_baseline: ratioTo(row, 'baseline'),
      vs_d1_floor: ratioTo(row, 'd1_floor'),
      spread,
      spread_vs_bare: spread !== null && bareSpread ? spread / bareSpread : null,
      checks,
    }
  })
}

/** A number for the table; `–` where there is none. */
export const fixed = (/** @type {number | null} */ value, /** @type {number} */ digits) => (value === null ? '–' : value.toFixed(digits))

/**
 * The table as text columns: `÷base` and `÷d1` are req/s over `baseline`'s and `d1_floor`'s at the
 * same concurrency; `ratio` is over the target's reference (`vs`); `cpu ms` is workerd's CPU time per
 * answer and `cpu ratio` the reference's over it (1 = as cheap as the reference); `p99/p50` is the tail spread and
 * `÷bare` that spread over the bare Worker's; `lag ms` is the audit consumer's lag after the load.
 * @param {JudgedRow[]} rows
 */
export function table(rows) {
  const header = ['scenario', 'conc', 'req/s', 'cpu ms', 'p50 ms', 'p99 ms', 'p99/p50', '÷bare', 'errors', '÷base', '÷d1', 'ratio', 'cpu ratio', 'vs', 'lag ms', 'targets']
  const lines = rows.map((row) => {
    const missed = row.checks.filter((check) => !check.pass).map((check) => check.target)
    const judged = row.checks.length > 1
    return [
      row.scenario,
      String(row.connections),
      fixed(row.rps, 0),
      fixed(row.cpu_ms, 2),
      fixed(row.p50, 1),
      fixed(row.p99, 1),
      fixed(row.spread, 0),
      fixed(row.spread_vs_bare, 1),
      String(row.errors),
      fixed(row.vs_baseline, 3),
      fixed(row.vs_d1_floor, 3),
      fixed(row.ratio, 3),
      fixed(row.cpu_ratio, 3),
      row.reference ?? '–',
      row.audit_events === null ? '–' : row.audit_lag_ms === null ? 'timeout' : fixed(row.audit_lag_ms, 0),
      missed.length ? `MISS ${missed.join('; ')}` : judged ? 'PASS' : 'no errors',
    ]
  })
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)))
  const numeric = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14])
  const format = (/** @type {string[]} */ cells) =>
    cells.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ').trimEnd()
  return [format(header), ...lines.map(format)].join('\n')
}

/** Writes the run to bench-results/<timestamp>.json and bench-results/latest.json; returns the first path. */
/** @param {{ started_at: string } & Record<string, unknown>} run */
export function save(run) {
  mkdirSync('bench-results', { recursive: true })
  const file = join('bench-results', `${run.started_at.replaceAll(':', '-')}.json`)
  const text = `${JSON.stringify(run, null, 2)}\n`
  writeFileSync(file, text)
  writeFileSync(join('bench-results', 'latest.json'), text)
  return file
}
