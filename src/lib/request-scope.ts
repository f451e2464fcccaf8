import type { Context } from 'hono'
import type { AuditStamp } from '../core/audit'
import type { AppEnv } from '../env'
import { clientIp } from './client-ip'

/**
 * The audit stamp of this request: the signed-in user (if any), the clinic it acts in and its role
 * there (once read), the server's and the client's request ids, and the client's IP.
 */
export function auditStamp(c: Context<AppEnv>): AuditStamp {
  return {
    actorId: c.var.userId ?? null,
    clinicId: c.var.member?.clinicId ?? null,
    actorRole: c.var.member?.role ?? null,
    requestId: c.var.requestId,
    clientIp: clientIp(c),
    clientRequestId: c.var.clientRequestId ?? null,
  }
}

