import { z } from '@hono/zod-openapi'
import { invitationToken, MembershipSchema } from './clinics'
import { email, plainText, textOf, timestamp, WHOLE } from './common'
import { CLINIC_ROLES, ROLES } from '../core/enums'

/** A JWT as this API signs it; far shorter in practice. */
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/
const TOKEN = { maxLength: 2048, pattern: JWT.source } as const

export const UserSchema = z
  .object({
    id: z.number().int().openapi({ ...WHOLE, example: 1 }),
    name: z.string().openapi({ ...textOf(150), example: 'Ada Lovelace' }),
    email: z.string().openapi({ format: 'email', maxLength: 254, example: 'ada@example.com' }),
    date_joined: timestamp(),
  })
  .openapi('User')

const password = z.string().max(128).openapi({ format: 'password', example: 'correct-horse-battery' })

export const RegisterSchema = z
  .strictObject({
    name: plainText(z.string().trim().min(1).max(150)).openapi({ example: 'Ada Lovelace' }),
    email: email(),
    password,
    password2: password.optional().openapi({ description: 'When sent, must equal `password`.' }),
    clinic_name: plainText(z.string().trim().min(1).max(120))
      .optional()
      .openapi({ description: "The name of the clinic the account opens as its admin (default: \"<name>'s clinic\"). Ignored with `invitation`.", example: 'Harbour Road Clinic' }),
    invitation: invitationToken()
      .optional()
      .openapi({ description: 'The token of an invitation to this email: the account joins that clinic with the invited role instead of opening its own. An unusable token is a 404.' }),
  })
  .openapi('RegisterRequest')

export const RegisteredSchema = z.object({ user: UserSchema }).openapi('Registered')

export const LoginSchema = z
  .strictObject({
    // Not validated as an address: anything that is no account's email is the same 401 as an unknown one, as in Django.
    email: z.string().trim().toLowerCase().max(254).openapi({ format: 'email', example: 'ada@example.com' }),
    password: z.string().max(1024).openapi({ format: 'password', example: 'correct-horse-battery' }),
    clinic: z
      .number({ error: 'Send the clinic id as a number.' })
      .int()
      .positive()
      .optional()
      .openapi({ format: 'int64', maximum: Number.MAX_SAFE_INTEGER, description: 'Sign in to this clinic of yours (404 if you are not an active member); default: the one used last.' }),
  })
  .openapi('LoginRequest')

export type LoginRequest = z.output<typeof LoginSchema>

export const TokenPairSchema = z
  .object({
    access: z.string().openapi({ ...TOKEN, description: 'Access token (JWT), sent as `Authorization: Bearer <access>`.' }),
    refresh: z.string().openapi({ ...TOKEN, description: 'Refresh token (JWT), single use: each refresh returns a new one.' }),
  })
  .openapi('TokenPair')

export const LoginResultSchema = TokenPairSchema.extend({
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().openapi({ ...WHOLE, description: 'Seconds until the access token expires.', example: 3600 }),
  user: UserSchema,
  clinic: MembershipSchema.nullable().openapi({ description: 'The clinic the tokens act in, and your role there; null when the account is in none.' }),
}).openapi('LoginResult')

export const SwitchedSchema = TokenPairSchema.extend({
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().openapi({ ...WHOLE, description: 'Seconds until the access token expires.', example: 3600 }),
  clinic: MembershipSchema,
}).openapi('Switched')

/** The console's sign-in (POST /api/auth/session/): a login result whose refresh token went into a cookie. */
export const SessionSchema = LoginResultSchema.omit({ refresh: true }).openapi('Session')

export const SessionRenewedSchema = SwitchedSchema.omit({ refresh: true, clinic: true }).openapi('SessionRenewed')

export const SessionSwitchedSchema = SwitchedSchema.omit({ refresh: true }).openapi('SessionSwitched')

export const RefreshSchema = z
  .strictObject({
    refresh: z
      .string()
      .min(1)
      .max(TOKEN.maxLength)
      .openapi({ format: 'jwt', description: 'The refresh token of the last login or refresh. Any other text is a 401 `token_not_valid`, as an expired token is.' }),
  })
  .openapi('RefreshRequest')

export const ChangePasswordSchema = z
  .strictObject({ old_password: z.string().max(1024).openapi({ format: 'password' }), new_password: password })
  .openapi('ChangePasswordRequest')

export type User = z.infer<typeof UserSchema>

/** The signed-in user as `GET /api/auth/me/` shows it: with its role, so a client knows whether the admin routes are open to it. */
export const MeSchema = UserSchema.extend({
  role: z.enum(ROLES).openapi({ description: "The platform role: admin opens /api/admin/. A clinic role is under `clinic_role`.", example: 'user' }),
  clinic: z
    .object({ id: z.number().int().openapi(WHOLE), name: z.string().openapi(textOf(120)) })
    .nullable()
    .openapi({ description: 'The clinic this access token acts in.' }),
  clinic_role: z.enum(CLINIC_ROLES).nullable().openapi({ description: 'Your role in that clinic, as it is now.', example: 'clinician' }),
  clinics: z.array(MembershipSchema).max(1000).openapi({ description: 'Every clinic you are an active member of, the one used last first.' }),
}).openapi('Me')

export type Me = z.infer<typeof MeSchema>
