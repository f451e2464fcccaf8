import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ZodError } from 'zod'
import { ConfigurationError } from '../core/config'
import { PermissionDeniedError } from '../core/permissions'
import { SessionEndedError } from '../core/session-ended'
import { codesWithStatus, ERROR_CODES, type ErrorCode, type FieldErrors } from '../core/error-codes'
import type { AppEnv } from '../env'
import { fieldErrors } from './field-errors'

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

/** The one error type handlers throw; its status comes from the catalogue, and `onError` turns it into the envelope. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode
  readonly details?: FieldErrors
  readonly headers?: Record<string, string>
  readonly logReason?: string

  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CODES[code].message,
    options: ApiErrorOptions = {},
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = ERROR_CODES[code].status
    this.details = options.details
    this.headers = options.headers
    this.logReason = options.logReason
  }
}

/** The `WWW-Authenticate` challenge of a 401 for an access token that is not (or no longer) valid. */
export const INVALID_TOKEN_CHALLENGE = { 'WWW-Authenticate': 'Bearer error="invalid_token"' }

/** A 400 (or 409) about one field, with the message both as the summary and under `details.<field>`. */
export const fieldError = (field: string, message: string, code: 'validation_error' | 'conflict' = 'validation_error') =>
  new ApiError(code, message, { details: { [field]: [message] } })

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
        reason: apiError.logReason ?? `${error.name}: ${error.message}`,
      }),
    )
  }
  return c.json(body, apiError.status, apiError.headers)
}

function toApiError(error: Error): ApiError {
  if (error instanceof ApiError) return error
  if (error instanceof ZodError) return new ApiError('validation_error', undefined, { details: fieldErrors(error) })
  if (error instanceof SessionEndedError) return new ApiError('token_not_valid', error.message, { headers: INVALID_TOKEN_CHALLENGE })
  if (error instanceof PermissionDeniedError) {
    return new ApiError('permission_denied', error.message, error.field ? { details: { [error.field]: [error.message] } } : {})
  }
  if (error instanceof ConfigurationError) {
    return new ApiError('internal_error', 'The server is misconfigured.', { logReason: `configuration error: ${error.message}` })
  }
  if (error instanceof HTTPException) {
    const [code] = codesWithStatus(error.status)
    if (code && error.status < 500) {
      return new ApiError(code, error.status === 400 && error.message ? asSentence(error.message) : undefined)
    }
  }
  return new ApiError('internal_error')
}

const asSentence = (text: string) => (text.endsWith('.') ? text : `${text}.`)
