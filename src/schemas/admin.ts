import { z } from '@hono/zod-openapi'
import { PageQuerySchema, paginated } from './pagination'
import { UserSchema } from './auth'
import { timestamp, WHOLE } from './common'

export const AdminUserSchema = UserSchema.extend({
  role: z.enum(['user', 'admin']).openapi({ example: 'user' }),
  is_active: z.boolean().openapi({ example: true }),
}).openapi('AdminUser')

export const AdminUserPageSchema = paginated(AdminUserSchema, 'AdminUserPage')

export const AdminUserListQuerySchema = PageQuerySchema.extend({
  search: z.string().trim().max(254).optional().openapi({ description: 'Case-insensitive part of the name or email.' }),
})

export const AdminUserUpdateSchema = z
  .strictObject({
    is_active: z.boolean({ error: 'Must be true or false.' }).optional(),
    role: z.enum(['user', 'admin'], { error: 'Choose user or admin.' }).optional(),
  })
  .openapi('AdminUserUpdate')

export const AuditEventSchema = z
  .object({
    id: z.number().int().openapi(WHOLE),
    occurred_at: timestamp(),
    actor_id: z.number().int().nullable().openapi({ ...WHOLE, description: 'The signed-in user, or null.' }),
    action: z.string().openapi({ maxLength: 64, example: 'patient.update' }),
    resource_type: z.string().openapi({ maxLength: 64, example: 'patient' }),
    resource_id: z.number().int().nullable().openapi({ ...WHOLE, example: 42 }),
    outcome: z.enum(['ok', 'denied', 'not_found']),
    request_id: z.string().openapi({ maxLength: 128 }),
    client_ip: z.string().nullable().openapi({ maxLength: 45, description: 'IPv4 or IPv6 address of the caller, when known.' }),
  })
  .openapi('AuditEvent')

export const AuditEventPageSchema = paginated(AuditEventSchema, 'AuditEventPage')

const isoTime = z.iso.datetime({ offset: true, error: 'Use an ISO-8601 time such as 2026-01-05T10:35:00Z.' })

export const AuditListQuerySchema = PageQuerySchema.extend({
  actor: z.coerce.number().int().positive().optional().openapi({ format: 'int64', maximum: Number.MAX_SAFE_INTEGER, description: 'Only events by this user id.' }),
  action: z
    .string()
    .regex(/^[a-z_]+(\.([a-z_]+|\*))?$/, { error: 'Use an action such as patient.read, or patient.* for a family.' })
    .optional()
    .openapi({ maxLength: 64, example: 'patient.*' }),
  resource: z
    .string()
    .regex(/^[a-z_]+(:[1-9]\d*)?$/, { error: 'Use a resource type such as patient, or patient:42 for one record.' })
    .optional()
    .openapi({ maxLength: 64, example: 'patient:42' }),
  since: isoTime.optional().openapi({ maxLength: 64, description: 'Only events at or after this time.' }),
  until: isoTime.optional().openapi({ maxLength: 64, description: 'Only events before this time.' }),
})

export type AdminUser = z.infer<typeof AdminUserSchema>
export type AdminUserUpdate = z.infer<typeof AdminUserUpdateSchema>
export type AuditListQuery = z.output<typeof AuditListQuerySchema>
export type AdminUserListQuery = z.output<typeof AdminUserListQuerySchema>
export type AuditEventItem = z.infer<typeof AuditEventSchema>
