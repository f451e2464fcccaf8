import type { Context } from 'hono'
import { networkOf } from '../core/network'
import type { AppEnv } from '../env'

/** Cloudflare's view of the caller's address; absent when the Worker is reached without Cloudflare's edge in front. */
export const clientIp = (c: Context<AppEnv>): string | null => c.req.header('cf-connecting-ip') ?? null

/**
 * The caller's network, as every per-client limit and the lockout key it: the /64 of an IPv6
 * address, an IPv4 address as it is. Callers without an address (local runs) share one key.
 */
export const clientNetwork = (c: Context<AppEnv>): string => {
  const ip = clientIp(c)
  return ip ? networkOf(ip) : 'unknown'
}
