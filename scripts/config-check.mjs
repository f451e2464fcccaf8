// @ts-check
// The Worker's own configuration check (src/core/config.ts), run by `npm start` before it serves, on
// the variables `wrangler dev` would give the Worker: wrangler.toml's [vars], then .dev.vars, then --var.
import { existsSync, readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { build } from 'esbuild'
import { unstable_readConfig } from 'wrangler'
import { WORKER_TARGET } from './worker-target.mjs'

/**
 * The variables `wrangler dev` would bind, from wrangler.toml (for `--env`, when given), the secrets
 * file (`--env-file`, else `secretsFile`), and `--var NAME:VALUE` arguments, later ones winning.
 * @param {string[]} args wrangler dev's arguments
 * @param {string} secretsFile
 * @returns {Record<string, string>}
 */
export function devVars(args, secretsFile) {
  const env = valueOf(args, '--env')
  secretsFile = valueOf(args, '--env-file') ?? secretsFile
  /** @type {Record<string, string>} */
  const vars = {}
  for (const [name, value] of Object.entries(unstable_readConfig({ config: 'wrangler.toml', env }).vars)) {
    if (typeof value === 'string') vars[name] = value
  }
  if (existsSync(secretsFile)) Object.assign(vars, parseEnv(readFileSync(secretsFile, 'utf8')))
  args.forEach((arg, index) => {
    const pair = arg === '--var' ? args[index + 1] : arg.startsWith('--var=') ? arg.slice('--var='.length) : undefined
    const at = pair?.indexOf(':') ?? -1
    if (pair && at > 0) vars[pair.slice(0, at)] = pair.slice(at + 1)
  })
  return vars
}

/** @param {string[]} args @param {string} flag */
function valueOf(args, flag) {
  const index = args.findIndex((arg) => arg === flag || arg.startsWith(`${flag}=`))
  if (index < 0) return undefined
  return args[index] === flag ? args[index + 1] : args[index].slice(flag.length + 1)
}

/**
 * What the Worker would refuse these variables for (every request a 500 `misconfigured`), or undefined.
 * @param {Record<string, string>} vars
 * @returns {Promise<string | undefined>}
 */
export async function configurationProblem(vars) {
  /** @type {{ configurationProblem: (vars: Record<string, string>) => string | undefined }} */
  const config = await workerModule('src/core/config.ts')
  return config.configurationProblem(vars)
}

/**
 * A module of the Worker's own source, bundled by esbuild for Node, so a script applies the
 * Worker's rules rather than a copy of them. Only for modules that need no Worker bindings.
 * @param {string} entry a path under src/
 * @returns {Promise<any>}
 */
export async function workerModule(entry) {
  const { outputFiles } = await build({ ...WORKER_TARGET, entryPoints: [entry], write: false, logLevel: 'silent' })
  return import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`)
}
