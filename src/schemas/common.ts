import { z } from '@hono/zod-openapi'
import type { ChangedField } from '../core/audit'
import { ASSIGNMENT_FIELDS, DOCTOR_FIELDS, PATIENT_FIELDS } from '../core/enums'
import { codesWithStatus, ERROR_CODE_NAMES, ERROR_CODES, type ErrorStatus } from '../core/error-codes'

/** An integer the API answers (ids, counts): never negative, within JavaScript's safe range. */
export const WHOLE = { format: 'int64', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const

/** A request integer with its own minimum: zod's `.int()` refuses anything beyond the safe range. */
export const SAFE_INT = { format: 'int64', maximum: Number.MAX_SAFE_INTEGER } as const

/**
 * Text on one line (a name, a search): no control character (C0, DEL, C1), so no tab or line break
 * either. Written as the OpenAPI document states it, in escapes any regex dialect reads alike.
 */
const ONE_LINE_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$'
/** Text that may span lines (an address, notes): tabs and line breaks, but no other control character. */
const LINES_PATTERN = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$'
export const ONE_LINE = new RegExp(ONE_LINE_PATTERN)
export const LINES = new RegExp(LINES_PATTERN)

export const TEXT_MESSAGES = {
  oneLine: 'Use one line of text: no tabs, line breaks or other control characters.',
  lines: 'Use text without control characters (tabs and line breaks are fine).',
} as const

/** Refuses control characters in request text (400 on the field); `lines` lets tabs and line breaks through. */
export const plainText = <T extends z.ZodString>(text: T, lines = false): T =>
  text.regex(lines ? LINES : ONE_LINE, lines ? TEXT_MESSAGES.lines : TEXT_MESSAGES.oneLine)

/** The OpenAPI facts of text the API answers: at most `maxLength`, and only what `plainText` lets in. */
export const textOf = (maxLength: number, lines = false) => ({ maxLength, pattern: lines ? LINES_PATTERN : ONE_LINE_PATTERN })

/** The server's id of a request (a UUID; `import-…` and `create-admin:…` for the command-line tools). */
export const REQUEST_ID = { maxLength: 128, pattern: '^[\\w:-]+$' } as const

/** A client's own X-Request-Id, kept only when it has this form (middleware/request-ids.ts). */
export const CLIENT_REQUEST_ID = { maxLength: 255, pattern: '^[\\w=-]+$' } as const

/** An audit event's action (`patient.read`, `import`) and the type of the record it is about (`patient`). */
export const AUDIT_ACTION = { maxLength: 64, pattern: '^[a-z_]+(\\.[a-z_]+)?$', example: 'patient.update' } as const
export const AUDIT_RESOURCE = { maxLength: 64, pattern: '^[a-z_]+$', example: 'patient' } as const

/** JSON text as JSON.stringify and SQLite's json functions write it: every control character escaped. */
export const JSON_TEXT = '^[^\\u0000-\\u001f]*$'

/** A client address as Cloudflare gives it (lib/client-ip.ts keeps nothing else). */
export const IP_ADDRESS = { maxLength: 45, pattern: '^[\\da-fA-F:.]+$' } as const

export const ErrorSchema = z
  .object({
    error: z.string().openapi({ ...textOf(1000), example: 'The request is not valid.' }),
    code: z.enum(ERROR_CODE_NAMES).openapi({ example: 'validation_error' }),
    details: z
      .record(z.string().openapi({ maxLength: 200 }), z.array(z.string().openapi(textOf(1000))).openapi({ maxItems: 100 }))
      .optional()
      .openapi({ example: { email: ['Enter a valid email address.'] } }),
    request_id: z.string().optional().openapi({ format: 'uuid', maxLength: 36, description: 'Present on 5xx answers; quote it when reporting a problem.' }),
  })
  .openapi('Error')

/** The OpenAPI description of an error status: the codes answered with it, from the catalogue. */
const describeStatus = (status: ErrorStatus) =>
  codesWithStatus(status)
    .map((code) => `${code}: ${ERROR_CODES[code].description}`)
    .join('; ')

/** Every 429 tells the client how long to wait. */
export const RETRY_AFTER_HEADER = {
  'Retry-After': {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer' as const, format: 'int32', minimum: 1, maximum: 86_400, example: 60 },
  },
}

/**
 * What every route can answer, before its own checks: 400 (a query string that is not UTF-8 or holds
 * a NUL, an x-d1-bookmark that is not ours) and 500 (`onError` turns any fault, a misconfiguration
 * included, into the envelope with a request id).
 */
const ALWAYS = [400, 500] as const

/**
 * OpenAPI `responses` entries for the error statuses a route can answer, all in the envelope, with
 * 400 and 500 always among them; a 429 also documents its `Retry-After` header.
 */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]) {
  return Object.fromEntries(
    [...new Set<ErrorStatus>([...statuses, ...ALWAYS])].map((status) => [
      status,
      {
        description: describeStatus(status),
        ...(status === 429 ? { headers: RETRY_AFTER_HEADER } : {}),
        content: { 'application/json': { schema: ErrorSchema } },
      },
    ]),
  ) as unknown as Record<S | (typeof ALWAYS)[number], { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }>
}

