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
