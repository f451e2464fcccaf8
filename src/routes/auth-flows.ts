// What signing in, renewing and switching clinic do, whichever way the refresh token travels: in the
// JSON body for API clients (routes/auth.ts) or in the console's cookie (routes/session.ts).
import type { Context } from 'hono'
import { hashPassword, verifyPassword } from '../auth/password'
import { issueTokenPair, subjectOf, verifyToken, type IssuedToken, type TokenClaims } from '../auth/tokens'
import { nowSeconds } from '../core/clock'
import { isRefusal } from '../core/refusal'
import { beginLogin } from '../db/login-attempts'
import { rotateRefreshToken, switchClinic } from '../db/refresh-tokens'
import { completeLogin, publicUser, recordRefusedLogin } from '../db/users'
import type { AppEnv } from '../env'
import { clientNetwork } from '../lib/client-ip'
import { ApiError } from '../lib/errors'
import { enforceFlowLimits, enforceLimit } from '../lib/rate-limit'
import { auditStamp } from '../lib/request-scope'
import type { LoginRequest } from '../schemas/auth'
import { CLINIC, LOGIN, orRefuse, REFRESH_TOKEN, refusalError, ROTATION } from './refusals'
import { signedInMember } from './signed-in'

/** Answers that carry tokens must never be cached. */
export const noStore = (c: Context<AppEnv>) => c.header('Cache-Control', 'no-store')

/**
 * Checks an email and password and issues a token pair for the clinic asked for, else the one used
 * last; refusals (wrong password, locked, not a member) are audited and thrown as the API's errors.
 */
export async function signInWithPassword(c: Context<AppEnv>, { email, password, clinic: requested }: LoginRequest) {
  const network = clientNetwork(c)
  await enforceFlowLimits(c, 'LOGIN_IP_LIMITER', 'LOGIN_GLOBAL_LIMITER', 'login')
  // Per email *and network*: keyed on the email alone, anyone could keep the owner out (the lockout's per-account cap bounds distributed guessing).
  await enforceLimit(c, 'LOGIN_EMAIL_LIMITER', `${email} ${network}`)
  const { config, db } = c.var
  const stamp = auditStamp(c)
  // Every attempt, known email or not, first reserves its place in the lockout count (one round trip).
  const { reservation, account, clinics } = await beginLogin(db, email, network, nowSeconds())
  const resourceId = account?.id ?? null
  if (isRefusal(reservation)) {
    await recordRefusedLogin(db, stamp, { action: 'auth.login_locked', resourceId, outcome: 'denied' })
    throw refusalError(reservation, LOGIN)
  }
  // Then the same PBKDF2 work whether the email is known or not, the account active or not.
  const check = await verifyPassword(password, account?.password_hash, config.passwordIterations)
  if (!account || !check.valid || account.is_active !== 1) {
    // The reservation stays, as the failure; the audit write is the second round trip, as a success's is.
    await recordRefusedLogin(db, stamp, { action: 'auth.login_failed', resourceId, outcome: account ? 'denied' : 'not_found' })
    throw new ApiError('invalid_credentials')
  }
  // The clinic asked for (only after the password, so nobody learns an account's clinics without it), else the one used last.
  const clinic = requested === undefined ? (clinics[0] ?? null) : clinics.find(({ clinic_id }) => clinic_id === requested)
  if (clinic === undefined) throw refusalError({ refused: 'not_found' }, CLINIC)
  const clinicId = clinic?.clinic_id ?? null
  const verified = { userId: account.id, passwordHash: account.password_hash, generation: account.token_generation }
  const { access, refresh } = await issueTokenPair(config, { userId: account.id, generation: account.token_generation, clinicId })
  const rehashed = check.needsRehash ? await hashPassword(password, config.passwordIterations) : undefined
  // Refused when the account changed while the password was being checked (a new password, deactivated, removed from the clinic): nothing was issued.
  orRefuse(await completeLogin(db, { verified, refresh: refresh.claims, rehashed, email, network, stamp, clinicId }), LOGIN)
  noStore(c)
  const signedIn = {
    access: access.token,
    token_type: 'Bearer' as const,
    expires_in: config.accessTokenSeconds,
    user: publicUser(account),
    clinic: clinic && { clinic: { id: clinic.clinic_id, name: clinic.name }, role: clinic.role },
  }
  return { signedIn, refresh }
}

/** Trades a refresh token for a new pair; the one sent is dead afterwards (a replay is handled as theft, see db/refresh-tokens). */
export async function rotate(c: Context<AppEnv>, token: string): Promise<{ access: IssuedToken; refresh: IssuedToken }> {
  await enforceLimit(c, 'REFRESH_IP_LIMITER', clientNetwork(c))
  const { config, db } = c.var
  const used = orRefuse(await verifyToken(config, token, 'refresh'), REFRESH_TOKEN)
  const pair = await issueTokenPair(config, subjectOf(used))
  orRefuse(await rotateRefreshToken(db, used, pair.refresh.claims, auditStamp(c)), ROTATION)
  noStore(c)
  return pair
}

/**
 * A token pair for another clinic of the signed-in member; `retiring`, a refresh token of theirs,
 * dies in the same batch when the switch succeeds (the console's cookie holds one session).
 */
export async function switchTo(c: Context<AppEnv>, clinic: number, retiring?: TokenClaims) {
  const member = signedInMember(c)
  const { access, refresh } = await issueTokenPair(c.var.config, { userId: member.userId, generation: member.generation, clinicId: clinic })
  const retire = retiring && Number(retiring.sub) === member.userId ? retiring : undefined
  const switched = { userId: member.userId, generation: member.generation, clinicId: clinic, refresh: refresh.claims, retire }
  const membership = orRefuse(await switchClinic(c.var.db, auditStamp(c), switched), CLINIC)
  noStore(c)
  return { access, refresh, switched: { access: access.token, token_type: 'Bearer' as const, expires_in: c.var.config.accessTokenSeconds, clinic: membership } }
}
