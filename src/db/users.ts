import type { AuditEvent, AuditStamp } from '../core/audit'
import type { Outcome } from '../core/refusal'
import type { Me, User } from '../schemas/auth'
import { auditQuery, auditQueryIf } from './audit'
import { batch, type Db } from './client'
import { refusingConstraints } from './constraints'
import { forgetNetworkAttemptsQuery, releaseAttemptQuery } from './login-attempts'
import { bumpGenerationQuery, revokeAllRefreshTokensQuery, type RefreshTokenClaims } from './refresh-tokens'
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
 * Inserts a user unless the password is on the common-password list, in one statement; a taken
 * email is refused by the UNIQUE index, as `duplicate`.
 */
export function insertUser(db: Db, user: NewUser): Promise<Outcome<User>> {
  return refusingConstraints(async () => {
    const created = await db.kysely
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
    return created ?? { refused: 'common_password' }
  })
}

/** What a login verified about the account: the password hash it checked and the token generation it read. */
export interface VerifiedAccount {
  userId: number
  passwordHash: string
  generation: number
}

/** Rows only while the account is still as the login or refresh verified it: active, same password, same generation. */
const stillAsVerified = (db: Db, { userId, passwordHash, generation }: VerifiedAccount) =>
  db.kysely
    .selectFrom('users')
    .select('id')
    .where('id', '=', userId)
    .where('is_active', '=', 1)
    .where('password_hash', '=', passwordHash)
    .where('token_generation', '=', generation)

/**
 * Completes a login in one atomic batch, only if the account is still as verified (a password
 * change, deactivation or logout-all landing mid-request wins): records the refresh token, forgets
 * this network's failed attempts, stores a re-hashed password when the cost changed, and audits.
 * `stale` when the account changed and nothing was issued.
 */
export async function completeLogin(
  db: Db,
  {
    verified,
    refresh,
    rehashed,
    email,
    network,
    stamp,
  }: { verified: VerifiedAccount; refresh: RefreshTokenClaims; rehashed?: string; email: string; network: string; stamp: AuditStamp },
): Promise<Outcome<{ issued: true }>> {
  const { userId } = verified
  const issued = () => db.kysely.selectFrom('refresh_tokens').select('jti').where('jti', '=', refresh.jti)
  const rehash = rehashed && {
    rehash: db.kysely
      .updateTable('users')
      .set({ password_hash: rehashed })
      .where('id', '=', userId)
      .where('password_hash', '=', verified.passwordHash)
      .where(({ exists }) => exists(issued())),
  }
  const { recorded } = await batch(db, {
    recorded: db.kysely
      .insertInto('refresh_tokens')
      .columns(['jti', 'user_id', 'expires_at'])
      .expression(
        stillAsVerified(db, verified).clearSelect().select((eb) => [eb.val(refresh.jti).as('jti'), 'id', eb.val(refresh.exp).as('expires_at')]),
      )
      .returning('jti'),
    forget: forgetNetworkAttemptsQuery(db, email, network).where(({ exists }) => exists(issued())),
    ...rehash,
    audit: auditQueryIf(db, { ...stamp, actorId: userId }, { action: 'auth.login', resourceType: 'user', resourceId: userId, outcome: 'ok' }, issued()),
  })
  return recorded.length === 1 ? { issued: true } : { refused: 'stale' }
}

/** Audits a refused login (wrong password, unknown email, disabled or locked account) before answering, so every refusal costs the same round trip. */
export async function recordRefusedLogin(db: Db, stamp: AuditStamp, event: Pick<AuditEvent, 'action' | 'resourceId' | 'outcome'>): Promise<void> {
  await auditQuery(db, stamp, { ...event, resourceType: 'user' }).execute()
}

/**
 * Ends every session of an account, atomically: its token generation moves on (every access
 * token dies at its next request) and every live refresh token is revoked; audited as `auth.logout_all`.
 */
export async function endSessions(db: Db, userId: number, stamp: AuditStamp): Promise<void> {
  await batch(db, {
    generation: bumpGenerationQuery(db, userId),
    refreshTokens: revokeAllRefreshTokensQuery(db, userId),
    audit: auditQuery(db, { ...stamp, actorId: userId }, { action: 'auth.logout_all', resourceType: 'user', resourceId: userId, outcome: 'ok' }),
  })
}

/**
 * Replaces a password (unless the new one is common, or the old one changed since it was checked),
 * moves the token generation on and revokes every refresh token of the user, atomically: every
 * access token, this request's included, dies at its next request. The revocation and audit only
 * happen if the password did change; the reservation of the old-password check is released either way.
 * Refused as `common_password` (the new password is on the list) or `stale` (the password changed since it was checked).
 */
export async function changePassword(
  db: Db,
  { userId, oldHash, passwordHash, password, attemptId, stamp }: { userId: number; oldHash: string; passwordHash: string; password: string; attemptId: number; stamp: AuditStamp },
): Promise<Outcome<{ changed: true }>> {
  // True only after the UPDATE below, so the revocation and the audit event follow the change or nothing.
  const changed = () => db.kysely.selectFrom('users').select('id').where('id', '=', userId).where('password_hash', '=', passwordHash)
  const { updated, common } = await batch(db, {
    updated: db.kysely
      .updateTable('users')
      .set((eb) => ({ password_hash: passwordHash, token_generation: eb('token_generation', '+', 1) }))
      .where('id', '=', userId)
      .where('password_hash', '=', oldHash)
      .where(({ not, exists }) => not(exists(commonPasswordLookup(db, password))))
      .returning('id'),
    refreshTokens: revokeAllRefreshTokensQuery(db, userId).where(({ exists }) => exists(changed())),
    release: releaseAttemptQuery(db, attemptId),
    audit: auditQueryIf(db, { ...stamp, actorId: userId }, { action: 'auth.password_change', resourceType: 'user', resourceId: userId, outcome: 'ok' }, changed()),
    common: commonPasswordLookup(db, password),
  })
  if (updated.length === 1) return { changed: true }
  return { refused: common.length ? 'common_password' : 'stale' }
}

/** The signed-in user, with its role. */
export async function findMe(db: Db, id: number): Promise<Outcome<Me>> {
  return (await db.kysely.selectFrom('users').select([...PUBLIC_COLUMNS, 'role']).where('id', '=', id).executeTakeFirst()) ?? { refused: 'not_found' }
}

export function publicUser(row: UserRow): User {
  return { id: row.id, name: row.name, email: row.email, date_joined: row.date_joined }
}
