import { z } from '@hono/zod-openapi'
import { MEMBER_STATUS_FILTERS, MEMBER_STATUSES } from '../core/enums'
import { CLINIC_ROLES } from '../core/permissions'
import { email, emptyAsAbsent, plainText, SAFE_INT, textOf, timestamp, WHOLE } from './common'
import { PageQuerySchema, paginated } from './pagination'

const roleOf = (description: string) =>
  z.enum(CLINIC_ROLES, { error: 'Choose admin, clinician or front_desk.' }).openapi({ description, example: 'clinician' })

const clinicName = plainText(
  z.string({ error: 'Send the name as text.' }).trim().min(1, 'Enter a name.').max(120, 'Keep the name to 120 characters or fewer.'),
).openapi({ example: 'Harbour Road Clinic' })

/** An invitation's one-time token: base64url (auth/one-time-token.ts makes 43 characters). */
export const invitationToken = () => z.string().min(1).max(64).regex(/^[\w-]*$/, 'Send the invitation token as issued.')

export const ClinicSchema = z
  .object({
    id: z.number().int().openapi({ ...WHOLE, example: 1 }),
    name: z.string().openapi({ ...textOf(120), example: 'Harbour Road Clinic' }),
    created_at: timestamp(),
    updated_at: timestamp(),
  })
  .openapi('Clinic')

export const ClinicUpdateSchema = z.strictObject({ name: clinicName }).openapi('ClinicUpdate')

/** The clinic path parameter: `/api/clinics/{id}/...`. */
export const ClinicParamSchema = z.object({
  id: z.coerce.number().int().positive().openapi({ ...SAFE_INT, param: { name: 'id', in: 'path' }, example: 1 }),
})

export const MemberParamSchema = ClinicParamSchema.extend({
  user_id: z.coerce.number().int().positive().openapi({ ...SAFE_INT, param: { name: 'user_id', in: 'path' }, example: 2 }),
})

export const InvitationParamSchema = ClinicParamSchema.extend({
  invitation_id: z.coerce.number().int().positive().openapi({ ...SAFE_INT, param: { name: 'invitation_id', in: 'path' }, example: 3 }),
})

export const MemberSchema = z
  .object({
    user_id: z.number().int().openapi({ ...WHOLE, example: 2 }),
    name: z.string().openapi({ ...textOf(150), example: 'Grace Hopper' }),
    email: z.string().openapi({ format: 'email', maxLength: 254, example: 'grace@example.com' }),
    role: roleOf("The member's role in this clinic."),
    status: z.enum(MEMBER_STATUSES).openapi({ example: 'active' }),
    added_by: z.number().int().nullable().openapi({ ...WHOLE, description: 'Who added the member (null: it came with the clinic).', example: 1 }),
    added_at: timestamp(),
  })
  .openapi('ClinicMember')

export const MemberPageSchema = paginated(MemberSchema, 'ClinicMemberPage')

export const MemberListQuerySchema = PageQuerySchema.extend({
  status: z
    .preprocess(emptyAsAbsent, z.enum(MEMBER_STATUS_FILTERS, { error: `Choose one of ${MEMBER_STATUS_FILTERS.join(', ')}.` }).default('active'))
    .openapi({ description: 'Which members: active (default), removed, or all.' }),
  role: z
    .preprocess(emptyAsAbsent, z.enum(CLINIC_ROLES, { error: `Choose one of ${CLINIC_ROLES.join(', ')}.` }).optional())
    .openapi({ description: 'Only members with this role in the clinic.', example: 'front_desk' }),
})

export const MemberUpdateSchema = z.strictObject({ role: roleOf('The new role.') }).openapi('ClinicMemberUpdate')

export const InvitationCreateSchema = z
  .strictObject({ email: email(), role: roleOf('The role the invitee joins with.') })
  .openapi('InvitationCreate')

export const InvitationSchema = z
  .object({
    id: z.number().int().openapi({ ...WHOLE, example: 3 }),
    email: z.string().openapi({ format: 'email', maxLength: 254, example: 'frontdesk@example.com' }),
    role: roleOf('The role the invitee joins with.'),
    invited_by: z.number().int().openapi({ ...WHOLE, example: 1 }),
    created_at: timestamp(),
    expires_at: timestamp(),
  })
  .openapi('Invitation')

/** The answer to a new invitation: the only time its token is ever shown. */
export const InvitationCreatedSchema = InvitationSchema.extend({
  token: z.string().openapi({ maxLength: 43, pattern: '^[\\w-]{43}$', description: 'One-time token: shown once, stored only as a hash. Valid for 7 days.', example: 'q3v8kC4r1o8m0Vb0Yw1mH2m2O0a6t3b9Xk0yJ8c7d5e' }),
  accept_url: z.string().openapi({ format: 'uri-reference', maxLength: 256, description: 'The console page that accepts it, for handing over.', example: '/console/invitations/accept#token=q3v8kC4r1o8m0Vb0Yw1mH2m2O0a6t3b9Xk0yJ8c7d5e' }),
}).openapi('InvitationCreated')

export const InvitationPageSchema = paginated(InvitationSchema, 'InvitationPage')

export const AcceptInvitationSchema = z
  .strictObject({ token: invitationToken().openapi({ description: 'The token of an invitation to your email.' }) })
  .openapi('AcceptInvitation')

export const MembershipSchema = z
  .object({
    clinic: z.object({ id: z.number().int().openapi(WHOLE), name: z.string().openapi(textOf(120)) }),
    role: roleOf('Your role in it.'),
  })
  .openapi('Membership')

export const SwitchClinicSchema = z
  .strictObject({ clinic: z.number({ error: 'Send the clinic id as a number.' }).int().positive().openapi({ ...SAFE_INT, example: 2 }) })
  .openapi('SwitchClinic')

export type Clinic = z.infer<typeof ClinicSchema>
export type Member = z.infer<typeof MemberSchema>
export type MemberListQuery = z.output<typeof MemberListQuerySchema>
export type Invitation = z.infer<typeof InvitationSchema>
export type InvitationCreated = z.infer<typeof InvitationCreatedSchema>
export type Membership = z.infer<typeof MembershipSchema>
