import type { Context } from 'hono'
import type { AppEnv } from '../env'

/** Cloudflare's view of the caller's address; absent when the Worker is reached without Cloudflare's edge in front. */
export const clientIp = (c: Context<AppEnv>): string | null => c.req.header('cf-connecting-ip') ?? null
