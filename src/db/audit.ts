import type { Db } from './client'
import type { AuditOutcome } from './schema'

export type AuditAction =
  | 'patient.read'
  | 'patient.create'
  | 'patient.update'
  | 'patient.delete'
  | 'patient.history'
  | 'doctor.create'
  | 'doctor.update'
  | 'doctor.delete'
  | 'mapping.read'
  | 'mapping.create'
  | 'mapping.update'
  | 'mapping.delete'
  | 'auth.register'
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.login_locked'
  | 'auth.refresh_reuse'
  | 'auth.password_change'
  | 'admin.user_update'

/** Who did it and from where: the request's part of every audit event. */
export interface AuditStamp {
  actorId: number | null
  requestId: string
  clientIp: string | null
}

/** What happened: never a patient field, only the kind of record and its id. */
export interface AuditEvent {
  action: AuditAction
  resourceType: 'patient' | 'doctor' | 'mapping' | 'user'
  resourceId: number | null
  outcome: AuditOutcome
}

/** The INSERT for one audit event, to run in the same `batch()` as the change it records. */
export function auditQuery(db: Db, stamp: AuditStamp, event: AuditEvent) {
  return db.kysely.insertInto('audit_events').values({
    actor_id: stamp.actorId,
    action: event.action,
    resource_type: event.resourceType,
    resource_id: event.resourceId,
    outcome: event.outcome,
    request_id: stamp.requestId,
    client_ip: stamp.clientIp,
  })
}
