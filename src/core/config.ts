/** Workers in production refuse PBKDF2 above this many iterations. */
export const MAX_PASSWORD_ITERATIONS = 100_000
const MIN_SECRET_BYTES = 32
/** The value `.dev.vars.example` ships with: long enough, and public, so it is refused like a missing one. */
export const PLACEHOLDER_SECRET = 'replace-me-with-at-least-32-random-bytes'
/** Stored Django hashes above this many iterations are refused as malformed: it bounds one login's CPU. */
export const MAX_STORED_ITERATIONS = 1_000_000
const DEFAULT_ISSUER = 'healthcare-records-api'
const ENVIRONMENTS = ['development', 'staging', 'production'] as const

export interface Config {
  jwtSecret: string
  accessTokenSeconds: number
  refreshTokenSeconds: number
  passwordIterations: number
  /** The tokens' `iss`: who issued them. */
  issuer: string
  /** The tokens' `aud`: the environment they are for, so a staging token is refused in production. */
  audience: string
}

/** The configuration variables as the Worker receives them: text, possibly unset. */
export interface ConfigVars {
  JWT_SECRET?: string
  JWT_ACCESS_MINUTES?: string
  JWT_REFRESH_DAYS?: string
  PASSWORD_ITERATIONS?: string
  /** The environment tokens are issued for (their `aud`): development, staging or production. */
  ENVIRONMENT?: string
  /** The token issuer (`iss`). */
  JWT_ISSUER?: string
}

/** A configuration the Worker must not run with; its message names the problem, for the log only. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError'
}

const cache = new WeakMap<ConfigVars, Config>()

/**
 * Reads and validates the configuration once per set of bindings. A misconfigured Worker fails
 * every request (500, the problem in the log) rather than issuing weak tokens.
 */
export function loadConfig<V extends ConfigVars>(vars: V): Config {
  const cached = cache.get(vars)
  if (cached) return cached
  const config = parseConfig(vars)
  cache.set(vars, config)
  return config
}

function parseConfig(vars: ConfigVars): Config {
  const secret = vars.JWT_SECRET ?? ''
  if (new TextEncoder().encode(secret).length < MIN_SECRET_BYTES) {
    throw new ConfigurationError(`JWT_SECRET is ${secret ? 'shorter than 32 bytes' : 'missing'}: set a random secret of at least 32 bytes`)
  }
  if (secret.trim() === PLACEHOLDER_SECRET) {
    throw new ConfigurationError('JWT_SECRET is the placeholder from .dev.vars.example: set a random secret of at least 32 bytes')
  }
  const environment = vars.ENVIRONMENT || 'development'
  if (!(ENVIRONMENTS as readonly string[]).includes(environment)) {
    throw new ConfigurationError(`ENVIRONMENT is "${environment}": use one of ${ENVIRONMENTS.join(', ')}`)
  }
  const iterations = positiveInteger(vars.PASSWORD_ITERATIONS, 'PASSWORD_ITERATIONS', 100_000)
  if (iterations > MAX_PASSWORD_ITERATIONS) {
    throw new ConfigurationError(`PASSWORD_ITERATIONS is ${iterations}: Workers refuse PBKDF2 above ${MAX_PASSWORD_ITERATIONS} iterations`)
  }
  return {
    jwtSecret: secret,
    accessTokenSeconds: positiveInteger(vars.JWT_ACCESS_MINUTES, 'JWT_ACCESS_MINUTES', 60) * 60,
    refreshTokenSeconds: positiveInteger(vars.JWT_REFRESH_DAYS, 'JWT_REFRESH_DAYS', 1) * 86_400,
    passwordIterations: iterations,
    issuer: vars.JWT_ISSUER || DEFAULT_ISSUER,
    audience: environment,
  }
}

function positiveInteger(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) throw new ConfigurationError(`${name} must be a positive integer, got "${raw}"`)
  return value
}
