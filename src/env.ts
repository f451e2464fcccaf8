import type { AuditMessage } from './core/audit'
import type { ConfigVars } from './core/config'
import type { DbSessionVariables } from './middleware/db-session'
import type { RequestIdVariables } from './middleware/request-ids'
import type { SignedInVariables } from './routes/signed-in'

/**
 * Bindings declared in wrangler.toml (vars arrive as strings) and secrets from `.dev.vars` /
 * `wrangler secret put`; the configuration variables (JWT_SECRET, lifetimes, iterations, ENVIRONMENT,
 * JWT_ISSUER) are listed once, in core/config.ts.
 */
export interface Bindings extends ConfigVars {
  DB: D1Database
  /** Audit events of reads, written to D1 by this Worker's queue consumer (src/audit-consumer.ts). */
  AUDIT_QUEUE: Queue<AuditMessage>
  /** The audit record's long-term home (R2, locked for six years): written by the scheduled archiver (src/audit-archiver.ts). */
  AUDIT_ARCHIVE: R2Bucket
  /** Days of audit events D1 keeps once they are archived and verified; 400 when unset. */
  AUDIT_HOT_DAYS?: string
  /** Workers Static Assets (`[assets]` in wrangler.toml): the docs and the console. */
  ASSETS?: Fetcher
  /** Comma-separated origins allowed by CORS; none when unset. */
  CORS_ORIGINS?: string
  LOGIN_IP_LIMITER?: RateLimit
  LOGIN_EMAIL_LIMITER?: RateLimit
  REGISTER_IP_LIMITER?: RateLimit
  REFRESH_IP_LIMITER?: RateLimit
  API_USER_LIMITER?: RateLimit
  LOGIN_GLOBAL_LIMITER?: RateLimit
  REGISTER_GLOBAL_LIMITER?: RateLimit
}

export type RateLimiterName =
  | 'LOGIN_IP_LIMITER'
  | 'LOGIN_EMAIL_LIMITER'
  | 'REGISTER_IP_LIMITER'
  | 'REFRESH_IP_LIMITER'
  | 'API_USER_LIMITER'
  | 'LOGIN_GLOBAL_LIMITER'
  | 'REGISTER_GLOBAL_LIMITER'

/** What middleware puts on the context for the handlers of one request; each middleware exports its own part. */
export interface Variables extends RequestIdVariables, DbSessionVariables, SignedInVariables {}

export interface AppEnv {
  Bindings: Bindings
  Variables: Variables
}
