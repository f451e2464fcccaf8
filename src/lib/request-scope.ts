import type { Context } from 'hono'
import type { AuditStamp } from '../core/audit'
import type { Scope } from '../db/scope'
import type { AppEnv } from '../env'
import { clientIp } from './client-ip'

/** The audit stamp of this request: the signed-in user (if any), the server's and the client's request ids, and the client's IP. */
export function auditStamp(c: Context<AppEnv>): AuditStamp {
  return { actorId: c.var.userId ?? null, requestId: c.var.requestId, clientIp: clientIp(c), clientRequestId: c.var.clientRequestId ?? null }
}

/** What the query functions of a signed-in request are bound to (`patientsRepo(scopeOf(c))`). */
export const scopeOf = (c: Context<AppEnv>): Scope => ({ db: c.var.db, stamp: auditStamp(c), userId: c.var.userId })
