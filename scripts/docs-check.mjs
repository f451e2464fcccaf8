// @ts-check
// `npm run docs:check`: runs the examples of the README and of every page in docs/ against one fresh
// Worker and fails when an answer differs from what the page shows next to it.
//
// The files run in the order of PAGES (README.md first, then docs/ in reading order), then any page
// of docs/ that PAGES does not name, alphabetically, all in one bash session: variables and data
// carry over from one file to the next, so a page may build on what an earlier one created.
// Every ```sh block runs, in order, unless its info
// string says `no-check` (```sh no-check). A command that calls curl must show its expected status:
// as a trailing comment (`curl ... # 204`) or at the start of the comment line below it
// (`# 201 {"id":1,...}`). When that comment shows a JSON object, its top-level keys must all be in
// the answer, and, unless the object also shows `...`, the answer may have no others.
// The Worker runs on a fresh local D1 in a temporary directory, on a free port; curl's
// http://127.0.0.1:8787 is pointed there.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath, URL } from 'node:url'
import { applyMigrations, offlineEnv } from './wrangler.mjs'

/** The files whose examples run, in this order; a page of docs/ missing here runs after them. */
const PAGES = [
  'README.md',
  'docs/authentication.md',
  'docs/records.md',
  'docs/audit.md',
  'docs/clinics.md',
  'docs/browser.md',
  'docs/architecture.md',
  'docs/deploy.md',
  'docs/benchmark.md',
  'docs/threats.md',
]
const DOCUMENTED_API = 'http://127.0.0.1:8787'
const START_TIMEOUT_MS = 90_000
const RUN_TIMEOUT_MS = 120_000

/** @typedef {{ file: string, line: number, text: string, status?: string, shape?: { keys: string[], open: boolean }, calls: boolean }} Step */

/** Top-level keys of the JSON object a page shows, and whether it leaves some out (`...`, `<doctor>`). */
function shapeOf(/** @type {string} */ shown) {
  /** @type {string[]} */
  const keys = []
  let depth = 0
  let open = false
  for (let i = 0; i < shown.length; i++) {
    const char = shown[i]
    if (char === '"') {
      const end = shown.indexOf('"', i + 1)
      if (depth === 1 && /^\s*:/.test(shown.slice(end + 1))) keys.push(shown.slice(i + 1, end))
      i = end
    } else if (char === '{' || char === '[') depth += 1
    else if (char === '}' || char === ']') depth -= 1
    else if (depth === 1 && (shown.startsWith('...', i) || char === '…' || char === '<')) open = true
  }
  return { keys, open }
}

