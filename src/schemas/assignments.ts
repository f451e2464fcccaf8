import { z } from '@hono/zod-openapi'
import { PageQuerySchema, paginated } from './pagination'
import { plainText, SAFE_INT, textOf, timestamp, WHOLE, writableBody } from './common'
import { DoctorSchema } from './doctors'
import { PatientSchema } from './patients'
import { FLAGS } from '../core/enums'

/** Fields of the assignment object a client may echo back; dropped from bodies, never written. */
const READ_ONLY_KEYS = [
  'id',
  'patient_name',
  'doctor_name',
  'doctor_specialization',
  'assigned_by',
  'assigned_at',
  'updated_at',
  'patient_details',
  'doctor_details',
  'version',
] as const

const recordId = (what: string) =>
  z
    .number({ error: `Give the ${what}'s id as an integer.` })
    .int({ error: `Give the ${what}'s id as an integer.` })
    .positive()
    .openapi(SAFE_INT)

const notes = plainText(z.string().max(1000, { error: 'Keep the notes to 1,000 characters or fewer.' }), true)
  .nullable()
  .openapi({ example: 'Follow-up every three months.' })

/** A field and its `_id` alias both sent, with different ids: which one was meant is not ours to guess. */
function refuseConflictingAliases(body: { patient?: number; patient_id?: number; doctor?: number; doctor_id?: number }, ctx: z.RefinementCtx): void {
  for (const field of ['patient', 'doctor'] as const) {
    const [given, alias] = [body[field], body[`${field}_id`]]
    if (given !== undefined && alias !== undefined && given !== alias) {
      ctx.addIssue({ code: 'custom', path: [`${field}_id`], message: `${field} and ${field}_id name different records: send one of them.` })
    }
  }
}

const isActive = z.boolean({ error: 'Must be true or false.' }).openapi({ example: true })

export const AssignmentCreateSchema = writableBody(
  {
    patient: recordId('patient').optional().openapi({ example: 1 }),
    doctor: recordId('doctor').optional().openapi({ example: 1 }),
    patient_id: recordId('patient').optional().openapi({ description: 'Alias of `patient`.' }),
    doctor_id: recordId('doctor').optional().openapi({ description: 'Alias of `doctor`.' }),
    notes: notes.optional(),
    is_active: isActive.optional(),
  },
  READ_ONLY_KEYS,
)
  .superRefine((body, ctx) => {
    for (const field of ['patient', 'doctor'] as const) {
      if (body[field] === undefined && body[`${field}_id`] === undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: 'This field is required.' })
      }
    }
    refuseConflictingAliases(body, ctx)
  })
  .transform((body) => ({
    patient: (body.patient ?? body.patient_id)!,
    doctor: (body.doctor ?? body.doctor_id)!,
    notes: body.notes ?? null,
    is_active: body.is_active ?? true,
  }))
  .openapi('AssignmentCreate')

/**
 * PUT and PATCH change only `notes` and `is_active`. `patient`/`doctor` may be echoed back unchanged;
 * a different value is refused by the handler (the assignment's pair is fixed).
 */
export const AssignmentUpdateSchema = writableBody(
  {
    notes: notes.optional(),
    is_active: isActive.optional(),
    patient: recordId('patient').optional(),
    doctor: recordId('doctor').optional(),
    patient_id: recordId('patient').optional(),
    doctor_id: recordId('doctor').optional(),
  },
  READ_ONLY_KEYS,
)
  .superRefine(refuseConflictingAliases)
  .transform(({ patient, patient_id, doctor, doctor_id, ...changes }) => ({
    changes,
    pair: { patient: patient ?? patient_id, doctor: doctor ?? doctor_id },
  }))
  .openapi('AssignmentUpdate')

export type AssignmentCreate = z.output<typeof AssignmentCreateSchema>
export type AssignmentUpdate = z.output<typeof AssignmentUpdateSchema>

export const AssignmentSchema = z
  .object({
    id: z.number().int().openapi({ ...WHOLE, example: 1 }),
    patient: z.number().int().openapi({ ...WHOLE, example: 1 }),
    doctor: z.number().int().openapi({ ...WHOLE, example: 1 }),
    patient_name: z.string().openapi({ ...textOf(120), example: 'Grace Hopper' }),
    doctor_name: z.string().openapi({ ...textOf(120), example: 'Dr. John Watson' }),
    doctor_specialization: z.string().openapi({ ...textOf(120), example: 'Cardiology' }),
    notes: z.string().nullable().openapi({ ...textOf(1000, true), example: 'Follow-up every three months.' }),
    is_active: z.boolean(),
    assigned_by: z.number().int().openapi({ ...WHOLE, example: 1 }),
    assigned_at: timestamp(),
    updated_at: timestamp(),
  })
  .openapi('Assignment')

export const AssignmentDetailSchema = AssignmentSchema.extend({
  patient_details: PatientSchema,
  doctor_details: DoctorSchema,
}).openapi('AssignmentDetail')

export const AssignmentPageSchema = paginated(AssignmentSchema, 'AssignmentPage')

const flag = z
  .enum(FLAGS, { error: 'Use true or false.' })
  .transform((value) => value === 'true')
  .optional()

export const AssignmentListQuerySchema = PageQuerySchema.extend({
  patient: z.coerce.number().int().positive().optional().openapi({ ...SAFE_INT, description: 'Only this patient’s assignments.' }),
  doctor: z.coerce.number().int().positive().optional().openapi({ ...SAFE_INT, description: 'Only this doctor’s assignments.' }),
  is_active: flag.openapi({ type: 'string', enum: [...FLAGS] }),
})

export type AssignmentListQuery = z.output<typeof AssignmentListQuerySchema>

export const AssignedDoctorSchema = DoctorSchema.extend({
  mapping_id: z.number().int().openapi({ ...WHOLE, example: 1 }),
  is_active: z.boolean().openapi({ description: 'Whether the assignment is active.' }),
  assigned_at: timestamp(),
}).openapi('AssignedDoctor')

export const PatientDoctorsSchema = z
  .object({
    patient_id: z.number().int().openapi({ ...WHOLE, example: 1 }),
    patient_name: z.string().openapi({ ...textOf(120), example: 'Grace Hopper' }),
    count: z.number().int().openapi({ ...WHOLE, example: 1 }),
    doctors: z.array(AssignedDoctorSchema),
  })
  .openapi('PatientDoctors')

export type Assignment = z.infer<typeof AssignmentSchema>
export type AssignmentDetail = z.infer<typeof AssignmentDetailSchema>
export type PatientDoctors = z.infer<typeof PatientDoctorsSchema>
