import type { Context } from 'hono'
import type { AppEnv, RateLimiterName } from '../env'
import { clientNetwork } from './client-ip'
import { ApiError } from './errors'

/** Every limiter in wrangler.toml counts over a 60-second window; a refused caller may retry after it. */
export const RETRY_AFTER_SECONDS = 60

/**
 * Counts one request against a limiter under `key` and refuses it with 429 when over the limit.
 * A Worker deployed without the binding is not limited (docs/authentication.md lists the bindings to declare).
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

/**
 * The limiters of an unauthenticated account flow: per client network, then one key for every
 * caller (a Workers rate limit counts per Cloudflare location), so rotating addresses is bounded too.
 */
export async function enforceFlowLimits(c: Context<AppEnv>, perClient: RateLimiterName, global: RateLimiterName, flow: string): Promise<void> {
  await enforceLimit(c, perClient, clientNetwork(c))
  await enforceLimit(c, global, flow)
}
