import { createMiddleware } from 'hono/factory'
import { userIdOf, verifyToken } from '../auth/tokens'
import { guardActiveUser } from '../db/active-user-guard'
import { connect } from '../db/client'
import type { AppEnv } from '../env'
import { ApiError, INVALID_TOKEN_CHALLENGE } from '../lib/errors'
import { enforceLimit } from '../lib/rate-limit'

/**
 * Requires a valid access token of an active account at the token's generation, counts the request against the user's
 * rate limit, and puts the user id on the context as `userId`. The account check rides in the
 * request's first D1 round trip (db/active-user-guard.ts).
 */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization')
  if (!header || !/^Bearer\b/i.test(header)) {
    throw new ApiError('not_authenticated', undefined, { headers: { 'WWW-Authenticate': 'Bearer' } })
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!match) throw new ApiError('token_not_valid', 'The Authorization header must be "Bearer <access token>".', { headers: INVALID_TOKEN_CHALLENGE })
  const claims = await verifyToken(c.get('config'), match[1], 'access')
  const userId = userIdOf(claims)
  // Keyed by generation too: a token ended by logout-all or a password change (refused by the guard
  // below, in the request's first round trip) spends only its own dead generation's budget.
  await enforceLimit(c, 'API_USER_LIMITER', `${userId}:${claims.gen}`)
  c.set('userId', userId)
  c.set('tokenGeneration', claims.gen)
  c.set('db', connect(guardActiveUser(c.var.db.d1, userId, claims.gen)))
  await next()
})

/** Spread into a `createRoute` config: the route requires an access token, and says so in the OpenAPI document. */
export const signedIn: { security: { Bearer: string[] }[]; middleware: [typeof requireUser] } = {
  security: [{ Bearer: [] }],
  middleware: [requireUser],
}
