import { isRefusal, type Outcome, type Refusal } from '../core/refusal'
import { ApiError } from '../lib/errors'

/** How one kind of record words its refusals. */
export interface RefusalWords {
  /** "The patient", for "The patient was not found." */
  subject: string
  /** The 403 message when the record exists but is not the caller's to change; without it, 'denied' is the same 404 as missing. */
  forbidden?: string
  /** The 409 message while `count` other records still point at it. */
  inUse?: (count: number) => string
  /** The 409 message when the same record already exists. */
  duplicate?: string
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`

/** The API error for a refusal: the one place where `db/` outcomes become HTTP. */
export function refusalError(refusal: Refusal, words: RefusalWords): ApiError {
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
      return new ApiError('conflict', words.duplicate ?? `${words.subject} already exists.`)
    case 'invalid':
      return new ApiError('validation_error', refusal.message, { details: refusal.details })
  }
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
  inUse: (count) => `This doctor is assigned to patients: remove its ${plural(count, 'assignment')} first.`,
}

export const ASSIGNMENT: RefusalWords = {
  subject: 'The assignment',
  duplicate: 'This doctor is already assigned to this patient.',
}

export const ACCOUNT: RefusalWords = { subject: 'User', forbidden: 'Only administrators may do this.' }

export const DEAD_LETTER: RefusalWords = { subject: 'The dead letter', forbidden: ACCOUNT.forbidden, duplicate: 'This dead letter was already replayed.' }
