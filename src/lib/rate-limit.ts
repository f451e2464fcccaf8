import type { Context } from 'hono'
import type { AppEnv, RateLimiterName } from '../env'
import { clientIp } from './client-ip'
import { ApiError } from './errors'

/** Every limiter in wrangler.toml counts over a 60-second window; a refused caller may retry after it. */
const RETRY_AFTER_SECONDS = 60

/**
 * Counts one request against a limiter under `key` and refuses it with 429 when over the limit.
 * A Worker deployed without the binding is not limited (the README lists the bindings to declare).
 */
export async function enforceLimit(c: Context<AppEnv>, limiter: RateLimiterName, key: string): Promise<void> {
  const binding = c.env[limiter]
  if (!binding) return
  const { success } = await binding.limit({ key })
  if (!success) {
    throw new ApiError('rate_limited', undefined, {
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    })
  }
}

/** The key for per-client limits; callers without an address (local runs) share one bucket. */
export const clientKey = (c: Context<AppEnv>) => clientIp(c) ?? 'unknown'
