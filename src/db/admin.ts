import { sql, type ExpressionBuilder, type RawBuilder, type SelectQueryBuilder } from 'kysely'
import { nowSeconds, utcTextAt } from '../core/clock'
import { NON_FIELD } from '../core/error-codes'
import { LOCKOUT } from '../core/lockout'
import type { Outcome } from '../core/refusal'
import type { AdminUser, AdminUserListQuery, AdminUserUpdate, AuditEventItem, AuditListQuery } from '../schemas/admin'
import { auditQueryIf, newEventId } from './audit'
import { auditEventsQuery } from './audit-list'
import { batch, type Db } from './client'
import { lockEnds } from './login-attempts'
import { fetchPage } from './page'
import type { Database, UsersTable } from './schema'
import type { Scope } from './scope'
import { containsText } from './sql'

const ADMIN_USER_COLUMNS = ['id', 'name', 'email', 'date_joined', 'role', 'is_active'] as const

/** Rows only when `userId` is an active administrator: run in the same batch as the admin's work. */
export const adminCheck = (db: Db, userId: number) =>
  db.kysely.selectFrom('users').select('id').where('id', '=', userId).where('role', '=', 'admin').where('is_active', '=', 1)

/** An account as administrators see it, with its login lockout as of `now` (see `toAdminUser`). */
const adminUserColumns = (eb: ExpressionBuilder<Database, 'users'>, now: number) => {
  const ends = lockEnds(eb, now)
  return [...ADMIN_USER_COLUMNS, ends.network.as('network_locked_until'), ends.account.as('account_locked_until')] as const
}

type AdminUserRow = Pick<UsersTable, 'name' | 'email'> & {
  id: number
  date_joined: string
  role: 'user' | 'admin'
  is_active: number
  network_locked_until: number | null
  account_locked_until: number | null
}

function toAdminUser({ is_active, network_locked_until, account_locked_until, ...row }: AdminUserRow): AdminUser {
  const ends = [network_locked_until, account_locked_until].filter((end) => end !== null)
  return {
    ...row,
    is_active: is_active === 1,
    locked_until: ends.length ? utcTextAt(Math.max(...ends)) : null,
    locked_everywhere: account_locked_until !== null,
  }
}

/** Administration: every query first proves, in the same batch, that the caller is an active administrator ('denied' otherwise). */
export function adminRepo({ db, stamp, userId: adminId }: Scope) {
  return {
    listUsers: (query: AdminUserListQuery) => listUsers(db, adminId, query),
    findUser: (userId: number) => findUser(db, adminId, userId),
    updateUser: (userId: number, changes: AdminUserUpdate) => updateUser(db, adminId, userId, changes, stamp),
    listAuditEvents: (query: AuditListQuery) => listAuditEvents(db, adminId, query),
    unlockUser: (userId: number) => unlockUser(db, adminId, userId, stamp),
  }
}

type Listed<T> = Outcome<{ count: number; results: T[] }>

async function listUsers(db: Db, adminId: number, { search, role, status, ...page }: AdminUserListQuery): Promise<Listed<AdminUser>> {
  const now = nowSeconds()
  let query = db.kysely.selectFrom('users').select((eb) => adminUserColumns(eb, now))
  if (search) query = query.where((eb) => eb.or([containsText('name', search), containsText('email', search)]))
  if (role) query = query.where('role', '=', role)
  if (status === 'active' || status === 'inactive') query = query.where('is_active', '=', status === 'active' ? 1 : 0)
  if (status === 'locked') {
    query = query.where((eb) => {
      const ends = lockEnds(eb, now)
      return eb.and([
        // Only accounts that failed within the longest window can be locked: SQLite starts from
        // those few (by the attempt-time index) and seeks each account by email, not from every account.
        eb('email', 'in', eb.selectFrom('login_attempts').select('account').where('attempted_at', '>=', now - LOCKOUT.accountWindowSeconds)),
        eb.or([eb(ends.network, 'is not', null), eb(ends.account, 'is not', null)]),
      ])
    })
  }
  const { count, rows, checked } = await fetchPage(db, query.orderBy('id', 'desc'), page, adminCheck(db, adminId))
  if (checked.length === 0) return { refused: 'denied' }
  return { count, results: rows.map(toAdminUser) }
}

/** One account, as the list shows it. */
async function findUser(db: Db, adminId: number, userId: number): Promise<Outcome<AdminUser>> {
  const now = nowSeconds()
  const { admin, target } = await batch(db, {
    admin: adminCheck(db, adminId),
    target: db.kysely.selectFrom('users').select((eb) => adminUserColumns(eb, now)).where('id', '=', userId),
  })
  if (admin.length === 0) return { refused: 'denied' }
  return target[0] ? toAdminUser(target[0]) : { refused: 'not_found' }
}

/**
 * Changes a user's role or active flag, in one atomic batch with the admin check, the revocation
 * of the user's refresh tokens when deactivated, and the audit event. Admins cannot change themselves,
 * so the last admin cannot lock everyone out.
 */
/**
 * The `admin.user_update` event of a change, written only when `condition` returns a row: its
 * `detail` names each field sent with the account's value before the change and the new one
 * (`{"changes": {"role": {"old": "user", "new": "admin"}}}`), so it must run before the UPDATE.
 */
