export type AuditAction =
  | 'patient.read'
  | 'patient.list'
  | 'patient.create'
  | 'patient.update'
  | 'patient.delete'
  | 'patient.history'
  | 'doctor.create'
  | 'doctor.update'
  | 'doctor.delete'
  | 'mapping.read'
  | 'mapping.list'
  | 'mapping.create'
  | 'mapping.update'
  | 'mapping.delete'
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.login_locked'
  | 'auth.refresh_reuse'
  | 'auth.password_change'
  | 'admin.user_update'

export type AuditOutcome = 'ok' | 'denied' | 'not_found'

export type AuditResourceType = 'patient' | 'doctor' | 'mapping' | 'user'

/** Who did it and from where: the request's part of every audit event. */
export interface AuditStamp {
  actorId: number | null
  requestId: string
  clientIp: string | null
}

/** What happened: never a patient field, only the kind of record and its id. */
export interface AuditEvent {
  action: AuditAction
  resourceType: AuditResourceType
  resourceId: number | null
  outcome: AuditOutcome
}

/**
 * An answer that disclosed patient data (or refused to): the event, every patient it named, and
 * what was asked (a list's query parameters).
 */
export interface Disclosure extends AuditEvent {
  patients: readonly number[]
  detail?: Record<string, unknown>
}

/**
 * A disclosure as it travels through the audit queue to the consumer that writes it to D1. `event_id`
 * is made by the server and unique in D1, so a redelivered message inserts nothing twice.
 */
export interface AuditMessage {
  event_id: string
  occurred_at: string
  actor_id: number | null
  action: AuditAction
  resource_type: AuditResourceType
  resource_id: number | null
  outcome: AuditOutcome
  request_id: string
  client_ip: string | null
  detail: string | null
  patients: number[]
}

/** The queue message of a disclosure made under `stamp`, at `occurredAt` (ISO-8601 UTC, whole seconds). */
export function auditMessage(stamp: AuditStamp, disclosure: Disclosure, occurredAt: string): AuditMessage {
  return {
    event_id: crypto.randomUUID(),
    occurred_at: occurredAt,
    actor_id: stamp.actorId,
    action: disclosure.action,
    resource_type: disclosure.resourceType,
    resource_id: disclosure.resourceId,
    outcome: disclosure.outcome,
    request_id: stamp.requestId,
    client_ip: stamp.clientIp,
    detail: disclosure.detail ? JSON.stringify(disclosure.detail) : null,
    patients: [...new Set(disclosure.patients)],
  }
}
