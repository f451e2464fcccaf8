// @ts-check
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Wrangler with everything that would reach the network switched off, so local commands
 * work offline and without an account.
 */
export const offlineEnv = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_METRICS: 'false',
}

/** Where a D1 command runs: the local database (optionally under `persistTo`), or an environment's remote one. */
/** @typedef {{ remote?: boolean, env?: string, persistTo?: string }} D1Target */

/** @param {D1Target} target */
const targetArgs = ({ remote = false, env, persistTo } = {}) => [
  remote ? '--remote' : '--local',
  ...(env ? ['--env', env] : []),
  ...(persistTo && !remote ? ['--persist-to', persistTo] : []),
]

/**
 * Runs a wrangler command to completion without prompts and returns its output. Quiet unless
 * `verbose`; on failure it prints what wrangler said and exits, so no caller hides an error.
 * `onLine` sees each line as it arrives (for progress).
 * @param {string[]} args
 * @param {{ verbose?: boolean, onLine?: (line: string) => void }} [options]
 * @returns {Promise<{ stdout: string, output: string }>} stdout alone, and stdout and stderr as they came
 */
export function wrangler(args, { verbose = false, onLine } = {}) {
  return new Promise((resolve) => {
    const child = spawn('npx', ['wrangler', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...offlineEnv, CI: 'true' } })
    let stdout = ''
    let output = ''
    let partial = ''
    /** @param {Buffer} chunk */
    const collect = (chunk) => {
      const text = chunk.toString()
      output += text
      if (verbose) process.stdout.write(text)
      if (!onLine) return
      const lines = (partial + text).split('\n')
      partial = lines.pop() ?? ''
      lines.forEach(onLine)
    }
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      collect(chunk)
    })
    child.stderr.on('data', collect)
    child.on('close', (code) => {
      if (code === 0) return resolve({ stdout, output })
      if (!verbose) process.stderr.write(output)
      console.error(`\nwrangler ${args.join(' ')} failed (exit ${code}).`)
      process.exit(code || 1)
    })
  })
}

/** Runs a wrangler command with its output passed through; exits the process if it fails. */
/** @param {string[]} args */
export function wranglerSync(args) {
  const result = spawnSync('npx', ['wrangler', ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...offlineEnv, CI: 'true' },
  })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

/** Starts a long-running wrangler command and forwards its exit code. */
/** @param {string[]} args */
export function wranglerForeground(args) {
  const child = spawn('npx', ['wrangler', ...args], { stdio: 'inherit', env: offlineEnv })
  child.on('exit', (code) => process.exit(code ?? 0))
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => child.kill(signal))
}

/** How many migrations `migrations/` holds. */
export const migrationCount = () => readdirSync('migrations').filter((name) => name.endsWith('.sql')).length

/**
 * Applies pending migrations to the DB binding's database and returns how many it applied.
 * `onApplied(name, done, total)` is called as each one lands, for progress on slow (remote) runs.
 * @param {D1Target & { verbose?: boolean, onApplied?: (name: string, done: number, total: number) => void }} options
 */
export async function applyMigrations({ verbose, onApplied, ...target } = {}) {
  /** @type {string[]} */
  const pending = []
  let total = 0
  let done = 0
  const { output } = await wrangler(['d1', 'migrations', 'apply', 'DB', ...targetArgs(target)], {
    verbose,
    onLine: (line) => {
      const name = /^│\s*(\S+\.sql)\s*│/.exec(line)?.[1]
      if (name && !total) pending.push(name)
      const about = /About to apply (\d+) migration/.exec(line)
      if (about) total = Number(about[1])
      if (/commands executed successfully|Executed \d+ (?:commands|queries)/.test(line)) {
        done += 1
        onApplied?.(pending[done - 1] ?? `migration ${done}`, done, total)
      }
    },
  })
  return /No migrations to apply/.test(output) ? 0 : total
}

/**
 * Runs SQL against the DB binding's database, local by default. Locally it returns the rows of
 * each statement (`wrangler d1 execute --json`); remotely, where wrangler imports the file instead,
 * it returns none. The SQL goes through a private temporary file, so
 * password hashes never appear in a process list.
 * @param {string} sql
 * @param {D1Target & { verbose?: boolean }} [options]
 * @returns {Promise<Record<string, unknown>[][]>}
 */
export async function d1Execute(sql, { verbose, ...target } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'd1-execute-'))
  const file = join(dir, 'statements.sql')
  writeFileSync(file, sql, { mode: 0o600 })
  try {
    const json = target.remote ? [] : ['--json']
    const { stdout } = await wrangler(['d1', 'execute', 'DB', ...targetArgs(target), '--file', file, ...json], { verbose })
    if (target.remote) return []
    /** @type {{ results?: Record<string, unknown>[] }[]} */
    const statements = JSON.parse(stdout)
    return statements.map((statement) => statement.results ?? [])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Runs read-only statements and returns each one's rows, locally or remotely. Locally they go in one
 * `--file` call; remotely, where a file is imported without answering rows, each is a `--command`
 * (each statement must stay below the argument size limit: about 100 KB).
 * @param {string[]} statements
 * @param {D1Target} [target]
 * @returns {Promise<Record<string, unknown>[][]>}
 */
export async function d1Read(statements, target = {}) {
  if (!target.remote) return statements.length ? d1Execute(statements.map((sql) => `${sql};`).join('\n'), target) : []
  /** @type {Record<string, unknown>[][]} */
  const rows = []
  for (const sql of statements) {
    const { stdout } = await wrangler(['d1', 'execute', 'DB', ...targetArgs(target), '--command', sql, '--json'])
    /** @type {{ results?: Record<string, unknown>[] }[]} */
    const answers = JSON.parse(stdout)
    rows.push(answers[0]?.results ?? [])
  }
  return rows
}
