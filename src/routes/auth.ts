import { createRoute } from '@hono/zod-openapi'
import { requireUser } from '../auth/middleware'
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../auth/password'
import { COMMON_PASSWORD_MESSAGE, passwordProblems } from '../auth/password-policy'
import { invalidToken, issueToken, userIdOf, verifyToken } from '../auth/tokens'
import { batch } from '../db/client'
import { recordRefreshTokenQuery, revokeAllRefreshTokens, revokeRefreshToken, rotateRefreshToken } from '../db/refresh-tokens'
import { findUser, findUserByEmail, insertUser, publicUser, updatePasswordHashQuery } from '../db/users'
import { ApiError, fieldError } from '../lib/errors'
import { createRouter } from '../lib/router'
import {
  LoginResultSchema,
  LoginSchema,
  RefreshSchema,
  RegisteredSchema,
  RegisterSchema,
  TokenPairSchema,
  UserSchema,
} from '../schemas/auth'
import { BODY_ERRORS, errorResponses, json, jsonBody } from '../schemas/common'

const tags = ['Auth']

const register = createRoute({
  method: 'post',
  path: '/register',
  tags,
  summary: 'Create an account',
  request: { body: jsonBody(RegisterSchema) },
  responses: { 201: json(RegisteredSchema, 'The new account'), ...errorResponses(...BODY_ERRORS, 409) },
})

const login = createRoute({
  method: 'post',
  path: '/login',
  tags,
  summary: 'Exchange email and password for an access and a refresh token',
  request: { body: jsonBody(LoginSchema) },
  responses: { 200: json(LoginResultSchema, 'Tokens and the signed-in user'), ...errorResponses(...BODY_ERRORS, 401) },
})

const refreshRoute = (path: string) =>
  createRoute({
    method: 'post',
    path,
    tags,
    summary: 'Rotate a refresh token: returns a new pair, the one sent is dead afterwards',
    description: 'Sending a refresh token that was already used revokes every refresh token of its user.',
    request: { body: jsonBody(RefreshSchema) },
    responses: { 200: json(TokenPairSchema, 'A new token pair'), ...errorResponses(...BODY_ERRORS, 401) },
  })

const logout = createRoute({
  method: 'post',
  path: '/logout',
  tags,
  summary: 'Revoke a refresh token',
  request: { body: jsonBody(RefreshSchema) },
  responses: { 204: { description: 'The refresh token is dead' }, ...errorResponses(...BODY_ERRORS, 401) },
})

const me = createRoute({
  method: 'get',
  path: '/me',
  tags,
  summary: 'The signed-in user',
  security: [{ Bearer: [] }],
  middleware: [requireUser] as const,
  responses: { 200: json(UserSchema, 'The signed-in user'), ...errorResponses(401) },
})

const invalidCredentials = () =>
  new ApiError(401, 'invalid_credentials', 'No active account found with the given email and password.')

export const authRoutes = createRouter()
  .openapi(register, async (c) => {
    const { name, email, password, password2 } = c.req.valid('json')
    if (password2 !== undefined && password2 !== password) {
      throw fieldError('password2', 'The two passwords do not match.')
    }
    const problems = passwordProblems(password, { email, name })
    if (problems.length) {
      throw new ApiError(400, 'validation_error', problems[0], { details: { password: problems } })
    }
    const passwordHash = await hashPassword(password, c.var.config.passwordIterations)
    const user = await insertUser(c.var.db, { name, email, password, passwordHash })
    if (!user) throw fieldError('password', COMMON_PASSWORD_MESSAGE)
    return c.json({ user }, 201)
  })
  .openapi(login, async (c) => {
    const { email, password } = c.req.valid('json')
    const { config, db } = c.var
    const user = await findUserByEmail(db, email)
    if (!user) {
      await verifyAgainstDummy(password, config.passwordIterations)
      throw invalidCredentials()
    }
    const check = await verifyPassword(password, user.password_hash, config.passwordIterations)
    if (!check.valid) throw invalidCredentials()
    const [access, refresh] = await Promise.all([issueToken(config, user.id, 'access'), issueToken(config, user.id, 'refresh')])
    const record = recordRefreshTokenQuery(db, refresh.claims)
    if (check.needsRehash) {
      const rehashed = await hashPassword(password, config.passwordIterations)
      await batch(db, [record, updatePasswordHashQuery(db, user.id, rehashed)])
    } else {
      await record.execute()
    }
    return c.json(
      {
        access: access.token,
        refresh: refresh.token,
        token_type: 'Bearer' as const,
        expires_in: config.accessTokenSeconds,
        user: publicUser(user),
      },
      200,
    )
  })
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

for (const path of ['/refresh', '/token/refresh']) {
  authRoutes.openapi(refreshRoute(path), async (c) => {
    const { config, db } = c.var
    const used = await verifyToken(config, c.req.valid('json').refresh, 'refresh')
    const userId = userIdOf(used)
    const [access, next] = await Promise.all([issueToken(config, userId, 'access'), issueToken(config, userId, 'refresh')])
    if (!(await rotateRefreshToken(db, used, next.claims))) {
      await revokeAllRefreshTokens(db, userId)
      throw new ApiError(401, 'token_not_valid', 'This refresh token was already used or revoked; sign in again.')
    }
    return c.json({ access: access.token, refresh: next.token }, 200)
  })
}
