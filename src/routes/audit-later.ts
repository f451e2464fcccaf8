import type { Context } from 'hono'
import type { AuditEvent } from '../core/audit'
import { auditQuery } from '../db/audit'
import type { AppEnv } from '../env'
import { auditStamp } from '../lib/request-scope'

/**
 * Records an auth event without holding up the answer: the write runs after the
 * response through `waitUntil`, and a failure to write it is logged, never shown to the caller.
 */
export function auditLater(c: Context<AppEnv>, event: AuditEvent): void {
  const write = auditQuery(c.var.db, auditStamp(c), event)
    .execute()
    .then(
      () => undefined,
      (error: Error) => console.error(JSON.stringify({ level: 'error', request_id: c.var.requestId, reason: `audit write failed: ${error.message}` })),
    )
  c.executionCtx.waitUntil(write)
}
