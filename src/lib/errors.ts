import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ZodError } from 'zod'
import type { AppEnv } from '../env'
import { fieldErrors } from './validation'

export type ErrorCode =
  | 'validation_error'
  | 'not_authenticated'
  | 'token_not_valid'
  | 'invalid_credentials'
  | 'permission_denied'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal_error'
  | 'service_unavailable'

export type FieldErrors = Record<string, string[]>

export interface ErrorBody {
  error: string
  code: ErrorCode
  details?: FieldErrors
  request_id?: string
}

interface ApiErrorOptions {
  details?: FieldErrors
  headers?: Record<string, string>
  /** Written to the log (never to the response) for server-side failures. */
  logReason?: string
}

/** The one error type handlers throw; `onError` turns it into the envelope. */
export class ApiError extends Error {
  readonly details?: FieldErrors
  readonly headers?: Record<string, string>
  readonly logReason?: string

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message)
    this.name = 'ApiError'
    this.details = options.details
    this.headers = options.headers
    this.logReason = options.logReason
  }
}

export const notFound = (what = 'The requested resource') => new ApiError(404, 'not_found', `${what} was not found.`)

export const fieldError = (field: string, message: string, status: ContentfulStatusCode = 400) =>
  new ApiError(status, status === 409 ? 'conflict' : 'validation_error', message, { details: { [field]: [message] } })

const HTTP_EXCEPTION_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'validation_error',
  401: 'not_authenticated',
  403: 'permission_denied',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
}

/** `onError`: every thrown error leaves as the envelope; internals only reach the log. */
export function handleError(error: Error, c: Context<AppEnv>): Response {
  const apiError = toApiError(error)
  const requestId = c.get('requestId')
  const body: ErrorBody = { error: apiError.message, code: apiError.code }
  if (apiError.details) body.details = apiError.details
  if (apiError.status >= 500) {
    body.request_id = requestId
    console.error(
      JSON.stringify({
        level: 'error',
        request_id: requestId,
        method: c.req.method,
        path: c.req.routePath,
        reason: apiError.logReason ?? describeUnexpected(error),
      }),
    )
  }
  return c.json(body, apiError.status, apiError.headers)
}

function toApiError(error: Error): ApiError {
  if (error instanceof ApiError) return error
  if (error instanceof ZodError) {
    return new ApiError(400, 'validation_error', 'The request is not valid.', { details: fieldErrors(error) })
  }
  if (error instanceof HTTPException) {
    const code = HTTP_EXCEPTION_CODES[error.status]
    if (code) {
      const message = error.status === 400 && error.message ? asSentence(error.message) : defaultMessage(code)
      return new ApiError(error.status as ContentfulStatusCode, code, message)
    }
  }
  const conflict = uniqueViolation(error)
  if (conflict) return conflict
  // The schemas mirror every CHECK constraint, so this is a backstop: input the database refused is the client's, not a 500.
  if (/CHECK constraint failed/.test(error.message)) {
    return new ApiError(400, 'validation_error', 'A value is outside what the record allows.')
  }
  return new ApiError(500, 'internal_error', 'Something went wrong on our side. Quote the request id if you report it.')
}

function defaultMessage(code: ErrorCode): string {
  switch (code) {
    case 'not_authenticated':
      return 'Authentication credentials were not provided.'
    case 'permission_denied':
      return 'You do not have permission to perform this action.'
    case 'not_found':
      return 'Not found.'
    case 'payload_too_large':
      return 'The request body is too large.'
    case 'unsupported_media_type':
      return 'Send the request body as application/json.'
    case 'rate_limited':
      return 'Too many requests. Try again later.'
    default:
      return 'The request could not be processed.'
  }
}

/** SQLite reports `UNIQUE constraint failed: table.col[, table.col]`; the last column names the field. */
function uniqueViolation(error: Error): ApiError | undefined {
  const match = /UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)/.exec(error.message)
  if (!match) return undefined
  const field = match[1].split(', ').at(-1)!.split('.').at(-1)!
  const message = `This ${field.replaceAll('_', ' ')} is already in use.`
  return new ApiError(409, 'conflict', message, { details: { [field]: [message] } })
}

function asSentence(text: string): string {
  return text.endsWith('.') ? text : `${text}.`
}

function describeUnexpected(error: Error): string {
  return `${error.name}: ${error.message}`
}