/** Error responses every JSON-body route can give before its handler runs. */
export const BODY_ERRORS = [400, 413, 415] as const

export const email = () =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: 'Enter a valid email address.' }).max(254))
    .openapi({ type: 'string', format: 'email', maxLength: 254, example: 'ada@example.com' })

const blankAsNull = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? null : value)

/** An optional field: absent leaves it alone, `null` or blank text clears it. */
export const optionalField = <T extends z.ZodType>(schema: T) => z.preprocess(blankAsNull, schema.nullable()).optional()

/** A phone number: `+` optional, then 7–15 digits; spaces and dashes are accepted and removed. */
export const phoneNumber = () =>
  z
    .string()
    .max(64, 'Keep the phone number to 64 characters or fewer.')
    .transform((value) => value.replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^\+?\d{7,15}$/, { error: 'Enter a phone number of 7 to 15 digits, optionally starting with +; spaces and dashes are fine.' }))
    .openapi({ type: 'string', maxLength: 64, pattern: '^[\\s-]*\\+?[\\d\\s-]{7,}$', example: '+14155550123', description: 'Spaces and dashes are removed before storing.' })

/** `{ content: application/json }` wrapper for request bodies and responses. */
export const json = <T extends z.ZodType>(schema: T, description = '') => ({
  description,
  content: { 'application/json': { schema } },
})

/** A route's required JSON request body (the `jsonBody` middleware has already read and bounded it). */
export const requestBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
})

/**
 * A request body that refuses unknown fields (400, `details.<field>`) but silently drops the
 * read-only ones a client may echo back from a GET (`id`, `created_at`, ...).
 */
export function writableBody<T extends z.ZodRawShape>(shape: T, readOnly: readonly string[]) {
  const ignored = new Set(readOnly)
  const dropReadOnly = (value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).filter(([key]) => !ignored.has(key)))
      : value
  return z.preprocess(dropReadOnly, z.strictObject(shape))
}

export const IdParamSchema = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ ...SAFE_INT, param: { name: 'id', in: 'path' }, example: 1 }),
})

/** How optional fields are documented: `null` (or blank text) clears them. */
export const NULLABLE_STRING: { type: ['string', 'null'] } = { type: ['string', 'null'] }

/** A stored phone number: `+` and at most 15 digits. */
export const STORED_PHONE = { maxLength: 16, pattern: '^\\+?\\d{7,15}$' } as const

/** An audit event's actor by name, as the account is named now: the history and the audit lists share it. */
export const actorName = () =>
  z
    .string()
    .nullable()
    .openapi({
      ...textOf(150),
      description: "That user's name now; null when nobody was signed in or the account is gone.",
      example: 'Ada Smith',
    })

/** A query filter sent empty (`?gender=`, as a cleared form sends it) is no filter at all. */
export const emptyAsAbsent = (value: unknown) => (value === '' ? undefined : value)

/** ISO-8601 UTC without fractions, as every timestamp in the API. */
export const timestamp = () => z.string().openapi({ format: 'date-time', maxLength: 20, example: '2026-01-05T10:35:00Z' })

const CHANGED_FIELDS = [...new Set([...PATIENT_FIELDS, ...DOCTOR_FIELDS, ...ASSIGNMENT_FIELDS])] as [ChangedField, ...ChangedField[]]

/** The names of the fields an update event changed: never their values. */
export const changedFields = () =>
  z
    .array(z.enum(CHANGED_FIELDS))
    .max(CHANGED_FIELDS.length)
    .nullable()
    .openapi({
      description:
        "The fields the update changed, by name and in the record's field order; never their values. `[]` for an update that sent only the values already stored; null for an event that is not an update, a refused update, or one recorded before names were kept.",
      example: ['phone_number', 'address'],
    })