/** A page's checked commands, each with its line number and what the page says it answers. */
function stepsOf(/** @type {string} */ file, /** @type {string} */ markdown) {
  const lines = markdown.split('\n')
  /** @type {Step[]} */
  const steps = []
  let fence = /** @type {string | null} */ (null)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (fence === null) {
      const opening = /^\s*```sh(?:\s+(.*))?$/.exec(line)
      if (opening) fence = opening[1] ?? ''
      continue
    }
    if (line.trim().startsWith('```')) {
      fence = null
      continue
    }
    if (/\bno-check\b/.test(fence) || line.trim() === '' || line.trim().startsWith('#')) continue
    const start = i
    while (lines[i].endsWith('\\') && i + 1 < lines.length) i++
    const text = lines.slice(start, i + 1).join('\n')
    /** @type {Step} */
    const step = { file, line: start + 1, text, calls: /(^|[\s(|;&])curl\s/.test(text) }
    const trailing = /\s#\s*(\d{3})\b[^'"]*$/.exec(lines[i])
    const below = /^\s*#\s*(\d{3})\b(.*)$/.exec(lines[i + 1] ?? '')
    if (trailing) step.status = trailing[1]
    if (below) {
      step.status = below[1]
      let shown = below[2]
      for (let j = i + 2; /^\s*#\s{2,}/.test(lines[j] ?? ''); j++) shown += lines[j].trim().slice(1)
      if (shown.trim().startsWith('{')) step.shape = shapeOf(shown.trim())
    }
    steps.push(step)
  }
  return steps
}

/** The pages to run, in order: PAGES, then the rest of docs/ alphabetically. */
function pages() {
  const missing = PAGES.filter((page) => !existsSync(page))
  if (missing.length) throw new Error(`${missing.join(', ')} listed in PAGES (scripts/docs-check.mjs) but not found.`)
  const rest = readdirSync('docs')
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`)
    .filter((page) => !PAGES.includes(page))
    .sort()
  return [...PAGES, ...rest]
}

/** A port nothing listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** Runs the steps in one bash session; returns the session's exit code. */
function run(/** @type {Step[]} */ steps, /** @type {string} */ dir, /** @type {string} */ api) {
  const script = [`source ${JSON.stringify(fileURLToPath(new URL('docs-check-prelude.sh', import.meta.url)))}`]
  steps.forEach((step, index) => script.push(`DOC_STEP=${index}; DOC_EXPECT=${step.status ?? ''}`, step.text))
  writeFileSync(join(dir, 'walk-through.sh'), `${script.join('\n')}\n`)
  const result = spawnSync('bash', [join(dir, 'walk-through.sh')], {
    env: { ...process.env, DOC_DIR: dir, DOC_API: api, DOC_DOCUMENTED: DOCUMENTED_API },
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
  })
  writeFileSync(join(dir, 'walk-through.err'), result.stderr ?? '')
  return result.status ?? 1
}

const brief = (/** @type {string} */ text) => (text.length > 300 ? `${text.slice(0, 300)}...` : text || '(empty)')

/** What went wrong, one message per command, named by file and line. */
function problems(/** @type {Step[]} */ steps, /** @type {string} */ dir, /** @type {number} */ exitCode) {
  /** @type {Map<number, { status: string, body: string }[]>} */
  const calls = new Map()
  const log = join(dir, 'calls.tsv')
  for (const row of existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []) {
    const [index, status, file] = row.split('\t')
    const list = calls.get(Number(index)) ?? []
    list.push({ status, body: readFileSync(file, 'utf8') })
    calls.set(Number(index), list)
  }
  const failed = existsSync(join(dir, 'failed')) ? Number(readFileSync(join(dir, 'failed'), 'utf8')) : null
  /** @type {string[]} */
  const found = []
  for (const [index, step] of steps.entries()) {
    const where = `${step.file}:${step.line}`
    if (step.calls && !step.status) found.push(`${where}: shows no expected status (add "# 200" after the command or at the start of the line below it)`)
    const made = calls.get(index) ?? []
    if (step.calls && step.status && !made.length && (failed === null || index < failed)) found.push(`${where}: curl never ran`)
    for (const { status, body } of made) {
      if (!step.status) continue
      if (status !== step.status) {
        found.push(`${where}: expected ${step.status}, got ${status} ${brief(body)}`)
        continue
      }
      if (!step.shape) continue
      let answer
      try {
        answer = JSON.parse(body)
      } catch {
        found.push(`${where}: expected a JSON object, got ${brief(body)}`)
        continue
      }
      const actual = answer && typeof answer === 'object' && !Array.isArray(answer) ? Object.keys(answer) : []
      const missing = step.shape.keys.filter((key) => !actual.includes(key))
      const extra = step.shape.open ? [] : actual.filter((key) => !step.shape?.keys.includes(key))
      if (missing.length || extra.length) {
        const parts = [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `not shown ${extra.join(', ')}` : '']
        found.push(`${where}: answer keys differ (${parts.filter(Boolean).join('; ')}); the answer has ${actual.join(', ') || 'none'}`)
      }
    }
    if (failed === index && !found.some((problem) => problem.startsWith(`${where}:`))) {
      found.push(`${where}: the command failed (exit code ${exitCode})`)
    }
    if (failed === index) break
  }
  if (exitCode !== 0 && failed === null) found.push(`the walk-through stopped (exit code ${exitCode}) outside any documented command`)
  return found
}

/** Starts `wrangler dev` on a fresh local D1 and stops it (and workerd) at the end, whatever happens. */
async function main() {
  for (const tool of ['bash', 'curl', 'jq']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`docs:check needs ${tool} (the examples use it).`)
  }
  const files = pages()
  const steps = files.flatMap((file) => stepsOf(file, readFileSync(file, 'utf8')))
  const dir = mkdtempSync(join(tmpdir(), 'docs-check-'))
  const state = join(dir, 'state')
  writeFileSync(join(dir, 'secrets.env'), `JWT_SECRET=${randomBytes(48).toString('base64url')}\n`, { mode: 0o600 })
  const started = Date.now()
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let worker
  let workerLog = ''
  /** Signals wrangler's whole process group (npx, wrangler, workerd). */
  const signal = (/** @type {NodeJS.Signals} */ name) => {
    if (!worker?.pid || worker.exitCode !== null || worker.signalCode !== null) return
    try {
      process.kill(-worker.pid, name)
    } catch {
      // Already gone.
    }
  }
  process.on('exit', () => signal('SIGKILL'))
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => process.exit(130))
  try {
    await applyMigrations({ persistTo: state })
    const port = await freePort()
    const inspector = await freePort()
    const api = `http://127.0.0.1:${port}`
    worker = spawn(
      'npx',
      ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--persist-to', state, '--env-file', join(dir, 'secrets.env')],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: offlineEnv },
    )
    worker.stdout?.on('data', (chunk) => (workerLog += chunk))
    worker.stderr?.on('data', (chunk) => (workerLog += chunk))
    const deadline = Date.now() + START_TIMEOUT_MS
    for (;;) {
      if (worker.exitCode !== null) throw new Error(`wrangler dev stopped (exit ${worker.exitCode}):\n${workerLog}`)
      if (Date.now() > deadline) throw new Error(`The Worker did not answer /api/health/ within ${START_TIMEOUT_MS / 1000} s:\n${workerLog}`)
      const healthy = await fetch(`${api}/api/health/`).then((answer) => answer.ok, () => false)
      if (healthy) break
      await delay(500)
    }
    const ready = Date.now()
    const exitCode = run(steps, dir, api)
    const found = problems(steps, dir, exitCode)
    const checked = steps.filter((step) => step.status).length
    const timing = `(Worker ready in ${((ready - started) / 1000).toFixed(1)} s, walk-through ${((Date.now() - ready) / 1000).toFixed(1)} s)`
    if (found.length) {
      console.error(`docs:check: the examples do not run as shown ${timing}:\n${found.map((problem) => `  ${problem}`).join('\n')}`)
      const errors = readFileSync(join(dir, 'walk-through.err'), 'utf8').trim()
      if (errors) console.error(`\nThe walk-through's error output:\n${errors.split('\n').slice(-20).join('\n')}`)
      process.exitCode = 1
    } else {
      const perFile = files.map((file) => `${file} ${steps.filter((step) => step.file === file).length}`).join(', ')
      console.log(`docs:check: ${steps.length} commands ran in order (${perFile}); ${checked} answers matched their status and shape ${timing}.`)
    }
  } finally {
    const exited = worker && worker.exitCode === null && worker.signalCode === null ? new Promise((resolve) => worker?.once('exit', resolve)) : null
    signal('SIGTERM')
    if (exited) await Promise.race([exited, delay(10_000)])
    signal('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}

try {
  await main()
} catch (error) {
  console.error(`docs:check: ${error instanceof Error ? error.message : error}`)
  process.exitCode = 1
}
