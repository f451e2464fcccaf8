// The console's session: the same sign-in, renewal and clinic switch as routes/auth.ts, but the
// refresh token travels in an HttpOnly cookie (lib/refresh-cookie.ts) instead of the body, so no
// script of the page can read it, and every tab of the browser shares the one session.
import { createRoute } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { verifyToken } from '../auth/tokens'
import { isRefusal } from '../core/refusal'
import { revokeRefreshToken } from '../db/refresh-tokens'
import type { AppEnv } from '../env'
import { clientNetwork } from '../lib/client-ip'
import { ApiError } from '../lib/errors'
import { enforceLimit } from '../lib/rate-limit'
import { clearRefreshCookie, REFRESH_COOKIE, refreshCookieOf, SESSION_PATH, setRefreshCookie } from '../lib/refresh-cookie'
import { createRouter } from '../lib/router'
import { sameOrigin } from '../middleware/same-origin'
import { LoginSchema, SessionRenewedSchema, SessionSchema, SessionSwitchedSchema } from '../schemas/auth'
import { SwitchClinicSchema } from '../schemas/clinics'
import { BODY_ERRORS, errorResponses, json, requestBody } from '../schemas/common'
import { rotate, signInWithPassword, switchTo } from './auth-flows'
import { signedIn } from './signed-in'

const tags = ['Auth']

const COOKIE_SET = {
  'Set-Cookie': {
    description: `\`${REFRESH_COOKIE}=<refresh token>; Path=${SESSION_PATH}; Max-Age=<its lifetime>; HttpOnly; Secure; SameSite=Strict\``,
    schema: { type: 'string' as const, maxLength: 4096, pattern: `^${REFRESH_COOKIE}=` },
  },
}

const SAME_ORIGIN = 'For the console only: a request that does not show it comes from a page of this origin (`Sec-Fetch-Site` or `Origin`) is a 403.'

const start = createRoute({
  method: 'post',
  path: '/',
  tags,
  operationId: 'startSession',
  security: [],
  summary: 'Sign in the console: the refresh token goes into an HttpOnly cookie',
  description: `As /api/auth/login/ (same checks, limits and lockout), but the answer carries no refresh token: it is set as a cookie that only the session routes receive. ${SAME_ORIGIN}`,
  request: { body: requestBody(LoginSchema) },
  responses: { 200: { ...json(SessionSchema, 'The access token and the signed-in user'), headers: COOKIE_SET }, ...errorResponses(...BODY_ERRORS, 401, 403, 404, 429) },
})

const renew = createRoute({
  method: 'post',
  path: '/refresh',
  tags,
  operationId: 'renewSession',
  security: [{ RefreshCookie: [] }],
  summary: "Renew the console's session: a new access token, and the cookie's refresh token rotated",
  description: `No body. The rules of /api/auth/refresh/ apply to the cookie's token (a replay is handled as theft); a refused token also clears the cookie. ${SAME_ORIGIN}`,
  responses: { 200: { ...json(SessionRenewedSchema, 'A new access token'), headers: COOKIE_SET }, ...errorResponses(...BODY_ERRORS, 401, 403, 429) },
})

const end = createRoute({
  method: 'delete',
  path: '/',
  tags,
  operationId: 'endSession',
  security: [{ RefreshCookie: [] }],
  summary: "Sign the console out: the cookie's refresh token is revoked and the cookie cleared",
  description: `No body; without a cookie it only clears it. Access tokens already issued work until they expire, as after /api/auth/logout/. ${SAME_ORIGIN}`,
  responses: { 204: { description: 'Signed out', headers: COOKIE_SET }, ...errorResponses(403, 429) },
})

const switchClinicRoute = createRoute({
  method: 'post',
  path: '/switch-clinic',
  tags,
  operationId: 'switchSessionClinic',
  summary: "Move the console's session to another clinic of yours",
  description: `As /api/auth/switch-clinic/, with the new refresh token in the cookie; the cookie's old one is revoked in the same write. ${SAME_ORIGIN}`,
  ...signedIn(),
  request: { body: requestBody(SwitchClinicSchema) },
  responses: { 200: { ...json(SessionSwitchedSchema, 'An access token for that clinic'), headers: COOKIE_SET }, ...errorResponses(...BODY_ERRORS, 401, 403, 404, 429) },
})

/** The cookie's token, verified, when it is one of this API's refresh tokens. */
async function cookieClaims(c: Context<AppEnv>) {
  const token = refreshCookieOf(c)
  const claims = token === undefined ? undefined : await verifyToken(c.var.config, token, 'refresh')
  return claims && !isRefusal(claims) ? claims : undefined
}

export const sessionRoutes = createRouter()

sessionRoutes.use(sameOrigin())

sessionRoutes
  .openapi(start, async (c) => {
    const { signedIn: session, refresh } = await signInWithPassword(c, c.req.valid('json'))
    setRefreshCookie(c, refresh.token, c.var.config.refreshTokenSeconds)
    return c.json(session, 200)
  })
  .openapi(renew, async (c) => {
    const token = refreshCookieOf(c)
    if (token === undefined) throw new ApiError('not_authenticated', 'There is no session to renew: sign in.')
    try {
      const { access, refresh } = await rotate(c, token)
      setRefreshCookie(c, refresh.token, c.var.config.refreshTokenSeconds)
      return c.json({ access: access.token, token_type: 'Bearer' as const, expires_in: c.var.config.accessTokenSeconds }, 200)
    } catch (error) {
      // A token that will never work again is dropped; a 429 keeps it for the next try.
      if (error instanceof ApiError && error.status === 401) clearRefreshCookie(c)
      throw error
    }
  })
  .openapi(end, async (c) => {
    await enforceLimit(c, 'REFRESH_IP_LIMITER', clientNetwork(c))
    const claims = await cookieClaims(c)
    if (claims) await revokeRefreshToken(c.var.db, claims)
    clearRefreshCookie(c)
    return c.body(null, 204)
  })
  .openapi(switchClinicRoute, async (c) => {
    const { switched, refresh } = await switchTo(c, c.req.valid('json').clinic, await cookieClaims(c))
    setRefreshCookie(c, refresh.token, c.var.config.refreshTokenSeconds)
    return c.json(switched, 200)
  })
