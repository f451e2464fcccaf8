import type { FieldErrors } from './error-codes'
import type { LockState } from './lockout'

/**
 * Why a query did not return its record; query functions return one of these instead of throwing,
 * and the route layer turns it into the API error (routes/refusals.ts), the only place that does.
 * - `not_found`: no such record.
 * - `denied`: it exists but is not the caller's to see or change.
 * - `stale`: it changed since the caller last saw it (If-Match, an account changed mid-login, a
 *   refresh token rotated moments ago).
 * - `in_use`: other records still point at it (`count` of them).
 * - `duplicate`: the same record already exists (`field` names the unique column when one does).
 * - `invalid`: the input asks for what the record does not allow (`details` by field, and a summary `message` if one fits).
 * - `locked`: too many failed logins for this account from here (`lock` says until when).
 * - `common_password`: the password is on the common-password list.
 * - `reused`: a refresh token used again after its rotation: treated as theft.
 * - `last_admin`: the change would leave a clinic without an active admin.
 */
export type Refusal =
  | { refused: 'not_found' }
  | { refused: 'denied' }
  | { refused: 'stale' }
  | { refused: 'in_use'; count: number }
  | { refused: 'duplicate'; field?: string }
  | { refused: 'invalid'; details?: FieldErrors; message?: string }
  | { refused: 'locked'; lock: LockState }
  | { refused: 'common_password' }
  | { refused: 'reused' }
  | { refused: 'last_admin' }

/** A record the caller may not see, as a read's audit event ends: someone else's ('denied') or absent ('not_found'). */
export type Unseen = Extract<Refusal, { refused: 'denied' | 'not_found' }>

/** A query's answer: its record, or why not. */
export type Outcome<T> = T | Refusal

export const isRefusal = <T>(outcome: Outcome<T>): outcome is Refusal =>
  typeof outcome === 'object' && outcome !== null && 'refused' in outcome

export const isUnseen = <T>(found: T | Unseen): found is Unseen => isRefusal(found as Outcome<T>)
