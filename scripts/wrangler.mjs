import { spawn, spawnSync } from 'node:child_process'

/**
 * Wrangler with everything that would reach the network switched off, so local commands
 * work offline and without an account.
 */
export const offlineEnv = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_METRICS: 'false',
}

/** Runs a wrangler command to completion without prompts; exits the process if it fails. */
export function wranglerSync(args) {
  const result = spawnSync('npx', ['wrangler', ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...offlineEnv, CI: 'true' },
  })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

/** Starts a long-running wrangler command and forwards its exit code. */
export function wranglerForeground(args) {
  const child = spawn('npx', ['wrangler', ...args], { stdio: 'inherit', env: offlineEnv })
  child.on('exit', (code) => process.exit(code ?? 0))
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
}
