import { z } from '@hono/zod-openapi'
import { PageQuerySchema, paginated } from './pagination'
import { todayUtc } from '../core/clock'
import { actorName, AUDIT_ACTION, AUDIT_RESOURCE, changedFields, email, emptyAsAbsent, NULLABLE_STRING, optionalField, phoneNumber, plainText, REQUEST_ID, STORED_PHONE, textOf, timestamp, WHOLE, writableBody } from './common'

import { AUDIT_OUTCOMES, BLOOD_GROUPS, FLAGS, GENDERS, PATIENT_ORDERINGS } from '../core/enums'

const EARLIEST_BIRTH_DATE = '1900-01-01'

/** Fields a client may echo back from a GET; they are dropped from request bodies, never written. */
const READ_ONLY_KEYS = ['id', 'age', 'created_by', 'created_at', 'updated_at', 'version'] as const

/** Enum issues have no "missing" code of their own, so a missing value is told apart here. */
const choiceError = (message: string) => (issue: { input?: unknown }) => {
  if (issue.input === undefined) return 'This field is required.'
  if (issue.input === null) return 'This field may not be null.'
  return message
}

/** A string whose wrong-type message is a sentence; missing and null keep the global messages. */
const textField = () => z.string({ error: (issue) => (issue.input == null ? undefined : 'Send this field as text.') })

function dateOfBirthProblem(value: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!match) return 'Enter the date as YYYY-MM-DD.'
  const [year, month, day] = match.slice(1).map(Number)
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return 'This date does not exist in the calendar.'
  }
  // YYYY-MM-DD strings compare in calendar order.
  if (value > todayUtc()) return 'The date of birth cannot be in the future.'
  if (value < EARLIEST_BIRTH_DATE) return 'The date of birth cannot be before 1900-01-01.'
  return undefined
}

const name = plainText(textField().trim().min(1, 'Enter a name.').max(120, 'Keep the name to 120 characters or fewer.')).openapi({ example: 'Grace Hopper' })

const dateOfBirth = textField()
  .superRefine((value, ctx) => {
    const problem = dateOfBirthProblem(value)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })
  .openapi({ format: 'date', maxLength: 10, description: 'Not in the future (UTC) and not before 1900-01-01.', example: '1980-03-15' })

const gender = z.enum(GENDERS, { error: choiceError('Choose male, female or other.') }).openapi({ example: 'female' })

/** Optional text of one or more lines: trimmed, blank means "no value", null clears it. */
const optionalText = (max: number, label: string, example: string) =>
  plainText(textField().trim().max(max, `Keep the ${label} to ${max.toLocaleString('en-US')} characters or fewer.`), true)
    .transform((value) => value || null)
    .nullable()
    .optional()
    .openapi({ example })

const optionalEmail = optionalField(email())
  .openapi({ type: ['string', 'null'], format: 'email', maxLength: 254, example: 'grace@example.com' })

const bloodGroup = optionalField(z.enum(BLOOD_GROUPS, { error: choiceError(`Choose one of ${BLOOD_GROUPS.join(', ')}.`) }))
  .openapi({ example: 'O+' })

const writableShape = {
  name,
  date_of_birth: dateOfBirth,
  gender,
  email: optionalEmail,
  phone_number: optionalField(phoneNumber()).openapi(NULLABLE_STRING),
  address: optionalText(500, 'address', '12 Harbour Road, Arlington'),
  blood_group: bloodGroup,
  medical_history: optionalText(10_000, 'medical history', 'Penicillin allergy.'),
}

/**
 * POST and PUT: every required field; optional fields left out are stored as null (PUT replaces the
 * record). `medical_history` left out stays undefined: a front-desk member's PUT keeps what they never see.
 */
export const PatientWriteSchema = writableBody(writableShape, READ_ONLY_KEYS)
  .transform((body) => ({
    ...body,
    email: body.email ?? null,
    phone_number: body.phone_number ?? null,
    address: body.address ?? null,
    blood_group: body.blood_group ?? null,
  }))
  .openapi('PatientWrite')

/** PATCH: any subset of the writable fields. */
export const PatientPatchSchema = writableBody(
  {
    ...writableShape,
    name: name.optional(),
    date_of_birth: dateOfBirth.optional(),
    gender: gender.optional(),
  },
  READ_ONLY_KEYS,
).openapi('PatientPatch')

export type PatientInput = z.output<typeof PatientWriteSchema>
export type PatientChanges = z.output<typeof PatientPatchSchema>

