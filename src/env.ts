import type { AuditMessage } from './core/audit'
import type { Db } from './db/client'
import type { Config } from './core/config'

/** Bindings declared in wrangler.toml (vars arrive as strings) and secrets from `.dev.vars` / `wrangler secret put`. */
export interface Bindings {
  DB: D1Database
  /** Audit events of reads, written to D1 by this Worker's queue consumer (src/audit-consumer.ts). */
  AUDIT_QUEUE: Queue<AuditMessage>
  /** Workers Static Assets (`[assets]` in wrangler.toml): the docs and the console. */
  ASSETS?: Fetcher
  JWT_SECRET?: string
  JWT_ACCESS_MINUTES?: string
  JWT_REFRESH_DAYS?: string
  PASSWORD_ITERATIONS?: string
  /** Comma-separated origins allowed by CORS; none when unset. */
  CORS_ORIGINS?: string
  LOGIN_IP_LIMITER?: RateLimit
  LOGIN_EMAIL_LIMITER?: RateLimit
  REGISTER_IP_LIMITER?: RateLimit
  REFRESH_IP_LIMITER?: RateLimit
  API_USER_LIMITER?: RateLimit
}

export type RateLimiterName = 'LOGIN_IP_LIMITER' | 'LOGIN_EMAIL_LIMITER' | 'REGISTER_IP_LIMITER' | 'REFRESH_IP_LIMITER' | 'API_USER_LIMITER'

/** What middleware puts on the context for the handlers of one request. */
export interface Variables {
  config: Config
  db: Db
  requestId: string
  userId: number
}

export interface AppEnv {
  Bindings: Bindings
  Variables: Variables
}
