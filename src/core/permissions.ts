/**
 * Who may do what in a clinic: one table, read by every route (routes/signed-in.ts) and printed in
 * docs/clinics.md. A member has one role in each clinic they belong to; a permission lists the
 * roles that hold it. HIPAA's "minimum necessary" rule is why the front desk never sees medical
 * history: the field is absent from every answer to them, and sending it is refused.
 */
import { CLINIC_ROLES, type ClinicRole } from './enums'

export { CLINIC_ROLES, type ClinicRole }

const EVERYONE = CLINIC_ROLES
const CARE = ['admin', 'clinician'] as const
const ADMIN = ['admin'] as const

export const PERMISSIONS = {
  /** Read patients (list, search, one record, a patient's doctors and history). */
  'patient.read': EVERYONE,
  /** Create and edit patients' fields other than medical history. */
  'patient.write': EVERYONE,
  /** Delete a patient. */
  'patient.delete': CARE,
  /** See and write `medical_history`, wherever a patient appears. */
  'patient.medical_history': CARE,
  /** Read, create, change and remove doctor assignments. */
  'assignment.read': EVERYONE,
  'assignment.write': EVERYONE,
  /** The doctor directory, shared by every clinic; only a doctor's creator changes it. */
  'doctor.read': EVERYONE,
  'doctor.write': EVERYONE,
  /** See the clinic's name. */
  'clinic.read': EVERYONE,
  /** Rename the clinic; list, change and remove members; invite and revoke invitations. */
  'clinic.manage': ADMIN,
  /** Read the clinic's audit log. */
  'clinic.audit': ADMIN,
} as const satisfies Record<string, readonly ClinicRole[]>

export type Permission = keyof typeof PERMISSIONS

export const rolesWith = (permission: Permission): readonly ClinicRole[] => PERMISSIONS[permission]

export const may = (role: ClinicRole, permission: Permission): boolean => rolesWith(permission).includes(role)

/** Words for the table in the docs and in refusals. */
export const PERMISSION_WORDS: Record<Permission, string> = {
  'patient.read': 'read patients',
  'patient.write': 'create and edit patients',
  'patient.delete': 'delete patients',
  'patient.medical_history': 'see and write medical history',
  'assignment.read': 'read doctor assignments',
  'assignment.write': 'change doctor assignments',
  'doctor.read': 'read the doctor directory',
  'doctor.write': 'add and change doctors they added',
  'clinic.read': "see the clinic's name",
  'clinic.manage': 'manage the clinic, its members and invitations',
  'clinic.audit': "read the clinic's audit log",
}

/**
 * Thrown when the signed-in member's role lacks a permission the request needs (checked by the
 * database in the request's first round trip, so nothing the request would write is written).
 * `field` names the body field that needed it, when one did.
 */
export class PermissionDeniedError extends Error {
  override readonly name = 'PermissionDeniedError'
  constructor(
    readonly permission: Permission,
    readonly role: ClinicRole | null,
    readonly field?: string,
  ) {
    super(
      field
        ? `Your role in this clinic may not ${PERMISSION_WORDS[permission]}: leave out ${field}.`
        : role
          ? `Your role in this clinic may not ${PERMISSION_WORDS[permission]}.`
          : 'Join a clinic first: this account is not an active member of any.',
    )
  }
}
