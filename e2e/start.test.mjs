// `npm start` checks the configuration the Worker would refuse before it serves anything.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'

/** Runs `npm start` with these arguments; resolves with its exit code and output, or kills it after `ms` (it started serving). */
function start(args, ms = 30_000) {
  return new Promise((resolve) => {
    const child = spawn('node', ['scripts/start.mjs', ...args, '--port', '0'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const timer = setTimeout(() => process.kill(-child.pid, 'SIGTERM'), ms)
    child.on('exit', (code) => {
      timer.close()
      resolve({ code, output })
    })
  })
}

for (const [what, args, reason] of [
  ['a secret of one repeated character', ['--var', `JWT_SECRET:${'k'.repeat(48)}`], 'JWT_SECRET has little entropy'],
  ['PASSWORD_ITERATIONS=1', ['--var', 'PASSWORD_ITERATIONS:1'], 'PASSWORD_ITERATIONS is 1:'],
  ['a ten-year access token', ['--var', 'JWT_ACCESS_MINUTES:5256000'], 'access tokens may live at most 60 minutes'],
  ['refresh tokens of 31 days', ['--var', 'JWT_REFRESH_DAYS:31'], 'refresh tokens may live at most 30 days'],
]) {
  test(`npm start refuses ${what} before serving, naming the problem`, { timeout: 60_000 }, async () => {
    const { code, output } = await start(args)
    assert.equal(code, 1, output)
    assert.match(output, /not started/)
    assert.ok(output.includes(reason), output)
    assert.doesNotMatch(output, /Ready on/)
  })
}
