import type { AuditStamp } from '../core/audit'
import { nowSeconds } from '../core/clock'
import type { User } from '../schemas/auth'
import { auditQuery, auditQueryIf } from './audit'
import { batch, type Db } from './client'
import { recordRefreshTokenQuery, type RefreshTokenClaims } from './refresh-tokens'
import type { UserRow } from './schema'

const PUBLIC_COLUMNS = ['id', 'name', 'email', 'date_joined'] as const

export interface NewUser {
  name: string
  email: string
  password: string
  passwordHash: string
}

/** Finds the password on the common list: the rule as SQL, so it rides inside the statement that stores the password. */
const commonPasswordLookup = (db: Db, password: string) =>
  db.kysely.selectFrom('common_passwords').select('password').where('password', '=', password.toLowerCase())

/**
 * Inserts a user unless the password is on the common-password list, in one statement.
 * Returns undefined when the password was refused; a taken email fails on the UNIQUE index.
 */
export async function insertUser(db: Db, user: NewUser): Promise<User | undefined> {
  return db.kysely
    .insertInto('users')
    .columns(['name', 'email', 'password_hash'])
    .expression(
      db.kysely
        .selectNoFrom((eb) => [
          eb.val(user.name).as('name'),
          eb.val(user.email).as('email'),
          eb.val(user.passwordHash).as('password_hash'),
        ])
        .where(({ not, exists }) => not(exists(commonPasswordLookup(db, user.password)))),
    )
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirst()
}

export interface LoginAccount extends UserRow {
  recent_failures: number
  oldest_recent_failure: number | null
}

/** The account behind an email with its failed logins since `since` (Unix seconds), in one query. */
export async function findLoginAccount(db: Db, email: string, since: number): Promise<LoginAccount | undefined> {
  return db.kysely
    .selectFrom('users')
    .selectAll('users')
    .select((eb) => {
      const recent = eb
        .selectFrom('login_failures')
        .whereRef('login_failures.user_id', '=', 'users.id')
        .where('login_failures.failed_at', '>=', since)
      return [
        recent.select((inner) => inner.fn.countAll<number>().as('n')).as('recent_failures'),
        recent.select((inner) => inner.fn.min<number>('login_failures.failed_at').as('oldest')).as('oldest_recent_failure'),
      ]
    })
    .where('email', '=', email)
    .executeTakeFirst() as Promise<LoginAccount | undefined>
}

/** Counts a failed login against the account and audits it, atomically. */
export async function recordLoginFailure(db: Db, userId: number, failedAt: number, stamp: AuditStamp): Promise<void> {
  await batch(db, [
    db.kysely.insertInto('login_failures').values({ user_id: userId, failed_at: failedAt }),
    auditQuery(db, stamp, { action: 'auth.login_failed', resourceType: 'user', resourceId: userId, outcome: 'denied' }),
  ])
}

/**
 * Completes a login in one atomic batch: records the refresh token, forgets past failures,
 * stores a re-hashed password when the cost changed, and audits the login.
 */
export async function completeLogin(
  db: Db,
  { userId, refresh, rehashed, stamp }: { userId: number; refresh: RefreshTokenClaims; rehashed?: string; stamp: AuditStamp },
): Promise<void> {
  const rehash = rehashed ? [db.kysely.updateTable('users').set({ password_hash: rehashed }).where('id', '=', userId)] : []
  await batch(db, [
    recordRefreshTokenQuery(db, refresh),
    db.kysely.deleteFrom('login_failures').where('user_id', '=', userId),
    ...rehash,
    auditQuery(db, { ...stamp, actorId: userId }, { action: 'auth.login', resourceType: 'user', resourceId: userId, outcome: 'ok' }),
  ])
}

/**
 * Replaces a password (unless the new one is common) and revokes every refresh token of the
 * user, atomically; the revocation and audit only happen if the password did change.
 * Returns false when the new password was refused as common.
 */
export async function changePassword(db: Db, userId: number, passwordHash: string, password: string, stamp: AuditStamp): Promise<boolean> {
  // True only after the UPDATE below, so the revocation and the audit event follow the change or nothing.
  const changed = () => db.kysely.selectFrom('users').select('id').where('id', '=', userId).where('password_hash', '=', passwordHash)
  const [updated] = await batch(db, [
    db.kysely
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('id', '=', userId)
      .where(({ not, exists }) => not(exists(commonPasswordLookup(db, password))))
      .returning('id'),
    db.kysely
      .updateTable('refresh_tokens')
      .set({ revoked_at: nowSeconds() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where(({ exists }) => exists(changed())),
    auditQueryIf(db, { ...stamp, actorId: userId }, { action: 'auth.password_change', resourceType: 'user', resourceId: userId, outcome: 'ok' }, changed()),
  ])
  return updated.length === 1
}

export async function findUser(db: Db, id: number): Promise<User | undefined> {
  return db.kysely.selectFrom('users').select(PUBLIC_COLUMNS).where('id', '=', id).executeTakeFirst()
}

export async function findUserRow(db: Db, id: number): Promise<UserRow | undefined> {
  return db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

export function publicUser(row: UserRow): User {
  return { id: row.id, name: row.name, email: row.email, date_joined: row.date_joined }
}
