import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { userIdOf, verifyToken } from '../auth/tokens'
import { guardSession } from '../db/session-guard'
import type { Scope } from '../db/scope'
import type { AppEnv } from '../env'
import { ApiError, INVALID_TOKEN_CHALLENGE } from '../lib/errors'
import { enforceLimit } from '../lib/rate-limit'
import { auditStamp } from '../lib/request-scope'
import { ACCESS_TOKEN, orRefuse } from './refusals'

/** What `requireUser` puts on the context. */
export interface SignedInVariables {
  /** The account the access token was issued to. */
  userId?: number
}

/**
 * Requires a valid access token of an active account at the token's generation, counts the request
 * against the user's rate limit, and sets `userId`. The account check rides in the request's first
 * D1 round trip (db/session-guard.ts), so it costs none of its own.
 *
 * @example
 * const read = createRoute({ method: 'get', path: '/{id}', ...signedIn, ... })
 */
export const requireUser = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization')
    if (!header || !/^Bearer\b/i.test(header)) {
      throw new ApiError('not_authenticated', undefined, { headers: { 'WWW-Authenticate': 'Bearer' } })
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (!match) throw new ApiError('token_not_valid', 'The Authorization header must be "Bearer <access token>".', { headers: INVALID_TOKEN_CHALLENGE })
    const claims = orRefuse(await verifyToken(c.var.config, match[1], 'access'), ACCESS_TOKEN)
    const userId = userIdOf(claims)
    await enforceLimit(c, 'API_USER_LIMITER', String(userId))
    c.set('userId', userId)
    guardSession(c.var.db, { userId, generation: claims.gen })
    await next()
  })

const signedInMiddleware = requireUser()

/** Spread into a `createRoute` config: the route requires an access token, and says so in the OpenAPI document. */
export const signedIn: { security: { Bearer: string[] }[]; middleware: [typeof signedInMiddleware] } = {
  security: [{ Bearer: [] }],
  middleware: [signedInMiddleware],
}

/** The signed-in user of a route behind `signedIn`. */
export function signedInUser(c: Context<AppEnv>): number {
  const { userId } = c.var
  if (userId === undefined) throw new Error('signedInUser() outside a signedIn route')
  return userId
}

/** What the query functions of a signed-in request are bound to (`patientsRepo(scopeOf(c))`). */
export const scopeOf = (c: Context<AppEnv>): Scope => ({ db: c.var.db, stamp: auditStamp(c), userId: signedInUser(c) })
