import type { Context } from 'hono'
import { networkOf } from '../core/network'
import type { AppEnv } from '../env'

/** What an IPv4 or IPv6 address can look like: Cloudflare sends nothing else, and nobody else is believed. */
const IP_TEXT = /^[\da-fA-F:.]{2,45}$/

/**
 * Cloudflare's view of the caller's address; null when the Worker is reached without Cloudflare's
 * edge in front, or when the header (then set by someone else) is not shaped like an address.
 */
export const clientIp = (c: Context<AppEnv>): string | null => {
  const ip = c.req.header('cf-connecting-ip')
  return ip !== undefined && IP_TEXT.test(ip) ? ip : null
}

/**
 * The caller's network, as every per-client limit and the lockout key it: the /64 of an IPv6
 * address, an IPv4 address as it is. Callers without an address (local runs) share one key.
 */
export const clientNetwork = (c: Context<AppEnv>): string => {
  const ip = clientIp(c)
  return ip ? networkOf(ip) : 'unknown'
}
