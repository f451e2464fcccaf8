import { sql, type SelectQueryBuilder } from 'kysely'
import type { AuditEvent, AuditStamp } from '../core/audit'
import type { Outcome } from '../core/refusal'
import type { User } from '../schemas/auth'
import type { Membership } from '../schemas/clinics'
import { auditQuery, auditQueryIf, insertedId } from './audit'
import { batch, type Db } from './client'
import { refusingConstraints } from './constraints'
import { forgetNetworkAttemptsQuery, releaseAttemptQuery } from './login-attempts'
import { activeMembership, activeMembershipsQuery, markUsedQuery, openInvitation } from './memberships'
import { bumpGenerationQuery, revokeAllRefreshTokensQuery, type RefreshTokenClaims } from './refresh-tokens'
import type { Database, UserRow } from './schema'
import { nowUtc } from './sql'

const PUBLIC_COLUMNS = ['id', 'name', 'email', 'date_joined'] as const

export interface NewUser {
  name: string
  email: string
  password: string
  passwordHash: string
  /** The name of the clinic the new user opens, as its admin; unused when joining by invitation. */
  clinicName: string
  /** SHA-256 of an invitation's token: the user joins that clinic instead of opening one. */
  invitationHash?: string
}

/** Finds the password on the common list: the rule as SQL, so it rides inside the statement that stores the password. */
const commonPasswordLookup = (db: Db, password: string) =>
  db.kysely.selectFrom('common_passwords').select('password').where('password', '=', password.toLowerCase())

/** Fails the whole batch it is in unless `condition` returns a row (see db/session-guard.ts for why `json()`). */
const abortUnless = (db: Db, condition: SelectQueryBuilder<Database, keyof Database, unknown>) =>
  db.kysely.selectNoFrom(({ exists }) => sql<number>`case when ${exists(condition)} then 1 else json('no such invitation') end`.as('ok'))
const ABORTED = /malformed JSON/

/**
 * Registers a user in one atomic batch: the account (unless the password is on the common list:
 * `common_password`; a taken email is `duplicate`, from the UNIQUE index), and either a clinic of
 * their own where they are admin, or, with an invitation to their email that can still be accepted,
 * that clinic's membership with the invited role (`not_found` otherwise, and nothing is written).
 * The clinic's creation or the invitation's acceptance is on the audit record.
 */
