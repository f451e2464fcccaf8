// Turns autocannon results into the bench's rows, checks them against the targets, and
// prints and saves them.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { TAIL, TAIL_CONNECTIONS, TARGETS } from './scenarios.mjs'

/** @typedef {{ latencies: number[], statuses: Record<string, number>, socketErrors: Record<string, number>, seconds: number }} Sample */
/** @typedef {ReturnType<typeof rowOf>} Row */
/** @typedef {{ target: string, value: number | null, pass: boolean }} Check */
/** @typedef {Row & { reference: string, ratio: number | null, checks: Check[] }} JudgedRow */

/** The value below which `fraction` of the sorted values fall (nearest rank). */
const percentile = (/** @type {number[]} */ sorted, /** @type {number} */ fraction) => sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? null

/**
 * One measured run: throughput over the window, latency in ms, every non-2xx answer and socket error counted.
 * @param {import('./scenarios.mjs').Scenario} scenario
 * @param {number} connections
 * @param {Sample} sample
 */
export function rowOf(scenario, connections, { latencies, statuses, socketErrors, seconds }) {
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
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    errors: count(statuses, (status) => !status.startsWith('2')) + count(socketErrors),
    statuses,
    socket_errors: socketErrors,
  }
}

/**
 * Adds each row's ratio to its reference scenario (baseline, or pbkdf2 for login) and its checks.
 * @param {Row[]} rows
 * @returns {JudgedRow[]}
 */
export function judge(rows) {
  return rows.map((row) => {
    const referenceName = row.target ? TARGETS[row.target].reference : 'baseline'
    const reference = rows.find((other) => other.scenario === referenceName && other.connections === row.connections)
    const ratio = reference ? row.rps / reference.rps : null
    /** @type {Check[]} */
    const checks = []
    if (row.target && ratio !== null) {
      const { min, label } = TARGETS[row.target]
      checks.push({ target: label, value: ratio, pass: ratio >= min })
    }
    if (row.connections === TAIL_CONNECTIONS) {
      const spread = row.p50 ? row.p99 / row.p50 : null
      checks.push({ target: `p99 ≤ ${TAIL} × p50`, value: spread, pass: spread !== null && spread <= TAIL })
    }
    checks.push({ target: 'zero errors', value: row.errors, pass: row.errors === 0 })
    return { ...row, reference: referenceName, ratio, checks }
  })
}

/** A number for the table; `–` where there is none. */
export const fixed = (/** @type {number | null} */ value, /** @type {number} */ digits) => (value === null ? '–' : value.toFixed(digits))

/** The table as text columns: ratio is against `baseline` except login's, against `pbkdf2`. */
/** @param {JudgedRow[]} rows */
export function table(rows) {
  const header = ['scenario', 'conc', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'ratio', 'vs', 'targets']
  const lines = rows.map((row) => {
    const missed = row.checks.filter((check) => !check.pass).map((check) => check.target)
    return [
      row.scenario,
      String(row.connections),
      fixed(row.rps, 0),
      fixed(row.p50, 1),
      fixed(row.p99, 1),
      String(row.errors),
      fixed(row.ratio, 3),
      row.reference,
      missed.length ? `MISS ${missed.join('; ')}` : 'PASS',
    ]
  })
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)))
  const numeric = new Set([1, 2, 3, 4, 5, 6])
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
