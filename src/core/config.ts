/** Workers in production refuse PBKDF2 above this many iterations. */
export const MAX_PASSWORD_ITERATIONS = 100_000
/**
 * The fewest iterations a deployed environment may use. OWASP asks 600,000 for PBKDF2-HMAC-SHA256,
 * more than Workers allow, so staging and production must use the most Workers allow.
 */
export const MIN_DEPLOYED_ITERATIONS = MAX_PASSWORD_ITERATIONS
/** The fewest iterations in development: tests and local runs hash thousands of passwords. */
export const MIN_DEVELOPMENT_ITERATIONS = 1_000
/** Longest access-token lifetime: a stolen access token is only ended by its expiry or the generation check. */
export const MAX_ACCESS_MINUTES = 60
/** Longest refresh-token lifetime. */
export const MAX_REFRESH_DAYS = 30
const MIN_SECRET_BYTES = 32
/**
 * Estimated bits a secret must carry (see estimatedBits): 32 random base64 characters score over 120,
 * 48 random bytes as npm start writes them over 300, one character repeated 0.
 */
const MIN_SECRET_BITS = 96
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
  const bits = Math.floor(estimatedBits(secret))
  if (bits < MIN_SECRET_BITS) {
    throw new ConfigurationError(`JWT_SECRET has little entropy (about ${bits} bits, ${MIN_SECRET_BITS} needed): set a random secret, not a word or a repeated pattern`)
  }
  const environment = vars.ENVIRONMENT || 'development'
  if (!(ENVIRONMENTS as readonly string[]).includes(environment)) {
    throw new ConfigurationError(`ENVIRONMENT is "${environment}": use one of ${ENVIRONMENTS.join(', ')}`)
  }
  const iterations = positiveInteger(vars.PASSWORD_ITERATIONS, 'PASSWORD_ITERATIONS', 100_000)
  if (iterations > MAX_PASSWORD_ITERATIONS) {
    throw new ConfigurationError(`PASSWORD_ITERATIONS is ${iterations}: Workers refuse PBKDF2 above ${MAX_PASSWORD_ITERATIONS} iterations`)
  }
  const fewest = environment === 'development' ? MIN_DEVELOPMENT_ITERATIONS : MIN_DEPLOYED_ITERATIONS
  if (iterations < fewest) {
    throw new ConfigurationError(`PASSWORD_ITERATIONS is ${iterations}: ${environment} needs at least ${fewest} (OWASP asks 600,000; Workers allow ${MAX_PASSWORD_ITERATIONS})`)
  }
  const accessMinutes = positiveInteger(vars.JWT_ACCESS_MINUTES, 'JWT_ACCESS_MINUTES', 60)
  if (accessMinutes > MAX_ACCESS_MINUTES) {
    throw new ConfigurationError(`JWT_ACCESS_MINUTES is ${accessMinutes}: access tokens may live at most ${MAX_ACCESS_MINUTES} minutes`)
  }
  const refreshDays = positiveInteger(vars.JWT_REFRESH_DAYS, 'JWT_REFRESH_DAYS', 1)
  if (refreshDays > MAX_REFRESH_DAYS) {
    throw new ConfigurationError(`JWT_REFRESH_DAYS is ${refreshDays}: refresh tokens may live at most ${MAX_REFRESH_DAYS} days`)
  }
  return {
    jwtSecret: secret,
    accessTokenSeconds: accessMinutes * 60,
    refreshTokenSeconds: refreshDays * 86_400,
    passwordIterations: iterations,
    issuer: vars.JWT_ISSUER || DEFAULT_ISSUER,
    audience: environment,
  }
}

/**
 * The secret's entropy as its length times the Shannon entropy of its own character frequencies: a
 * repeated character or short pattern scores low, random text high.
 * An estimate from the text alone: it cannot see that a long phrase is guessable.
 */
export function estimatedBits(secret: string): number {
  const chars = [...secret]
  const counts = new Map<string, number>()
  for (const char of chars) counts.set(char, (counts.get(char) ?? 0) + 1)
  let perChar = 0
  for (const count of counts.values()) {
    const p = count / chars.length
    perChar -= p * Math.log2(p)
  }
  return perChar * chars.length
}

/** What the Worker would refuse this configuration for (the message it logs), or undefined: `npm start` checks before serving. */
export function configurationProblem(vars: ConfigVars): string | undefined {
  try {
    parseConfig(vars)
    return undefined
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message
    throw error
  }
}

function positiveInteger(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) throw new ConfigurationError(`${name} must be a positive integer, got "${raw}"`)
  return value
}
