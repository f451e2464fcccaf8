import { createRoute, type RouteHandler } from '@hono/zod-openapi'
import { hashPassword, verifyPassword } from '../auth/password'
import { tokenHash } from '../auth/one-time-token'
import { passwordProblems } from '../auth/password-policy'
import { verifyToken } from '../auth/tokens'
import { nowSeconds } from '../core/clock'
import { LOCKOUT } from '../core/lockout'
import { beginPasswordCheck, releaseAttempt } from '../db/login-attempts'
import { revokeRefreshToken } from '../db/refresh-tokens'
import { changePassword, endSessions, findMe, insertUser, recordRefusedLogin } from '../db/users'
import type { AppEnv } from '../env'
import { clientNetwork } from '../lib/client-ip'
import { ApiError, fieldError } from '../lib/errors'
import { enforceFlowLimits, enforceLimit } from '../lib/rate-limit'
import { auditStamp } from '../lib/request-scope'
import { createRouter } from '../lib/router'
import {
  ChangePasswordSchema,
  LoginResultSchema,
  LoginSchema,
  MeSchema,
  RefreshSchema,
  RegisteredSchema,
  RegisterSchema,
  SwitchedSchema,
  TokenPairSchema,
} from '../schemas/auth'
import { SwitchClinicSchema } from '../schemas/clinics'
import { BODY_ERRORS, errorResponses, json, requestBody } from '../schemas/common'
import { rotate, signInWithPassword, switchTo } from './auth-flows'
import { ACCESS_TOKEN, INVITED_ACCOUNT, LOGIN, NEW_ACCOUNT, NEW_PASSWORD, orRefuse, REFRESH_TOKEN, refusalError } from './refusals'
import { signedIn, signedInMember, signedInUser } from './signed-in'

const tags = ['Auth']

const register = createRoute({
  method: 'post',
  path: '/register',
  tags,
  operationId: 'register',
  security: [],
  summary: 'Create an account',
  description: 'The account opens its own clinic as its admin, or joins the clinic of `invitation`. The password policy applies (400).',
  request: { body: requestBody(RegisterSchema) },
  responses: { 201: json(RegisteredSchema, 'The new account'), ...errorResponses(...BODY_ERRORS, 404, 409, 429) },
})

const login = createRoute({
  method: 'post',
  path: '/login',
  tags,
  operationId: 'login',
  security: [],
  summary: 'Exchange email and password for an access and a refresh token',
  description:
    `After ${LOCKOUT.perNetwork} failed logins within 15 minutes from one network (an IPv6 /64 or an IPv4 address), the account refuses logins from that network (429, even with the right password) until the window passes; ` +
    `after ${LOCKOUT.perAccount} failed logins within an hour from all networks together, from everywhere. Other networks are not affected by the first lock.`,
  request: { body: requestBody(LoginSchema) },
  responses: { 200: json(LoginResultSchema, 'Tokens and the signed-in user'), ...errorResponses(...BODY_ERRORS, 401, 404, 429) },
})

const refreshRoute = <P extends string>(path: P, operationId: string) =>
  createRoute({
    method: 'post',
    path,
    tags,
    operationId,
    security: [],
    summary: 'Rotate a refresh token: returns a new pair, the one sent is dead afterwards',
    description:
      'Sending a refresh token that was already used: within a few seconds of its rotation (an honest retry) a plain 401; later, it is treated as theft and every token of its user, access tokens included, is ended, once: replaying it again is a plain 401.',
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
  description: 'Its access tokens run until they expire; POST /api/auth/logout-all/ ends them too.',
  request: { body: requestBody(RefreshSchema) },
  responses: { 204: { description: 'The refresh token is dead' }, ...errorResponses(...BODY_ERRORS, 401, 429) },
})

const logoutAll = createRoute({
  method: 'post',
  path: '/logout-all',
  operationId: 'logoutAll',
  tags,
  summary: 'End every session of the signed-in account',
  description: 'No body. Every access token (this one included) stops working at its next request, and every refresh token is revoked.',
  ...signedIn(),
  responses: { 204: { description: 'Every session is ended' }, ...errorResponses(...BODY_ERRORS, 401, 429) },
})

const me = createRoute({
  method: 'get',
  path: '/me',
  tags,
  operationId: 'getMe',
  summary: 'The signed-in user, with its role',
  description: 'With the clinic the token acts in, your role there, and every clinic you are an active member of.',
  ...signedIn(),
  responses: { 200: json(MeSchema, 'The signed-in user'), ...errorResponses(401, 429) },
})

const switchClinicRoute = createRoute({
  method: 'post',
  path: '/switch-clinic',
  tags,
  operationId: 'switchClinic',
  summary: 'Get a token pair for another clinic of yours',
  description: 'A clinic you are not an active member of is a 404. The tokens you hold stay valid for their own clinic. Audited as auth.switch_clinic.',
  ...signedIn(),
  request: { body: requestBody(SwitchClinicSchema) },
  responses: { 200: json(SwitchedSchema, 'Tokens for that clinic'), ...errorResponses(...BODY_ERRORS, 401, 404, 429) },
})

