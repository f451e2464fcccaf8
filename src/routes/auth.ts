import { createRoute, type RouteHandler } from '@hono/zod-openapi'
import { LOCKOUT_WINDOW_SECONDS, lockedForSeconds } from '../auth/lockout'
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../auth/password'
import { COMMON_PASSWORD_MESSAGE, passwordProblems } from '../auth/password-policy'
import { invalidToken, issueToken, userIdOf, verifyToken } from '../auth/tokens'
import { nowSeconds } from '../core/clock'
import { revokeAfterReuse, revokeRefreshToken, rotateRefreshToken } from '../db/refresh-tokens'
import { changePassword, completeLogin, findLoginAccount, findUser, findUserRow, insertUser, publicUser, recordLoginFailure } from '../db/users'
import type { AppEnv } from '../env'
import { ApiError, fieldError } from '../lib/errors'
import { clientKey, enforceLimit } from '../lib/rate-limit'
import { auditStamp } from '../lib/request-scope'
import { createRouter } from '../lib/router'
import { signedIn } from '../middleware/require-user'
import {
  ChangePasswordSchema,
  LoginResultSchema,
  LoginSchema,
  RefreshSchema,
  RegisteredSchema,
  RegisterSchema,
  TokenPairSchema,
  UserSchema,
} from '../schemas/auth'
import { BODY_ERRORS, errorResponses, json, requestBody } from '../schemas/common'
import { auditLater } from './audit-later'

const tags = ['Auth']

const register = createRoute({
  method: 'post',
  path: '/register',
  tags,
  operationId: 'register',
  security: [],
  summary: 'Create an account',
  request: { body: requestBody(RegisterSchema) },
  responses: { 201: json(RegisteredSchema, 'The new account'), ...errorResponses(...BODY_ERRORS, 409, 429) },
})

const login = createRoute({
  method: 'post',
  path: '/login',
  tags,
  operationId: 'login',
  security: [],
  summary: 'Exchange email and password for an access and a refresh token',
  description: 'After 10 failed logins within 15 minutes the account refuses logins (429) until the window passes.',
  request: { body: requestBody(LoginSchema) },
  responses: { 200: json(LoginResultSchema, 'Tokens and the signed-in user'), ...errorResponses(...BODY_ERRORS, 401, 429) },
})

const refreshRoute = <P extends string>(path: P, operationId: string) =>
  createRoute({
    method: 'post',
    path,
    tags,
    operationId,
    security: [],
    summary: 'Rotate a refresh token: returns a new pair, the one sent is dead afterwards',
    description: 'Sending a refresh token that was already used revokes every refresh token of its user.',
    request: { body: requestBody(RefreshSchema) },
    responses: { 200: json(TokenPairSchema, 'A new token pair'), ...errorResponses(...BODY_ERRORS, 401, 429) },
  })

const logout = createRoute({
  method: 'post',
  path: '/logout',
  tags,
  operationId: 'logout',
  security: [],
  summary: 'Revoke a refresh token',
  request: { body: requestBody(RefreshSchema) },
  responses: { 204: { description: 'The refresh token is dead' }, ...errorResponses(...BODY_ERRORS, 401) },
})

const me = createRoute({
  method: 'get',
  path: '/me',
  tags,
  operationId: 'getMe',
  summary: 'The signed-in user',
  ...signedIn,
  responses: { 200: json(UserSchema, 'The signed-in user'), ...errorResponses(401, 429) },
})

const changePasswordRoute = createRoute({
  method: 'post',
  path: '/change-password',
  tags,
  operationId: 'changePassword',
  summary: "Change the signed-in user's password",
  description: 'The password policy applies; every refresh token of the user is revoked, so other sessions must sign in again.',
  ...signedIn,
  request: { body: requestBody(ChangePasswordSchema) },
  responses: { 204: { description: 'Changed' }, ...errorResponses(...BODY_ERRORS, 401, 429) },
})

const invalidCredentials = () => new ApiError('invalid_credentials')

/** Password policy problems as the 400 the API answers, or nothing. */
function assertAcceptablePassword(field: string, password: string, person: { email: string; name: string }): void {
  const problems = passwordProblems(password, person)
  if (problems.length) throw new ApiError('validation_error', problems[0], { details: { [field]: problems } })
}

const refresh = refreshRoute('/refresh', 'refreshToken')

