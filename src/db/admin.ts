import { nowSeconds } from '../auth/tokens'
import { ApiError } from '../lib/errors'
import { fetchPage } from '../lib/pagination'
import type { Compilable } from 'kysely'
import type { AdminUser, AdminUserListQuery, AdminUserUpdate, AuditListQuery } from '../schemas/admin'
import { auditQueryIf, type AuditStamp } from './audit'
import { batch, type Db } from './client'
import type { UsersTable } from './schema'
import { containsText } from './sql'

const ADMIN_USER_COLUMNS = ['id', 'name', 'email', 'date_joined', 'role', 'is_active'] as const

const forbidden = () => new ApiError(403, 'permission_denied', 'Only administrators may do this.')

/** Rows only when `userId` is an active administrator: run in the same batch as the admin's work. */
const adminCheck = (db: Db, userId: number) =>
  db.kysely.selectFrom('users').select('id').where('id', '=', userId).where('role', '=', 'admin').where('is_active', '=', 1)

function toAdminUser(row: Pick<UsersTable, 'name' | 'email'> & { id: number; date_joined: string; role: 'user' | 'admin'; is_active: number }): AdminUser {
  return { ...row, is_active: row.is_active === 1 }
}

export async function listUsers(db: Db, adminId: number, { search, ...page }: AdminUserListQuery) {
  let query = db.kysely.selectFrom('users').select(ADMIN_USER_COLUMNS)
  if (search) query = query.where((eb) => eb.or([containsText('name', search), containsText('email', search)]))
  const { count, rows, checked } = await fetchPage(db, query.orderBy('id', 'desc'), page, adminCheck(db, adminId))
  if (checked.length === 0) throw forbidden()
  return { count, results: rows.map(toAdminUser) }
}

/**
 * Changes a user's role or active flag, in one atomic batch with the admin check, the revocation
 * of the user's refresh tokens when deactivated, and the audit event. Admins cannot change themselves,
 * so the last admin cannot lock everyone out.
 */
export async function updateUser(db: Db, adminId: number, userId: number, changes: AdminUserUpdate, stamp: AuditStamp): Promise<AdminUser> {
  const toSelf = userId === adminId
  const isAdmin = () => adminCheck(db, adminId)
  const target = db.kysely.selectFrom('users').select(ADMIN_USER_COLUMNS).where('id', '=', userId)
  const writes: Compilable<unknown>[] = []
  if (!toSelf && (changes.role !== undefined || changes.is_active !== undefined)) {
    const targetExists = isAdmin().where(({ exists }) => exists(db.kysely.selectFrom('users').select('id').where('id', '=', userId)))
    writes.push(
      db.kysely
        .updateTable('users')
        .set({ role: changes.role, is_active: changes.is_active === undefined ? undefined : Number(changes.is_active) })
        .where('id', '=', userId)
        .where(({ exists }) => exists(isAdmin())),
      auditQueryIf(db, stamp, { action: 'admin.user_update', resourceType: 'user', resourceId: userId, outcome: 'ok' }, targetExists),
    )
  }
  if (!toSelf && changes.is_active === false) {
    writes.push(
      db.kysely
        .updateTable('refresh_tokens')
        .set({ revoked_at: nowSeconds() })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where(({ exists }) => exists(isAdmin())),
    )
  }
  const results = await batch(db, [isAdmin(), ...writes, target])
  const [admin, user] = [results[0], results[results.length - 1][0] as Parameters<typeof toAdminUser>[0] | undefined]
  if (admin.length === 0) throw forbidden()
  if (toSelf && Object.keys(changes).length > 0) {
    const message = 'You cannot change your own role or active state.'
    throw new ApiError(400, 'validation_error', message, { details: { non_field_errors: [message] } })
  }
  if (!user) throw new ApiError(404, 'not_found', 'User was not found.')
  return toAdminUser(user)
}

/** The audit trail, newest first, filtered by actor, action (`patient.*` for a family), resource and time. */
export async function listAuditEvents(db: Db, adminId: number, { actor, action, resource, since, until, ...page }: AuditListQuery) {
  let query = db.kysely.selectFrom('audit_events').selectAll()
  if (actor !== undefined) query = query.where('actor_id', '=', actor)
  if (action?.endsWith('.*')) query = query.where('action', 'like', `${action.slice(0, -1)}%`)
  else if (action) query = query.where('action', '=', action)
  if (resource) {
    const [type, id] = resource.split(':')
    query = query.where('resource_type', '=', type)
    if (id) query = query.where('resource_id', '=', Number(id))
  }
  if (since) query = query.where('occurred_at', '>=', utcSeconds(since))
  if (until) query = query.where('occurred_at', '<', utcSeconds(until))
  const { count, rows, checked } = await fetchPage(db, query.orderBy('id', 'desc'), page, adminCheck(db, adminId))
  if (checked.length === 0) throw forbidden()
  return { count, results: rows }
}

/** Any ISO-8601 time in the stored form (UTC, whole seconds), so text comparison is time comparison. */
const utcSeconds = (time: string) => `${new Date(time).toISOString().slice(0, 19)}Z`