export async function insertUser(db: Db, user: NewUser, stamp: AuditStamp): Promise<Outcome<User>> {
  const created = () => db.kysely.selectFrom('users').select('id').where('email', '=', user.email).where('password_hash', '=', user.passwordHash)
  const newUserId = sql<number | null>`(${created()})`
  const newMembership = sql<number | null>`(select clinic_id from clinic_members where user_id = ${newUserId})`
  const invitation = user.invitationHash === undefined ? undefined : openInvitation(db, user.invitationHash).where('email', '=', user.email)
  const joining = invitation && {
    invitation: abortUnless(db, invitation.select('id')),
    joined: db.kysely
      .insertInto('clinic_members')
      .columns(['clinic_id', 'user_id', 'role', 'added_by', 'last_used_at'])
      .expression(
        invitation.select(['clinic_id', sql<number>`${newUserId}`.as('user_id'), 'role', 'invited_by', nowUtc().as('last_used_at')]).where(() => sql<boolean>`${newUserId} is not null`),
      ),
    accepted: db.kysely
      .updateTable('clinic_invitations')
      .set({ accepted_at: nowUtc(), accepted_by: newUserId })
      .where('id', 'in', invitation.select('id'))
      .where(({ exists }) => exists(created())),
    audit: auditQueryIf(
      db,
      stamp,
      { action: 'clinic.invitation_accept', resourceType: 'clinic', resourceId: null, outcome: 'ok' },
      created(),
      { actorId: newUserId, clinicId: newMembership, resourceId: newMembership },
    ),
  }
  const opening = {
    clinic: db.kysely
      .insertInto('clinics')
      .columns(['name'])
      .expression(db.kysely.selectNoFrom((eb) => eb.val(user.clinicName).as('name')).where(({ exists }) => exists(created()))),
    member: db.kysely
      .insertInto('clinic_members')
      .columns(['clinic_id', 'user_id', 'role', 'added_by', 'last_used_at'])
      .expression(
        created().clearSelect().select((eb) => [insertedId().as('clinic_id'), 'id', eb.val('admin' as const).as('role'), 'id', nowUtc().as('last_used_at')]).where(() => sql<boolean>`changes() > 0`),
      ),
    audit: auditQueryIf(db, stamp, { action: 'clinic.create', resourceType: 'clinic', resourceId: null, outcome: 'ok' }, created(), {
      actorId: newUserId,
      clinicId: newMembership,
      resourceId: newMembership,
    }),
  }
  try {
    return await refusingConstraints(async () => {
      const { inserted } = await batch(db, {
        ...(joining && { invitation: joining.invitation }),
        inserted: db.kysely
          .insertInto('users')
          .columns(['name', 'email', 'password_hash'])
          .expression(
            db.kysely
              .selectNoFrom((eb) => [eb.val(user.name).as('name'), eb.val(user.email).as('email'), eb.val(user.passwordHash).as('password_hash')])
              .where(({ not, exists }) => not(exists(commonPasswordLookup(db, user.password)))),
          )
          .returning(PUBLIC_COLUMNS),
        ...(joining ? { joined: joining.joined, accepted: joining.accepted, audit: joining.audit } : opening),
      })
      return inserted[0] ?? { refused: 'common_password' }
    })
  } catch (error) {
    if (joining && ABORTED.test((error as Error).message)) return { refused: 'not_found' }
    throw error
  }
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
 * change, deactivation or logout-all landing mid-request wins) and still a member of the clinic it
 * signs in to: records the refresh token, forgets this network's failed attempts, stores a re-hashed
 * password when the cost changed, marks the clinic as used last, and audits.
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
    clinicId,
  }: { verified: VerifiedAccount; refresh: RefreshTokenClaims; rehashed?: string; email: string; network: string; stamp: AuditStamp; clinicId: number | null },
): Promise<Outcome<{ issued: true }>> {
  const { userId } = verified
  // Signed in to a clinic only while still an active member of it, decided in the same statement.
  const asVerified = () =>
    clinicId === null ? stillAsVerified(db, verified) : stillAsVerified(db, verified).where(({ exists }) => exists(activeMembership(db, userId, clinicId)))
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
        asVerified().clearSelect().select((eb) => [eb.val(refresh.jti).as('jti'), 'id', eb.val(refresh.exp).as('expires_at')]),
      )
      .returning('jti'),
    forget: forgetNetworkAttemptsQuery(db, email, network).where(({ exists }) => exists(issued())),
    ...rehash,
    ...(clinicId !== null && { used: markUsedQuery(db, userId, clinicId).where(({ exists }) => exists(issued())) }),
    audit: auditQueryIf(db, { ...stamp, actorId: userId, clinicId }, { action: 'auth.login', resourceType: 'user', resourceId: userId, outcome: 'ok' }, issued()),
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

/** The signed-in user, with its platform role, and every clinic it is an active member of with its role there, in one round trip. */
export async function findMe(db: Db, id: number): Promise<Outcome<{ user: Pick<UserRow, 'id' | 'name' | 'email' | 'date_joined' | 'role'>; clinics: Membership[] }>> {
  const { user, clinics } = await batch(db, {
    user: db.kysely.selectFrom('users').select([...PUBLIC_COLUMNS, 'role']).where('id', '=', id),
    clinics: activeMembershipsQuery(db).where('clinic_members.user_id', '=', id),
  })
  if (!user[0]) return { refused: 'not_found' }
  return { user: user[0], clinics: clinics.map(({ clinic_id, name, role }) => ({ clinic: { id: clinic_id, name }, role })) }
}

export function publicUser(row: UserRow): User {
  return { id: row.id, name: row.name, email: row.email, date_joined: row.date_joined }
}
