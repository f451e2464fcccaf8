// The API's own types, inferred from the zod schemas that validate and document it, so the console
// cannot drift from the API. Type-only: nothing of src/ is bundled into the console.
export type { AdminUser, AuditEventItem as AuditEvent } from '../../src/schemas/admin'
export type { Assignment, PatientDoctors } from '../../src/schemas/assignments'
export type { Me, User } from '../../src/schemas/auth'
export type { Invitation, InvitationCreated, Member, Membership } from '../../src/schemas/clinics'
export type { Doctor } from '../../src/schemas/doctors'
export type { Page } from '../../src/schemas/pagination'
export type { HistoryEvent, Patient } from '../../src/schemas/patients'