export const PatientSchema = z
  .object({
    id: z.number().int().openapi({ ...WHOLE, example: 1 }),
    name: z.string().openapi({ ...textOf(120), example: 'Grace Hopper' }),
    date_of_birth: z.string().openapi({ format: 'date', maxLength: 10, example: '1980-03-15' }),
    age: z.number().int().openapi({ format: 'int32', minimum: 0, maximum: 200, description: 'Whole years as of today (UTC), computed on every read.', example: 45 }),
    gender: z.enum(GENDERS).openapi({ example: 'female' }),
    email: z.string().nullable().openapi({ format: 'email', maxLength: 254, example: 'grace@example.com' }),
    phone_number: z.string().nullable().openapi({ ...STORED_PHONE, example: '+15551234567' }),
    address: z.string().nullable().openapi({ ...textOf(500, true), example: '12 Harbour Road, Arlington' }),
    blood_group: z.enum(BLOOD_GROUPS).nullable().openapi({ example: 'O+' }),
    medical_history: z
      .string()
      .nullable()
      .optional()
      .openapi({ ...textOf(10_000, true), description: 'Absent from every answer to a front-desk member of the clinic.', example: 'Penicillin allergy.' }),
    created_by: z.number().int().openapi({ ...WHOLE, description: 'The user who created this patient; every member of its clinic can see it.', example: 1 }),
    created_at: timestamp(),
    updated_at: timestamp(),
  })
  .openapi('Patient')

export type Patient = z.infer<typeof PatientSchema>

export const PatientPageSchema = paginated(PatientSchema, 'PatientPage')

/** Query values arrive as strings; an empty one means the filter is not applied. */
/** An unencoded `+` in a query string decodes to a space, so `?blood_group=A+` arrives as "A ". */
const plusDecodedAsSpace = (value: unknown) =>
  typeof value === 'string' && /^(A|B|AB|O) $/.test(value) ? `${value.trimEnd()}+` : emptyAsAbsent(value)

export const PatientListQuerySchema = PageQuerySchema.extend({
  search: plainText(z.string().trim().max(100))
    .optional()
    .openapi({ maxLength: 100, description: 'Case-insensitive substring of the name, email or phone number.', example: 'hopper' }),
  gender: z.preprocess(emptyAsAbsent, z.enum(GENDERS, { error: 'Choose male, female or other.' }).optional()).openapi({ example: 'female' }),
  blood_group: z
    .preprocess(plusDecodedAsSpace, z.enum(BLOOD_GROUPS, { error: `Choose one of ${BLOOD_GROUPS.join(', ')}.` }).optional())
    .openapi({ description: 'Encode `+` as `%2B`.', example: 'O+' }),
  ordering: z
    .preprocess(
      emptyAsAbsent,
      z.enum(PATIENT_ORDERINGS, { error: `Order by one of ${PATIENT_ORDERINGS.join(', ')}.` }).default('-created_at'),
    )
    .openapi({ description: 'A leading `-` sorts descending; ties are broken by id.', example: '-created_at' }),
})

export type PatientListQuery = z.output<typeof PatientListQuerySchema>

export const HistoryEventSchema = z
  .object({
    id: z.number().int().openapi({ ...WHOLE, example: 42 }),
    occurred_at: timestamp(),
    actor_id: z.number().int().nullable().openapi({ ...WHOLE, description: 'The user who acted; null when nobody was signed in.', example: 1 }),
    actor_name: actorName(),
    action: z.string().openapi(AUDIT_ACTION),
    resource_type: z.string().openapi(AUDIT_RESOURCE),
    resource_id: z.number().int().nullable().openapi({ ...WHOLE, example: 1 }),
    outcome: z.enum(AUDIT_OUTCOMES).openapi({ example: 'ok' }),
    request_id: z
      .string()
      .openapi({ ...REQUEST_ID, description: "The id the server made for the request that caused the event (a client's own X-Request-Id is kept apart, as client_request_id).", example: '5f0c6f3e-2b1a-4c1d-9a57-0d8f2f1e9b21' }),
    changed: changedFields(),
  })
  .openapi('PatientHistoryEvent')

export type HistoryEvent = z.infer<typeof HistoryEventSchema>

export const HistoryPageSchema = paginated(HistoryEventSchema, 'PatientHistoryPage')

export const HistoryQuerySchema = PageQuerySchema.extend({
  reads: z
    .preprocess(
      emptyAsAbsent,
      z
        .enum(FLAGS, { error: 'Use true or false.' })
        .default('true')
        .transform((value) => value === 'true'),
    )
    .openapi({
      type: 'string',
      enum: [...FLAGS],
      description: 'false leaves out the events that only disclosed the patient (reads, lists and searches, reads of the trail: READ_ACTIONS in src/core/enums.ts), so the history reads as a change log; count and pages follow.',
      example: 'false',
    }),
})

export type HistoryQuery = z.output<typeof HistoryQuerySchema>