function userUpdateAuditQuery(db: Db, stamp: Scope['stamp'], userId: number, changes: AdminUserUpdate, condition: SelectQueryBuilder<Database, keyof Database, unknown>) {
  const asJson = (flag: boolean) => sql`json(${flag ? 'true' : 'false'})`
  const fields: RawBuilder<unknown>[] = []
  if (changes.role !== undefined) fields.push(sql`'role', json_object('old', users.role, 'new', ${changes.role})`)
  if (changes.is_active !== undefined) {
    fields.push(sql`'is_active', json_object('old', json(case when users.is_active = 1 then 'true' else 'false' end), 'new', ${asJson(changes.is_active)})`)
  }
  return db.kysely
    .insertInto('audit_events')
    .columns(['event_id', 'actor_id', 'action', 'resource_type', 'resource_id', 'outcome', 'request_id', 'client_ip', 'client_request_id', 'detail'])
    .expression(
      db.kysely
        .selectFrom('users')
        .select((eb) => [
          eb.val(newEventId()).as('event_id'),
          eb.val(stamp.actorId).as('actor_id'),
          eb.val('admin.user_update').as('action'),
          eb.val('user').as('resource_type'),
          eb.val(userId).as('resource_id'),
          eb.val('ok').as('outcome'),
          eb.val(stamp.requestId).as('request_id'),
          eb.val(stamp.clientIp).as('client_ip'),
          eb.val(stamp.clientRequestId ?? null).as('client_request_id'),
          sql<string>`json_object('changes', json_object(${sql.join(fields)}))`.as('detail'),
        ])
        .where('users.id', '=', userId)
        .where(({ exists }) => exists(condition)),
    )
}

async function updateUser(db: Db, adminId: number, userId: number, changes: AdminUserUpdate, stamp: Scope['stamp']): Promise<Outcome<AdminUser>> {
  const toSelf = userId === adminId
  const isAdmin = () => adminCheck(db, adminId)
  const changesAccount = !toSelf && (changes.role !== undefined || changes.is_active !== undefined)
  const targetExists = () => isAdmin().where(({ exists }) => exists(db.kysely.selectFrom('users').select('id').where('id', '=', userId)))
  const { admin, target } = await batch(db, {
    admin: isAdmin(),
    ...(changesAccount && {
      // Before the change, so it reads the old values.
      audit: userUpdateAuditQuery(db, stamp, userId, changes, targetExists()),
      updated: db.kysely
        .updateTable('users')
        .set((eb) => ({
          role: changes.role,
          is_active: changes.is_active === undefined ? undefined : Number(changes.is_active),
          // Deactivating also ends every token of the account (the request guard checks the generation).
          token_generation: changes.is_active === false ? eb('token_generation', '+', 1) : undefined,
        }))
        .where('id', '=', userId)
        .where(({ exists }) => exists(isAdmin())),
    }),
    ...(!toSelf &&
      changes.is_active === false && {
        refreshTokens: db.kysely
          .updateTable('refresh_tokens')
          .set({ revoked_at: nowSeconds() })
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .where(({ exists }) => exists(isAdmin())),
      }),
    target: db.kysely.selectFrom('users').select((eb) => adminUserColumns(eb, nowSeconds())).where('id', '=', userId),
  })
  if (admin.length === 0) return { refused: 'denied' }
  if (toSelf && Object.keys(changes).length > 0) {
    const message = 'You cannot change your own role or active state.'
    return { refused: 'invalid', message, details: { [NON_FIELD]: [message] } }
  }
  if (!target[0]) return { refused: 'not_found' }
  return toAdminUser(target[0])
}

/**
 * Clears the login lockout of an account (its failed attempts from every network), in one batch
 * with the admin check and the audit event. 'denied' for non-admins, 'not_found' for no such account.
 */
async function unlockUser(db: Db, adminId: number, userId: number, stamp: Scope['stamp']): Promise<Outcome<{ id: number }>> {
  const isAdmin = () => adminCheck(db, adminId)
  const email = () => db.kysely.selectFrom('users').select('email').where('id', '=', userId)
  const { admin, target } = await batch(db, {
    admin: isAdmin(),
    forgotten: db.kysely
      .deleteFrom('login_attempts')
      .where('account', '=', email())
      .where(({ exists }) => exists(isAdmin())),
    audit: auditQueryIf(
      db,
      stamp,
      { action: 'admin.user_unlock', resourceType: 'user', resourceId: userId, outcome: 'ok' },
      isAdmin().where(({ exists }) => exists(email())),
    ),
    target: db.kysely.selectFrom('users').select('id').where('id', '=', userId),
  })
  if (admin.length === 0) return { refused: 'denied' }
  if (target.length === 0) return { refused: 'not_found' }
  return target[0]
}

/** The whole audit trail, newest first, filtered as the admin asked (db/audit-list.ts). */
async function listAuditEvents(db: Db, adminId: number, { page, page_size, ...filters }: AuditListQuery): Promise<Listed<AuditEventItem>> {
  const { count, rows, checked } = await fetchPage(db, auditEventsQuery(db, filters), { page, page_size }, adminCheck(db, adminId))
  if (checked.length === 0) return { refused: 'denied' }
  return { count, results: rows }
}