const rotate: RouteHandler<typeof refresh, AppEnv> = async (c) => {
  await enforceLimit(c, 'REFRESH_IP_LIMITER', clientKey(c))
  const { config, db } = c.var
  const used = await verifyToken(config, c.req.valid('json').refresh, 'refresh')
  const userId = userIdOf(used)
  const [access, next] = await Promise.all([issueToken(config, userId, 'access'), issueToken(config, userId, 'refresh')])
  if (!(await rotateRefreshToken(db, used, next.claims))) {
    await revokeAfterReuse(db, userId, { ...auditStamp(c), actorId: userId })
    throw new ApiError('token_not_valid', 'This refresh token was already used or revoked; sign in again.')
  }
  return c.json({ access: access.token, refresh: next.token }, 200)
}

export const authRoutes = createRouter()
  .openapi(register, async (c) => {
    await enforceLimit(c, 'REGISTER_IP_LIMITER', clientKey(c))
    const { name, email, password, password2 } = c.req.valid('json')
    if (password2 !== undefined && password2 !== password) {
      throw fieldError('password2', 'The two passwords do not match.')
    }
    assertAcceptablePassword('password', password, { email, name })
    const passwordHash = await hashPassword(password, c.var.config.passwordIterations)
    const user = await insertUser(c.var.db, { name, email, password, passwordHash })
    if (!user) throw fieldError('password', COMMON_PASSWORD_MESSAGE)
    return c.json({ user }, 201)
  })
  .openapi(login, async (c) => {
    const { email, password } = c.req.valid('json')
    await enforceLimit(c, 'LOGIN_IP_LIMITER', clientKey(c))
    await enforceLimit(c, 'LOGIN_EMAIL_LIMITER', email)
    const { config, db } = c.var
    const now = nowSeconds()
    const account = await findLoginAccount(db, email, now - LOCKOUT_WINDOW_SECONDS)
    if (!account) {
      await verifyAgainstDummy(password, config.passwordIterations)
      auditLater(c, { action: 'auth.login_failed', resourceType: 'user', resourceId: null, outcome: 'not_found' })
      throw invalidCredentials()
    }
    const lockedFor = lockedForSeconds(account.recent_failures, account.oldest_recent_failure, now)
    if (lockedFor > 0) {
      auditLater(c, { action: 'auth.login_locked', resourceType: 'user', resourceId: account.id, outcome: 'denied' })
      throw new ApiError('rate_limited', 'Too many failed logins for this account. Try again later.', {
        headers: { 'Retry-After': String(lockedFor) },
      })
    }
    const check = await verifyPassword(password, account.password_hash, config.passwordIterations)
    if (!check.valid || account.is_active !== 1) {
      if (check.valid) {
        // The right password for a disabled account: audited, but not counted towards a lockout.
        auditLater(c, { action: 'auth.login_failed', resourceType: 'user', resourceId: account.id, outcome: 'denied' })
      } else {
        await recordLoginFailure(db, account.id, now, auditStamp(c))
      }
      throw invalidCredentials()
    }
    const [access, refresh] = await Promise.all([issueToken(config, account.id, 'access'), issueToken(config, account.id, 'refresh')])
    const rehashed = check.needsRehash ? await hashPassword(password, config.passwordIterations) : undefined
    await completeLogin(db, { userId: account.id, refresh: refresh.claims, rehashed, stamp: auditStamp(c) })
    return c.json(
      {
        access: access.token,
        refresh: refresh.token,
        token_type: 'Bearer' as const,
        expires_in: config.accessTokenSeconds,
        user: publicUser(account),
      },
      200,
    )
  })
  .openapi(refresh, rotate)
  .openapi(logout, async (c) => {
    const claims = await verifyToken(c.var.config, c.req.valid('json').refresh, 'refresh')
    await revokeRefreshToken(c.var.db, claims)
    return c.body(null, 204)
  })
  .openapi(me, async (c) => {
    const user = await findUser(c.var.db, c.var.userId)
    if (!user) throw invalidToken('access')
    return c.json(user, 200)
  })
  .openapi(changePasswordRoute, async (c) => {
    const { old_password, new_password } = c.req.valid('json')
    const { config, db, userId } = c.var
    const user = await findUserRow(db, userId)
    if (!user) throw invalidToken('access')
    if (!(await verifyPassword(old_password, user.password_hash, config.passwordIterations)).valid) {
      throw fieldError('old_password', 'Your old password was entered incorrectly.')
    }
    assertAcceptablePassword('new_password', new_password, user)
    const passwordHash = await hashPassword(new_password, config.passwordIterations)
    if (!(await changePassword(db, userId, passwordHash, new_password, auditStamp(c)))) {
      throw fieldError('new_password', COMMON_PASSWORD_MESSAGE)
    }
    return c.body(null, 204)
  })

// The Django versions' path for the same operation; left out of the typed client's surface.
authRoutes.openapi(refreshRoute('/token/refresh', 'refreshTokenDjangoAlias'), rotate)
