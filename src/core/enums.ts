// The API's closed vocabularies, as plain tuples. The zod schemas build their enums from them and the
// console (web/console) imports this same module for its menus and labels, so the two cannot drift.
// It imports nothing: the console bundles these few arrays and never zod.

export const GENDERS = ['male', 'female', 'other'] as const
export type Gender = (typeof GENDERS)[number]

export const BLOOD_GROUPS = ['A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-'] as const
export type BloodGroup = (typeof BLOOD_GROUPS)[number]

/** The platform's roles: `admin` opens /api/admin/. */
export const ROLES = ['user', 'admin'] as const
export type Role = (typeof ROLES)[number]

/** A member's role in one clinic; core/permissions.ts says what each may do. */
export const CLINIC_ROLES = ['admin', 'clinician', 'front_desk'] as const
export type ClinicRole = (typeof CLINIC_ROLES)[number]

/** A membership's state in its clinic: removed members keep their history, and an invitation brings them back. */
export const MEMBER_STATUSES = ['active', 'removed'] as const
export type MemberStatus = (typeof MEMBER_STATUSES)[number]

/** The `status` filter of the clinic's member list: one state, or `all`. */
export const MEMBER_STATUS_FILTERS = [...MEMBER_STATUSES, 'all'] as const

/**
 * The `status` filter of the administrators' account list. `active` and `inactive` are the
 * account's own state; `locked` is any account, active or not, that a login lockout now holds.
 */
export const USER_STATUSES = ['active', 'inactive', 'locked'] as const
export type UserStatus = (typeof USER_STATUSES)[number]

/** The `is_available` filter of the doctor list, and `is_active` of the assignment list, as query text. */
export const FLAGS = ['true', 'false'] as const

export const PATIENT_ORDERINGS = ['name', '-name', 'created_at', '-created_at', 'date_of_birth', '-date_of_birth'] as const
export type PatientOrdering = (typeof PATIENT_ORDERINGS)[number]

export const DOCTOR_ORDERINGS = [
  'name',
  '-name',
  'experience_years',
  '-experience_years',
  'consultation_fee',
  '-consultation_fee',
  'created_at',
  '-created_at',
] as const
export type DoctorOrdering = (typeof DOCTOR_ORDERINGS)[number]

export const AUDIT_OUTCOMES = ['ok', 'denied', 'not_found'] as const
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number]

export const AUDIT_ACTIONS = [
  'patient.read',
  'patient.list',
  'patient.create',
  'patient.update',
  'patient.delete',
  'patient.history',
  'patient.access_report',
  'doctor.create',
  'doctor.update',
  'doctor.delete',
  'mapping.read',
  'mapping.list',
  'mapping.create',
  'mapping.update',
  'mapping.delete',
  'auth.login',
  'auth.login_failed',
  'auth.login_locked',
  'auth.refresh_reuse',
  'auth.password_change',
  'auth.logout_all',
  'admin.user_update',
  'admin.user_unlock',
  'admin.audit_list',
  'admin.create_admin',
  'access.denied',
  'auth.switch_clinic',
  'clinic.create',
  'clinic.update',
  'clinic.member_update',
  'clinic.member_remove',
  'clinic.invite',
  'clinic.invitation_revoke',
  'clinic.invitation_accept',
  'clinic.audit_read',
  'admin.dead_letter_replay',
  'import',
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

/**
 * The actions that disclose without changing anything: reads, lists and searches, and reads of the
 * audit trail itself. A patient's history leaves them out when asked (`reads=false`), and the access
 * report tells them from changes.
 */
export const READ_ACTIONS = [
  'patient.read',
  'patient.list',
  'patient.history',
  'patient.access_report',
  'mapping.read',
  'mapping.list',
  'admin.audit_list',
  'clinic.audit_read',
] as const satisfies readonly AuditAction[]

/** The fields a patient update may change, in the schema's order: the order an update event names them in. */
export const PATIENT_FIELDS = ['name', 'date_of_birth', 'gender', 'email', 'phone_number', 'address', 'blood_group', 'medical_history'] as const
export type PatientField = (typeof PATIENT_FIELDS)[number]

/** The fields a doctor update may change, in the schema's order. */
export const DOCTOR_FIELDS = [
  'name',
  'specialization',
  'email',
  'phone_number',
  'qualification',
  'experience_years',
  'license_number',
  'clinic_address',
  'consultation_fee',
  'is_available',
] as const
export type DoctorField = (typeof DOCTOR_FIELDS)[number]

/** The fields an assignment update may change. */
export const ASSIGNMENT_FIELDS = ['notes', 'is_active'] as const
export type AssignmentField = (typeof ASSIGNMENT_FIELDS)[number]

export const AUDIT_RESOURCE_TYPES = ['patient', 'doctor', 'mapping', 'user', 'clinic', 'invitation', 'audit_event', 'dead_letter'] as const
export type AuditResourceType = (typeof AUDIT_RESOURCE_TYPES)[number]
