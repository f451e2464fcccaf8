import { z } from '@hono/zod-openapi'
import { email, timestamp, WHOLE } from './common'
import { ROLES } from '../core/enums'

/** A JWT as this API signs it; far shorter in practice. */
const TOKEN = { maxLength: 2048, pattern: '^[\\w-]+\\.[\\w-]+\\.[\\w-]+$' } as const

export const UserSchema = z
  .object({
    id: z.number().int().openapi({ ...WHOLE, example: 1 }),
    name: z.string().openapi({ maxLength: 150, example: 'Ada Lovelace' }),
    email: z.string().openapi({ format: 'email', maxLength: 254, example: 'ada@example.com' }),
    date_joined: timestamp(),
  })
  .openapi('User')

const password = z.string().max(128).openapi({ format: 'password', example: 'correct-horse-battery' })

export const RegisterSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(150).openapi({ example: 'Ada Lovelace' }),
    email: email(),
    password,
    password2: password.optional().openapi({ description: 'When sent, must equal `password`.' }),
  })
  .openapi('RegisterRequest')

export const RegisteredSchema = z.object({ user: UserSchema }).openapi('Registered')

export const LoginSchema = z
  .strictObject({
    email: z.string().trim().toLowerCase().max(254).openapi({ example: 'ada@example.com' }),
    password: z.string().max(1024).openapi({ format: 'password', example: 'correct-horse-battery' }),
  })
  .openapi('LoginRequest')

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
}).openapi('LoginResult')

export const RefreshSchema = z.strictObject({ refresh: z.string().min(1).openapi({ maxLength: TOKEN.maxLength, description: 'The refresh token of the last login or refresh.' }) }).openapi('RefreshRequest')

export const ChangePasswordSchema = z
  .strictObject({ old_password: z.string().max(1024), new_password: password })
  .openapi('ChangePasswordRequest')

export type User = z.infer<typeof UserSchema>

/** The signed-in user as `GET /api/auth/me/` shows it: with its role, so a client knows whether the admin routes are open to it. */
export const MeSchema = UserSchema.extend({
  role: z.enum(ROLES).openapi({ example: 'user' }),
}).openapi('Me')

export type Me = z.infer<typeof MeSchema>
