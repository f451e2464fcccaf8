import { z } from '@hono/zod-openapi'
import { PageQuerySchema, paginated } from './pagination'
import { email, emptyAsAbsent, NULLABLE_STRING, optionalField, phoneNumber, plainText, STORED_PHONE, textOf, timestamp, WHOLE, writableBody } from './common'
import { DOCTOR_ORDERINGS, FLAGS } from '../core/enums'
import { FEE_MESSAGES, feeCents, MAX_FEE_CENTS } from '../core/money'

/** Sent back by clients that echo a GET: dropped, never an error. */
const READ_ONLY_KEYS = ['id', 'created_by', 'created_at', 'updated_at', 'version'] as const

/** Optional fields: `null` clears them, and blank text counts as `null`. */
const optionalText = (max: number, example: string, lines = false) =>
  plainText(z.string().trim().max(max, { error: `Use at most ${max} characters.` }), lines).openapi({ example })

const requiredText = (max: number, example: string) =>
  plainText(z.string().trim().min(1, { error: 'This field may not be blank.' }).max(max, { error: `Use at most ${max} characters.` })).openapi({ example })

/** The fee as a number: 0 to 1,000,000 in steps of a cent. */
const FEE_NUMBER = { type: 'number', minimum: 0, maximum: MAX_FEE_CENTS / 100, multipleOf: 0.01 } as const
/** The fee as decimal text, at most 2 decimals; the value must also be within 0 to 1,000,000. */
const FEE_TEXT = { type: 'string', pattern: '^\\s*[+-]?\\d*(\\.\\d{0,2})?\\s*$', maxLength: 64, example: '150.50' } as const

const consultationFee = z
  .union([z.number(), z.string().max(FEE_TEXT.maxLength, FEE_MESSAGES.notNumber)], { error: FEE_MESSAGES.notNumber })
  .transform((value, ctx) => {
    const cents = feeCents(value)
    if (typeof cents === 'string') {
      ctx.addIssue({ code: 'custom', message: cents })
      return z.NEVER
    }
    return cents
  })
  .openapi({
    example: '150.00',
    description: 'A number or numeric string from 0 to 1000000 with at most 2 decimals.',
    anyOf: [FEE_NUMBER, FEE_TEXT],
  })

const experienceYears = z
  .number({ error: 'Enter a whole number of years.' })
  .int({ error: 'Enter a whole number of years.' })
  .min(0, { error: 'Experience cannot be negative.' })
  .max(80, { error: 'Experience cannot be more than 80 years.' })
  .openapi({ format: 'int32', example: 12 })

const isAvailable = z.boolean({ error: 'Must be true or false.' }).openapi({ example: true })

const optionalFields = {
  email: optionalField(email()).openapi({ ...NULLABLE_STRING, format: 'email', maxLength: 254 }),
  phone_number: optionalField(phoneNumber()).openapi(NULLABLE_STRING),
  qualification: optionalField(optionalText(200, 'MBBS, MD (Cardiology)')),
  experience_years: optionalField(experienceYears).openapi({ type: ['integer', 'null'], minimum: 0, maximum: 80 }),
  license_number: optionalField(optionalText(50, 'MED-2024-0042')),
  clinic_address: optionalField(optionalText(500, '221B Baker Street, London', true)),
  consultation_fee: optionalField(consultationFee).openapi({ anyOf: [FEE_NUMBER, FEE_TEXT, { type: 'null' }], description: 'A number or numeric string from 0 to 1000000 with at most 2 decimals; null clears it.' }),
}

const requiredFields = {
  name: requiredText(120, 'Dr. John Watson'),
  specialization: requiredText(120, 'Cardiology'),
}

