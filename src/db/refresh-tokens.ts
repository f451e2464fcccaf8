import type { AuditStamp } from '../core/audit'
import { sql } from 'kysely'
import { nowSeconds } from '../core/clock'
import type { Outcome } from '../core/refusal'
import { auditQueryIf } from './audit'
import { batch, type Db } from './client'
import type { Membership } from '../schemas/clinics'
import { activeMembership, activeMembershipsQuery, markUsedQuery, toMembership } from './memberships'

/** What the token tables keep of a refresh token: its id, its user (the `sub` claim), its expiry, its generation and its clinic. */
export interface RefreshTokenClaims {
  jti: string
  sub: string
  exp: number
  gen: number
  clinic: number | null
}

/**
 * How long after a refresh token was rotated a second use of it counts as an honest retry (two
 * tabs, a lost answer): refused with 401, but not as theft. Past this, reuse is theft.
 */
export const REFRESH_RETRY_SECONDS = 10

const userIdOf = (claims: RefreshTokenClaims) => Number(claims.sub)

/** The UPDATE that moves an account's token generation on: every token issued before dies at its next use. */
export const bumpGenerationQuery = (db: Db, userId: number) =>
  db.kysely
    .updateTable('users')
    .set((eb) => ({ token_generation: eb('token_generation', '+', 1) }))
    .where('id', '=', userId)

/** The UPDATE that revokes every live refresh token of an account. */
export const revokeAllRefreshTokensQuery = (db: Db, userId: number) =>
  db.kysely.updateTable('refresh_tokens').set({ revoked_at: nowSeconds() }).where('user_id', '=', userId).where('revoked_at', 'is', null)

/**
 * Rotates a refresh token in one atomic batch. `used` is retired and `next` recorded only while
 * `used` is alive, its account is active at the token's generation and still a member of its clinic. When `used` was already
 * rotated more than REFRESH_RETRY_SECONDS ago, the same batch treats it as theft: the account's
 * generation moves on (its access tokens die), every live refresh token is revoked, and it is audited.
 * Once its generation has moved on, a replay only is audited: the theft was answered already.
 * Refused as `stale` (rotated moments ago: an honest retry), `reused` (theft) or `denied` (revoked,
 * unknown, or its account changed).
 */
export async function rotateRefreshToken(db: Db, used: RefreshTokenClaims, next: RefreshTokenClaims, stamp: AuditStamp): Promise<Outcome<{ rotated: true }>> {
  const now = nowSeconds()
  const userId = userIdOf(used)
  const replayed = () =>
    db.kysely
      .selectFrom('refresh_tokens')
      .select('jti')
      .where('jti', '=', used.jti)
      .where('user_id', '=', userId)
      .where('replaced_by', 'is not', null)
      .where('replaced_by', '!=', next.jti)
      .where('revoked_at', '<', now - REFRESH_RETRY_SECONDS)
  // Only while the account is still at the token's generation: the first theft response moves it
  // on (as a password change does), so a replayed token cannot end the sessions again and again.
  const stolen = () =>
    replayed().where(({ exists }) =>
      exists(db.kysely.selectFrom('users').select('id').where('id', '=', userId).where('token_generation', '=', used.gen)),
    )
  const { retired, found } = await batch(db, {
    retired: db.kysely
      .updateTable('refresh_tokens')
      .set({ revoked_at: now, replaced_by: next.jti })
      .where('jti', '=', used.jti)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where(({ exists }) =>
        exists(
          db.kysely.selectFrom('users').select('id').where('id', '=', userId).where('is_active', '=', 1).where('token_generation', '=', used.gen),
        ),
      )
      // A refresh token stays bound to its clinic: it renews only while the account is still a member there.
      .where(({ exists }) => (used.clinic === null ? sql<boolean>`true` : exists(activeMembership(db, userId, used.clinic))))
      .returning('jti'),
    // Copies the row the update just marked, so `next` exists only if `used` was alive.
    recorded: db.kysely
      .insertInto('refresh_tokens')
      .columns(['jti', 'user_id', 'expires_at'])
      .expression((eb) =>
        eb
          .selectFrom('refresh_tokens')
          .select([eb.val(next.jti).as('jti'), 'user_id', eb.val(next.exp).as('expires_at')])
          .where('jti', '=', used.jti)
          .where('replaced_by', '=', next.jti),
      ),
    // Revoked before the generation moves on: `stolen()` holds only until then.
    refreshTokens: revokeAllRefreshTokensQuery(db, userId).where(({ exists }) => exists(stolen())),
    generation: bumpGenerationQuery(db, userId).where(({ exists }) => exists(stolen())),
    // Every replay past the window is on the record, the ones that end nothing too.
    audit: auditQueryIf(db, { ...stamp, actorId: userId }, { action: 'auth.refresh_reuse', resourceType: 'user', resourceId: userId, outcome: 'denied' }, replayed()),
    found: db.kysely.selectFrom('refresh_tokens').select(['revoked_at', 'replaced_by']).where('jti', '=', used.jti).where('user_id', '=', userId),
  })
  if (retired.length === 1) return { rotated: true }
  const row = found[0]
  if (!row?.replaced_by || row.revoked_at === null) return { refused: 'denied' }
  return { refused: row.revoked_at < now - REFRESH_RETRY_SECONDS ? 'reused' : 'stale' }
}

