// The Worker for the browser tests: `wrangler dev` on a fresh local D1 in a temporary directory,
// on free ports, with a generated secret; torn down (process group and directory) afterwards.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { offlineEnv } from '../scripts/wrangler.mjs'

const env = { ...offlineEnv, CI: 'true' }

/**
 * A TCP port nothing listens on right now; never 8787, the documented default, so nothing can pass
 * only because it assumed that port.
 */
async function freePort() {
  for (;;) {
    const port = await anyFreePort()
    if (port !== 8787) return port
  }
}

function anyFreePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function wrangler(args, dir) {
  const result = spawnSync('npx', ['wrangler', ...args, '--local', '--persist-to', dir], { env, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`wrangler ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

/** Starts the Worker and resolves once /api/health/ answers 200 (D1 migrated and reachable). */
export async function startWorker() {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-worker-'))
  const vars = join(dir, '.dev.vars')
  // Lower PBKDF2 cost than production: the tests sign in many times, the hash format is the same.
  writeFileSync(vars, `JWT_SECRET=${randomBytes(48).toString('base64url')}\nPASSWORD_ITERATIONS=1000\n`, { mode: 0o600 })
  wrangler(['d1', 'migrations', 'apply', 'DB'], dir)

  const [port, inspectorPort] = [await freePort(), await freePort()]
  const args = ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort)]
  args.push('--persist-to', dir, '--env-file', vars, '--show-interactive-dev-session=false')
  // Its own process group, so teardown reaches npx, wrangler and workerd alike.
  const child = spawn('npx', args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  child.stdout.on('data', (chunk) => (log += chunk))
  child.stderr.on('data', (chunk) => (log += chunk))

  const origin = `http://127.0.0.1:${port}`
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      // Already gone.
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) {
      stop()
      throw new Error(`wrangler dev exited early:\n${log}`)
    }
    const ok = await fetch(`${origin}/api/health/`).then((response) => response.ok, () => false)
    if (ok) break
    if (Date.now() > deadline) {
      stop()
      throw new Error(`wrangler dev did not answer within 120 s:\n${log}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }

  return {
    origin,
    /** Runs SQL against the Worker's local D1 (for what no API route does, such as making an admin). */
    sql: (command) => wrangler(['d1', 'execute', 'DB', '--command', command], dir),
    stop,
  }
}