/** POST and PUT: every required field; optional fields left out are stored empty (PUT replaces the record). */
export const DoctorWriteSchema = writableBody(
  { ...requiredFields, ...optionalFields, is_available: isAvailable.optional() },
  READ_ONLY_KEYS,
)
  .transform((body) => ({
    ...body,
    email: body.email ?? null,
    phone_number: body.phone_number ?? null,
    qualification: body.qualification ?? null,
    experience_years: body.experience_years ?? null,
    license_number: body.license_number ?? null,
    clinic_address: body.clinic_address ?? null,
    consultation_fee: body.consultation_fee ?? null,
    is_available: body.is_available ?? true,
  }))
  .openapi('DoctorWrite')

export const DoctorPatchSchema = writableBody(
  {
    name: requiredFields.name.optional(),
    specialization: requiredFields.specialization.optional(),
    ...optionalFields,
    is_available: isAvailable.optional(),
  },
  READ_ONLY_KEYS,
).openapi('DoctorPatch')

/** A validated body: the fee is already in integer cents. */
export type DoctorChanges = z.output<typeof DoctorPatchSchema>
export type NewDoctor = z.output<typeof DoctorWriteSchema>

export const DoctorSchema = z
  .object({
    id: z.number().int().openapi({ ...WHOLE, example: 1 }),
    name: z.string().openapi({ ...textOf(120), example: 'Dr. John Watson' }),
    specialization: z.string().openapi({ ...textOf(120), example: 'Cardiology' }),
    email: z.string().nullable().openapi({ format: 'email', maxLength: 254, example: 'j.watson@example.com' }),
    phone_number: z.string().nullable().openapi({ ...STORED_PHONE, example: '+14155550123' }),
    qualification: z.string().nullable().openapi({ ...textOf(200), example: 'MBBS, MD (Cardiology)' }),
    experience_years: z.number().int().nullable().openapi({ format: 'int32', minimum: 0, maximum: 80, example: 12 }),
    license_number: z.string().nullable().openapi({ ...textOf(50), example: 'MED-2024-0042' }),
    clinic_address: z.string().nullable().openapi({ ...textOf(500, true), example: '221B Baker Street, London' }),
    consultation_fee: z
      .string()
      .nullable()
      .openapi({ description: 'Always two decimals, from 0.00 to 1000000.00.', pattern: '^\\d{1,7}\\.\\d{2}$', maxLength: 10, example: '150.00' }),
    is_available: z.boolean().openapi({ example: true }),
    created_by: z.number().int().openapi({ ...WHOLE, description: 'The user who added the doctor; only they may change it.', example: 1 }),
    created_at: timestamp(),
    updated_at: timestamp(),
  })
  .openapi('Doctor')

export type Doctor = z.infer<typeof DoctorSchema>

export const DoctorPageSchema = paginated(DoctorSchema, 'DoctorPage')

/** Query values arrive as strings; an empty one means the filter is not applied. */
export const DoctorListQuerySchema = PageQuerySchema.extend({
  search: plainText(z.string().trim().max(100))
    .optional()
    .openapi({ maxLength: 100, description: 'Case-insensitive substring of the name or specialization.', example: 'cardio' }),
  specialization: z
    .preprocess(emptyAsAbsent, plainText(z.string().trim().max(120)).optional())
    .openapi({ type: 'string', ...textOf(120), description: 'Exact specialization, in any letter case.', example: 'Cardiology' }),
  is_available: z
    .preprocess(
      emptyAsAbsent,
      z
        .enum(FLAGS, { error: 'Use true or false.' })
        .transform((value) => value === 'true')
        .optional(),
    )
    .openapi({ type: 'string', enum: [...FLAGS], example: 'true' }),
  ordering: z
    .preprocess(
      emptyAsAbsent,
      z.enum(DOCTOR_ORDERINGS, { error: `Order by one of ${DOCTOR_ORDERINGS.join(', ')}.` }).default('-created_at'),
    )
    .openapi({ description: 'A leading `-` sorts descending; ties are broken by id.', example: '-created_at' }),
})

export type { DoctorOrdering } from '../core/enums'
export type DoctorListQuery = z.output<typeof DoctorListQuerySchema>
