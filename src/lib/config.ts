import type { Bindings } from '../env'
import { ApiError } from './errors'

/** Workers in production refuse PBKDF2 above this many iterations. */
export const MAX_PASSWORD_ITERATIONS = 100_000
const MIN_SECRET_BYTES = 32

export interface Config {
  jwtSecret: string
  accessTokenSeconds: number
  refreshTokenSeconds: number
  passwordIterations: number
}

const cache = new WeakMap<Bindings, Config>()

/**
 * Reads and validates the configuration once per set of bindings.
 * A misconfigured Worker fails every request with a 500 and a log line naming the problem,
 * rather than issuing weak tokens.
 */
export function loadConfig(env: Bindings): Config {
  const cached = cache.get(env)
  if (cached) return cached
  const config = parseConfig(env)
  cache.set(env, config)
  return config
}

function parseConfig(env: Bindings): Config {
  const secret = env.JWT_SECRET ?? ''
  if (new TextEncoder().encode(secret).length < MIN_SECRET_BYTES) {
    throw misconfigured(
      `JWT_SECRET is ${secret ? 'shorter than 32 bytes' : 'missing'}: set a random secret of at least 32 bytes`,
    )
  }
  const iterations = positiveInteger(env.PASSWORD_ITERATIONS, 'PASSWORD_ITERATIONS', 100_000)
  if (iterations > MAX_PASSWORD_ITERATIONS) {
    throw misconfigured(
      `PASSWORD_ITERATIONS is ${iterations}: Workers refuse PBKDF2 above ${MAX_PASSWORD_ITERATIONS} iterations`,
    )
  }
  return {
    jwtSecret: secret,
    accessTokenSeconds: positiveInteger(env.JWT_ACCESS_MINUTES, 'JWT_ACCESS_MINUTES', 60) * 60,
    refreshTokenSeconds: positiveInteger(env.JWT_REFRESH_DAYS, 'JWT_REFRESH_DAYS', 1) * 86_400,
    passwordIterations: iterations,
  }
}

function positiveInteger(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) {
    throw misconfigured(`${name} must be a positive integer, got "${raw}"`)
  }
  return value
}

function misconfigured(reason: string): ApiError {
  return new ApiError(500, 'internal_error', 'The server is misconfigured.', { logReason: `configuration error: ${reason}` })
}
