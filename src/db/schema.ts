import type { Generated, Selectable } from 'kysely'
import type { AuditOutcome } from '../core/audit'
import type { ClinicRole, Role } from '../core/enums'

/** Timestamps are stored as ISO-8601 UTC text (`2026-01-05T10:35:00Z`), which sorts chronologically. */
type Timestamp = string

/** SQLite has no boolean type: 0 or 1. */
type Flag = number

export interface UsersTable {
  id: Generated<number>
  name: string
  email: string
  password_hash: string
  date_joined: Generated<Timestamp>
  role: Generated<Role>
  is_active: Generated<Flag>
  /** Bumped to end every token of the account (tokens carry it as `gen`). */
  token_generation: Generated<number>
}

export type { Role }

/** One login attempt, reserved before the password is checked (migration 0007). */
export interface LoginAttemptsTable {
  id: Generated<number>
  /** The email as sent, known or not. */
  account: string
  /** The client network: an IPv6 /64 or an IPv4 address. */
  network: string
  /** Unix seconds. */
  attempted_at: number
}

export interface RefreshTokensTable {
  jti: string
  user_id: number
  /** Unix seconds. */
  expires_at: number
  /** Unix seconds; set when the token is rotated, logged out or revoked. */
  revoked_at: number | null
  /** The jti of the token issued when this one was rotated. */
  replaced_by: string | null
}

export interface CommonPasswordsTable {
  password: string
}

export interface PatientsTable {
  id: Generated<number>
  clinic_id: number
  created_by: number
  name: string
  date_of_birth: string
  gender: 'male' | 'female' | 'other'
  email: string | null
  phone_number: string | null
  address: string | null
  blood_group: string | null
  medical_history: string | null
  version: Generated<number>
  created_at: Generated<Timestamp>
  updated_at: Generated<Timestamp>
}

export interface DoctorsTable {
  id: Generated<number>
  created_by: number
  name: string
  specialization: string
  email: string | null
  phone_number: string | null
  qualification: string | null
  experience_years: number | null
  license_number: string | null
  clinic_address: string | null
  consultation_fee_cents: number | null
  is_available: Generated<Flag>
  version: Generated<number>
  created_at: Generated<Timestamp>
  updated_at: Generated<Timestamp>
}

export interface AssignmentsTable {
  id: Generated<number>
  patient_id: number
  doctor_id: number
  notes: string | null
  is_active: Generated<Flag>
  assigned_by: number
  version: Generated<number>
  assigned_at: Generated<Timestamp>
  updated_at: Generated<Timestamp>
}

export interface AuditEventsTable {
  id: Generated<number>
  occurred_at: Generated<Timestamp>
  actor_id: number | null
  action: string
  resource_type: string
  resource_id: number | null
  outcome: AuditOutcome
  request_id: string
  client_ip: string | null
  client_request_id: string | null
  /** Made by the server; NULL on events written before migration 0006. */
  event_id: string | null
  /** JSON: what the request asked for (a list's query parameters), or what changed (roles before and after). */
  detail: string | null
  /** The clinic the request acted in; NULL outside any clinic and before migration 0008. */
  clinic_id: number | null
  /** The actor's role in that clinic at that moment. */
  actor_role: ClinicRole | null
}

export interface ClinicsTable {
  id: Generated<number>
  name: string
  version: Generated<number>
  created_at: Generated<Timestamp>
  updated_at: Generated<Timestamp>
}



export interface ClinicMembersTable {
  clinic_id: number
  user_id: number
  role: ClinicRole
  status: Generated<'active' | 'removed'>
  added_by: number | null
  added_at: Generated<Timestamp>
  last_used_at: Timestamp | null
}

export interface ClinicInvitationsTable {
  id: Generated<number>
  clinic_id: number
  email: string
  role: ClinicRole
  /** SHA-256 (hex) of the one-time token. */
  token_hash: string
  invited_by: number
  created_at: Generated<Timestamp>
  expires_at: Timestamp
  accepted_at: Timestamp | null
  accepted_by: number | null
  revoked_at: Timestamp | null
}

export interface AuditEventResourcesTable {
  event_id: string
  resource_type: string
  resource_id: number
}

export interface Database {
  clinics: ClinicsTable
  clinic_members: ClinicMembersTable
  clinic_invitations: ClinicInvitationsTable
  audit_events: AuditEventsTable
  audit_event_resources: AuditEventResourcesTable
  users: UsersTable
  refresh_tokens: RefreshTokensTable
  login_attempts: LoginAttemptsTable
  common_passwords: CommonPasswordsTable
  patients: PatientsTable
  doctors: DoctorsTable
  mappings: AssignmentsTable
}

export type UserRow = Selectable<UsersTable>
export type PatientRow = Selectable<PatientsTable>
export type DoctorRow = Selectable<DoctorsTable>
export type AssignmentRow = Selectable<AssignmentsTable>
export type AuditEventRow = Selectable<AuditEventsTable>
