import type { AuditStamp } from '../core/audit'
import { nowSeconds } from '../core/clock'
import { auditQuery } from './audit'
import { batch, type Db } from './client'

/** What the token tables keep of a refresh token: its id, its user (the `sub` claim) and its expiry. */
export interface RefreshTokenClaims {
  jti: string
  sub: string
  exp: number
}

const userIdOf = (claims: RefreshTokenClaims) => Number(claims.sub)

/** The INSERT that records a newly issued refresh token (by its jti), for use inside a batch. */
export function recordRefreshTokenQuery(db: Db, claims: RefreshTokenClaims) {
  return db.kysely
    .insertInto('refresh_tokens')
    .values({ jti: claims.jti, user_id: userIdOf(claims), expires_at: claims.exp, revoked_at: null, replaced_by: null })
}

/**
 * Retires `used` and records `next` in one atomic batch. The insert copies the row that the
 * update just marked, so `next` exists only if `used` was alive: false means it was not.
 */
export async function rotateRefreshToken(db: Db, used: RefreshTokenClaims, next: RefreshTokenClaims): Promise<boolean> {
  const [retired] = await batch(db, [
    db.kysely
      .updateTable('refresh_tokens')
      .set({ revoked_at: nowSeconds(), replaced_by: next.jti })
      .where('jti', '=', used.jti)
      .where('user_id', '=', userIdOf(used))
      .where('revoked_at', 'is', null)
      .returning('jti'),
    db.kysely
      .insertInto('refresh_tokens')
      .columns(['jti', 'user_id', 'expires_at'])
      .expression((eb) =>
        eb
          .selectFrom('refresh_tokens')
          .select([eb.val(next.jti).as('jti'), 'user_id', eb.val(next.exp).as('expires_at')])
          .where('jti', '=', used.jti)
          .where('replaced_by', '=', next.jti),
      ),
  ])
  return retired.length === 1
}

/** Kills one refresh token; returns whether it was still alive. */
export async function revokeRefreshToken(db: Db, claims: RefreshTokenClaims): Promise<boolean> {
  const revoked = await db.kysely
    .updateTable('refresh_tokens')
    .set({ revoked_at: nowSeconds() })
    .where('jti', '=', claims.jti)
    .where('user_id', '=', userIdOf(claims))
    .where('revoked_at', 'is', null)
    .returning('jti')
    .execute()
  return revoked.length === 1
}

/**
 * The answer to a replayed refresh token, which means it was stolen or copied: every live refresh
 * token of the user dies, and the event is audited, together.
 */
export async function revokeAfterReuse(db: Db, userId: number, stamp: AuditStamp): Promise<void> {
  await batch(db, [
    db.kysely
      .updateTable('refresh_tokens')
      .set({ revoked_at: nowSeconds() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null),
    auditQuery(db, stamp, { action: 'auth.refresh_reuse', resourceType: 'user', resourceId: userId, outcome: 'denied' }),
  ])
}