const changePasswordRoute = createRoute({
  method: 'post',
  path: '/change-password',
  tags,
  operationId: 'changePassword',
  summary: "Change the signed-in user's password",
  description:
    'The password policy applies. Every token of the user, this access token included, is ended: sign in again with the new password. ' +
    'A wrong old_password counts as a failed login of the account (429 once locked, as login).',
  ...signedIn(),
  request: { body: requestBody(ChangePasswordSchema) },
  responses: { 204: { description: 'Changed' }, ...errorResponses(...BODY_ERRORS, 401, 429) },
})

/** The clinic a new account opens when it names none; names fit the clinic's 120 characters. */
const ownClinicName = (name: string) => `${name.slice(0, 111)}'s clinic`

/** Password policy problems as the 400 the API answers, or nothing. */
function assertAcceptablePassword(field: string, password: string, person: { email: string; name: string }): void {
  const problems = passwordProblems(password, person)
  if (problems.length) throw new ApiError('validation_error', problems[0], { details: { [field]: problems } })
}

const refresh = refreshRoute('/refresh', 'refreshToken')

const rotateInBody: RouteHandler<typeof refresh, AppEnv> = async (c) => {
  const { access, refresh: next } = await rotate(c, c.req.valid('json').refresh)
  return c.json({ access: access.token, refresh: next.token }, 200)
}

export const authRoutes = createRouter()
  .openapi(register, async (c) => {
    await enforceFlowLimits(c, 'REGISTER_IP_LIMITER', 'REGISTER_GLOBAL_LIMITER', 'register')
    const { name, email, password, password2 } = c.req.valid('json')
    if (password2 !== undefined && password2 !== password) {
      throw fieldError('password2', 'The two passwords do not match.')
    }
    assertAcceptablePassword('password', password, { email, name })
    const { clinic_name, invitation } = c.req.valid('json')
    const passwordHash = await hashPassword(password, c.var.config.passwordIterations)
    const newUser = {
      name,
      email,
      password,
      passwordHash,
      clinicName: clinic_name ?? ownClinicName(name),
      invitationHash: invitation === undefined ? undefined : await tokenHash(invitation),
    }
    const user = orRefuse(await insertUser(c.var.db, newUser, auditStamp(c)), invitation === undefined ? NEW_ACCOUNT : INVITED_ACCOUNT)
    return c.json({ user }, 201)
  })
  .openapi(login, async (c) => {
    const { signedIn, refresh } = await signInWithPassword(c, c.req.valid('json'))
    return c.json({ ...signedIn, refresh: refresh.token }, 200)
  })
  .openapi(refresh, rotateInBody)
  .openapi(logout, async (c) => {
    await enforceLimit(c, 'REFRESH_IP_LIMITER', clientNetwork(c))
    const claims = orRefuse(await verifyToken(c.var.config, c.req.valid('json').refresh, 'refresh'), REFRESH_TOKEN)
    await revokeRefreshToken(c.var.db, claims)
    return c.body(null, 204)
  })
  .openapi(logoutAll, async (c) => {
    await endSessions(c.var.db, signedInUser(c), auditStamp(c))
    return c.body(null, 204)
  })
  .openapi(me, async (c) => {
    const { clinicId } = signedInMember(c)
    const { user, clinics } = orRefuse(await findMe(c.var.db, signedInUser(c)), ACCESS_TOKEN)
    const current = clinics.find(({ clinic }) => clinic.id === clinicId)
    return c.json({ ...user, clinic: current?.clinic ?? null, clinic_role: current?.role ?? null, clinics }, 200)
  })
  .openapi(switchClinicRoute, async (c) => {
    const { switched, refresh } = await switchTo(c, c.req.valid('json').clinic)
    return c.json({ ...switched, refresh: refresh.token }, 200)
  })
  .openapi(changePasswordRoute, async (c) => {
    const { old_password, new_password } = c.req.valid('json')
    const { config, db } = c.var
    const userId = signedInUser(c)
    // The old-password check is a login attempt of this account from this network: counted first, locked like one.
    const { reservation, user } = await beginPasswordCheck(db, userId, clientNetwork(c), nowSeconds())
    if (!user) throw refusalError({ refused: 'not_found' }, ACCESS_TOKEN)
    const { attemptId } = orRefuse(reservation, LOGIN)
    if (!(await verifyPassword(old_password, user.password_hash, config.passwordIterations)).valid) {
      // Audited before the answer, as a refused login is: the reservation stays, as the failure.
      await recordRefusedLogin(db, auditStamp(c), { action: 'auth.login_failed', resourceId: userId, outcome: 'denied' })
      throw fieldError('old_password', 'Your old password was entered incorrectly.')
    }
    try {
      assertAcceptablePassword('new_password', new_password, user)
    } catch (error) {
      await releaseAttempt(db, attemptId)
      throw error
    }
    const passwordHash = await hashPassword(new_password, config.passwordIterations)
    // `stale`: the password changed while this request checked the old one, and that change ended this token.
    orRefuse(await changePassword(db, { userId, oldHash: user.password_hash, passwordHash, password: new_password, attemptId, stamp: auditStamp(c) }), NEW_PASSWORD)
    return c.body(null, 204)
  })

// The Django versions' path for the same operation; left out of the typed client's surface.
authRoutes.openapi(refreshRoute('/token/refresh', 'refreshTokenDjangoAlias'), rotateInBody)
