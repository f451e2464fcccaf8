// One way to show things: every date, phone number and enum value in the console goes through here.
import type {
  AssignmentField,
  AuditAction,
  AuditOutcome,
  AuditResourceType,
  BloodGroup,
  ClinicRole,
  DoctorField,
  FLAGS,
  Gender,
  MEMBER_STATUS_FILTERS,
  PatientField,
  Role,
  UserStatus,
} from '../../src/core/enums'

export const GENDER_LABELS: Record<Gender, string> = { male: 'Male', female: 'Female', other: 'Other' }

/** Blood groups read as themselves; the record keeps the menus complete when the API adds one. */
export const BLOOD_GROUP_LABELS: Record<BloodGroup, string> = {
  'A+': 'A+',
  'A-': 'A−',
  'B+': 'B+',
  'B-': 'B−',
  'AB+': 'AB+',
  'AB-': 'AB−',
  'O+': 'O+',
  'O-': 'O−',
}

/** The doctor list's `is_available` filter. */
export const AVAILABILITY_LABELS: Record<(typeof FLAGS)[number], string> = { true: 'Available', false: 'Not available' }

export const ROLE_LABELS: Record<Role, string> = { user: 'User', admin: 'Admin' }

export const CLINIC_ROLE_LABELS: Record<ClinicRole, string> = { admin: 'Admin', clinician: 'Clinician', front_desk: 'Front desk' }

/** The account list's `status` filter. */
export const USER_STATUS_LABELS: Record<UserStatus, string> = { active: 'Active', inactive: 'Deactivated', locked: 'Locked' }

/** The member list's `status` filter, and a member's own status. */
export const MEMBER_STATUS_LABELS: Record<(typeof MEMBER_STATUS_FILTERS)[number], string> = { active: 'Active', removed: 'Removed', all: 'All' }

/** What an audit event is about, named before its id: "Patient #12". */
export const RESOURCE_LABELS: Record<AuditResourceType, string> = {
  patient: 'Patient',
  doctor: 'Doctor',
  mapping: 'Assignment',
  user: 'User',
  clinic: 'Clinic',
  invitation: 'Invitation',
  audit_event: 'Audit log',
  dead_letter: 'Dead letter',
}

export const OUTCOME_LABELS: Record<AuditOutcome, string> = { ok: 'Done', denied: 'Refused', not_found: 'Not found' }

export const ACTION_LABELS: Record<AuditAction, string> = {
  'patient.read': 'Viewed patient',
  'patient.list': 'Listed patients',
  'patient.create': 'Added patient',
  'patient.update': 'Changed patient',
  'patient.delete': 'Deleted patient',
  'patient.history': 'Viewed history',
  'patient.access_report': 'Viewed access report',
  'doctor.create': 'Added doctor',
  'doctor.update': 'Changed doctor',
  'doctor.delete': 'Deleted doctor',
  'mapping.read': 'Viewed assignment',
  'mapping.list': 'Listed assignments',
  'mapping.create': 'Assigned doctor',
  'mapping.update': 'Changed assignment',
  'mapping.delete': 'Removed assignment',
  'auth.login': 'Signed in',
  'auth.login_failed': 'Failed sign-in',
  'auth.login_locked': 'Sign-in locked',
  'auth.refresh_reuse': 'Reused session token',
  'auth.password_change': 'Changed password',
  'auth.logout_all': 'Signed out everywhere',
  'admin.user_update': 'Changed account',
  'admin.user_unlock': 'Unlocked account',
  'admin.audit_list': 'Read the audit log',
  'admin.create_admin': 'Made an administrator',
  'access.denied': 'Refused by role',
  'auth.switch_clinic': 'Switched clinic',
  'clinic.create': 'Opened clinic',
  'clinic.update': 'Renamed clinic',
  'clinic.member_update': 'Changed member role',
  'clinic.member_remove': 'Removed member',
  'clinic.invite': 'Invited member',
  'clinic.invitation_revoke': 'Revoked invitation',
  'clinic.invitation_accept': 'Joined clinic',
  'clinic.audit_read': 'Read clinic audit log',
  'admin.dead_letter_replay': 'Replayed dead letter',
  import: 'Imported from Django',
}

/** A record's fields as a sentence names them ("Changed phone number, address"). */
export const FIELD_LABELS: Record<PatientField | DoctorField | AssignmentField, string> = {
  name: 'name',
  date_of_birth: 'date of birth',
  gender: 'gender',
  email: 'email',
  phone_number: 'phone number',
  address: 'address',
  blood_group: 'blood group',
  medical_history: 'medical history',
  specialization: 'specialization',
  qualification: 'qualification',
  experience_years: 'years of experience',
  license_number: 'licence number',
  clinic_address: 'clinic address',
  consultation_fee: 'consultation fee',
  is_available: 'availability',
  notes: 'notes',
  is_active: 'active',
}

/** The label of a value from one of the records above, or the value itself for one the console does not know yet. */
export const labelOf = <K extends string>(labels: Record<K, string>, value: string | null | undefined): string =>
  value == null ? '–' : ((labels as Record<string, string>)[value] ?? value)

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' })

/** A timestamp from the API in the browser's locale and time zone. */
export const when = (iso: string) => dateTime.format(new Date(iso))

/** A calendar date (YYYY-MM-DD, no time zone) in the browser's locale, the same style as `when`. */
export const day = (date: string) => dateOnly.format(new Date(`${date}T00:00:00Z`))

/**
 * A phone number as the API stores it: `+` and digits, with spaces and dashes gone. That one form is
 * shown everywhere; grouping the digits would need each country's numbering plan.
 */
export const phone = (value: string | null) => value ?? '–'

/** A fee as the API gives it (two decimals), in the browser's number format. */
export const fee = (value: string | null) =>
  value === null ? '–' : Number(value).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })

export const yesNo = (value: boolean) => (value ? 'Yes' : 'No')
