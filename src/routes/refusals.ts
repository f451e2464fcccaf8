import { COMMON_PASSWORD_MESSAGE } from '../auth/password-policy'
import { nowSeconds } from '../core/clock'
import { lockedForSeconds } from '../core/lockout'
import { isRefusal, type Outcome, type Refusal } from '../core/refusal'
import type { ErrorCode } from '../core/error-codes'
import { ApiError, fieldError, INVALID_TOKEN_CHALLENGE } from '../lib/errors'

/** How one kind of record words its refusals. */
export interface RefusalWords {
  /** "The patient", for "The patient was not found." */
  subject: string
  /** The 403 message when the record exists but is not the caller's to change; without it, 'denied' is the same 404 as missing. */
  forbidden?: string
  /** The 409 message while `count` other records still point at it. */
  inUse?: (count: number) => string
  /** The 409 message when the same record already exists; without it, the 409 names the field. */
  duplicate?: string
  /** The field a refused password was sent in (register: `password`, change-password: `new_password`). */
  passwordField?: string
  /**
   * The record is a token (or the account behind it): a refusal of the token itself (missing,
   * denied, stale, reused) is a 401 `token_not_valid`, with the Bearer challenge for an access token.
   */
  token?: { type: 'access' | 'refresh'; messages?: Partial<Record<TokenRefusal, string>> }
  /** A refusal this operation answers with another error code (a login whose account changed mid-check is a plain 401). */
  answeredAs?: Partial<Record<Refusal['refused'], ErrorCode>>
}

type TokenRefusal = 'not_found' | 'denied' | 'stale' | 'reused'
const TOKEN_REFUSALS = new Set<Refusal['refused']>(['not_found', 'denied', 'stale', 'reused'])

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`

/** The API error for a refusal: the one place where `db/` outcomes become HTTP. */
export function refusalError(refusal: Refusal, words: RefusalWords): ApiError {
  const code = words.answeredAs?.[refusal.refused]
  if (code) return new ApiError(code)
  if (words.token && TOKEN_REFUSALS.has(refusal.refused)) return tokenError(refusal as Extract<Refusal, { refused: TokenRefusal }>, words.token)
  switch (refusal.refused) {
    case 'not_found':
      return new ApiError('not_found', `${words.subject} was not found.`)
    case 'denied':
      return words.forbidden ? new ApiError('permission_denied', words.forbidden) : new ApiError('not_found', `${words.subject} was not found.`)
    case 'stale':
      return new ApiError('precondition_failed')
    case 'in_use':
      return new ApiError('conflict', words.inUse?.(refusal.count) ?? `${words.subject} is still in use by ${plural(refusal.count, 'record')}.`)
    case 'duplicate':
      if (words.duplicate || !refusal.field) return new ApiError('conflict', words.duplicate ?? `${words.subject} already exists.`)
      return fieldError(refusal.field, `This ${refusal.field.replaceAll('_', ' ')} is already in use.`, 'conflict')
    case 'invalid':
      return new ApiError('validation_error', refusal.message, { details: refusal.details })
    case 'locked':
      return new ApiError('rate_limited', 'Too many failed logins for this account. Try again later.', {
        headers: { 'Retry-After': String(lockedForSeconds(refusal.lock, nowSeconds())) },
      })
    case 'common_password':
      return fieldError(words.passwordField ?? 'password', COMMON_PASSWORD_MESSAGE)
    case 'reused':
      return new ApiError('token_not_valid', `${words.subject} was already used.`)
    case 'last_admin':
      return new ApiError('conflict', 'A clinic keeps at least one active admin: make another member admin first.')
  }
}

function tokenError(refusal: Extract<Refusal, { refused: TokenRefusal }>, { type, messages }: NonNullable<RefusalWords['token']>): ApiError {
  const message = messages?.[refusal.refused] ?? `The ${type} token is invalid or expired.`
  return new ApiError('token_not_valid', message, { headers: type === 'access' ? INVALID_TOKEN_CHALLENGE : undefined })
}

/** The record of an outcome, or its refusal thrown as the API error. */
export function orRefuse<T>(outcome: Outcome<T>, words: RefusalWords): T {
  if (isRefusal(outcome)) throw refusalError(outcome, words)
  return outcome
}

export const PATIENT: RefusalWords = {
  subject: 'The patient',
  inUse: (count) => `This patient still has ${plural(count, 'doctor assignment')}; remove its ${plural(count, 'assignment')} first.`,
}

export const DOCTOR: RefusalWords = {
  subject: 'The doctor',
  forbidden: 'Only the user who added this doctor may change or delete it.',
  // No count: the assignments may be of other users' patients, which the doctor's creator may not learn of.
  inUse: () => 'This doctor is assigned to patients: their assignments must be removed first.',
}

export const ASSIGNMENT: RefusalWords = {
  subject: 'The assignment',
  duplicate: 'This doctor is already assigned to this patient.',
}

export const ACCOUNT: RefusalWords = { subject: 'User', forbidden: 'Only administrators may do this.' }

/** Registration and password changes: a taken email names the field, a common password names its own. */
export const NEW_ACCOUNT: RefusalWords = { subject: 'The account', passwordField: 'password' }

/** The signed-in account itself (me, change-password): once it is gone or changed, the access token is what failed. */
export const ACCESS_TOKEN: RefusalWords = { subject: 'The access token', token: { type: 'access' } }

/** Change-password: a common new password names its field; a password changed meanwhile ended this access token. */
export const NEW_PASSWORD: RefusalWords = { ...ACCESS_TOKEN, passwordField: 'new_password' }

/** A login: locked (429 with Retry-After), or its account changed while the password was checked (a plain 401, nothing issued). */
export const LOGIN: RefusalWords = { subject: 'The account', answeredAs: { stale: 'invalid_credentials' } }

export const REFRESH_TOKEN: RefusalWords = { subject: 'The refresh token', token: { type: 'refresh' } }

const USED_REFRESH_TOKEN = 'This refresh token was already used or revoked; sign in again.'

/** A rotation that did not happen: an honest retry moments after the rotation, or a token that is dead. */
export const ROTATION: RefusalWords = {
  subject: 'The refresh token',
  token: {
    type: 'refresh',
    messages: { stale: 'This refresh token was just used; use the pair that answer returned.', reused: USED_REFRESH_TOKEN, denied: USED_REFRESH_TOKEN },
  },
}

/** A clinic the caller is not an active member of: the same 404 as one that does not exist. */
export const CLINIC: RefusalWords = { subject: 'The clinic' }

/** Registration by invitation: an unusable invitation is a 404 (used, revoked, expired, unknown, or for another email). */
export const INVITED_ACCOUNT: RefusalWords = { ...NEW_ACCOUNT, subject: 'The invitation' }

/** An invitation: one the caller may not use is the same 404 as one that does not exist; joining twice is a 409. */
export const INVITATION: RefusalWords = { subject: 'The invitation', duplicate: 'You are already an active member of this clinic.' }

/** A member of the caller's clinic. */
export const MEMBER: RefusalWords = { subject: 'The member' }
export const DEAD_LETTER: RefusalWords = { subject: 'The dead letter', forbidden: ACCOUNT.forbidden, duplicate: 'This dead letter was already replayed.' }
