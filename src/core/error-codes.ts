/**
 * The error catalogue: every `code` the API answers with, its HTTP status, the message it carries
 * when nothing more specific is said, and what it means (for the OpenAPI document and docs/records.md).
 */
export const ERROR_CODES = {
  validation_error: { status: 400, message: 'The request is not valid.', description: 'the request or one of its fields is not valid' },
  not_authenticated: { status: 401, message: 'Authentication credentials were not provided.', description: 'no access token was sent' },
  token_not_valid: { status: 401, message: 'The token is invalid or expired.', description: 'the token is invalid, expired, revoked, or its account is disabled' },
  invalid_credentials: { status: 401, message: 'No active account found with the given email and password.', description: 'wrong email or password' },
  permission_denied: { status: 403, message: 'You do not have permission to perform this action.', description: 'signed in, but not allowed to do this' },
  not_found: { status: 404, message: 'Not found.', description: 'no such record, or not yours' },
  method_not_allowed: { status: 405, message: 'This method is not allowed here.', description: 'the path exists; the method does not (see Allow)' },
  conflict: { status: 409, message: 'The change clashes with existing data.', description: 'the change clashes with existing data' },
  precondition_failed: {
    status: 412,
    message: 'This record has changed since you read it: read it again and retry with its current ETag.',
    description: 'the record changed since the ETag sent in If-Match',
  },
  payload_too_large: { status: 413, message: 'The request body is too large.', description: 'the body is over 64 KiB' },
  unsupported_media_type: { status: 415, message: 'Send the request body as application/json.', description: 'the body is not application/json' },
  rate_limited: { status: 429, message: 'Too many requests. Try again later.', description: 'too many requests: wait for Retry-After seconds' },
  internal_error: {
    status: 500,
    message: 'Something went wrong on our side. Quote the request id if you report it.',
    description: 'a fault on our side; quote request_id',
  },
  service_unavailable: { status: 503, message: 'The service is unavailable. Try again shortly.', description: 'a dependency is down; try again shortly' },
  audit_unavailable: {
    status: 503,
    message: 'The audit trail cannot record this read right now, so nothing was disclosed. Try again shortly.',
    description: 'the audit trail could not record the read, so no patient data was sent (fail closed)',
  },
} as const

export type ErrorCode = keyof typeof ERROR_CODES
export type ErrorStatus = (typeof ERROR_CODES)[ErrorCode]['status']

export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]

/** Field name → messages, as Django REST framework reports field errors. */
export type FieldErrors = Record<string, string[]>

/** Field name for errors about the body as a whole, as Django REST framework names it. */
export const NON_FIELD = 'non_field_errors'

/** The codes answered with `status`, for describing a status in the OpenAPI document. */
export const codesWithStatus = (status: number): ErrorCode[] =>
  ERROR_CODE_NAMES.filter((code) => ERROR_CODES[code].status === status)