/** The statement that kills one refresh token of a user (no change when it was already dead). */
export const revokeRefreshTokenQuery = (db: Db, userId: number, jti: string) =>
  db.kysely.updateTable('refresh_tokens').set({ revoked_at: nowSeconds() }).where('jti', '=', jti).where('user_id', '=', userId).where('revoked_at', 'is', null)

/** Kills one refresh token (nothing happens when it was already dead: logging out twice is fine). */
export async function revokeRefreshToken(db: Db, claims: Pick<RefreshTokenClaims, 'jti' | 'sub'>): Promise<void> {
  await revokeRefreshTokenQuery(db, Number(claims.sub), claims.jti).execute()
}

/**
 * Moves an active member's session to `clinicId` in one batch: records the new pair's refresh token
 * (only while they are a member there and the account is still at the token's generation), marks
 * the clinic as used last, and audits. `not_found` when they are not a member, and nothing is written.
 */
export async function switchClinic(
  db: Db,
  stamp: AuditStamp,
  { userId, generation, clinicId, refresh, retire }: { userId: number; generation: number; clinicId: number; refresh: { jti: string; exp: number }; retire?: { jti: string } },
): Promise<Outcome<Membership>> {
  const { membership, recorded } = await batch(db, {
    // First, so that a refused switch (not a member there) leaves the session it came from alive.
    ...(retire && { retired: revokeRefreshTokenQuery(db, userId, retire.jti).where(({ exists }) => exists(activeMembership(db, userId, clinicId))) }),
    recorded: db.kysely
      .insertInto('refresh_tokens')
      .columns(['jti', 'user_id', 'expires_at'])
      .expression(
        db.kysely
          .selectFrom('users')
          .select((eb) => [eb.val(refresh.jti).as('jti'), 'id', eb.val(refresh.exp).as('expires_at')])
          .where('id', '=', userId)
          .where('is_active', '=', 1)
          .where('token_generation', '=', generation)
          .where(({ exists }) => exists(activeMembership(db, userId, clinicId))),
      )
      .returning('jti'),
    used: markUsedQuery(db, userId, clinicId),
    audit: auditQueryIf(
      db,
      { ...stamp, clinicId },
      { action: 'auth.switch_clinic', resourceType: 'clinic', resourceId: clinicId, outcome: 'ok' },
      activeMembership(db, userId, clinicId),
    ),
    membership: activeMembershipsQuery(db).where('clinic_members.user_id', '=', userId).where('clinic_members.clinic_id', '=', clinicId),
  })
  return membership[0] && recorded[0] ? toMembership(membership[0]) : { refused: 'not_found' }
}
