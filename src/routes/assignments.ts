import type { Context } from 'hono'
import { createRoute, type RouteHandler, z } from '@hono/zod-openapi'
import { isUnseen } from '../core/refusal'
import { assignmentsRepo } from '../db/assignments'
import type { AppEnv } from '../env'
import { recordRead } from '../lib/disclosure'
import { createRouter } from '../lib/router'
import { patientView } from './patient-view'
import { clinicScopeOf, signedIn } from './signed-in'
import {
  AssignmentCreateSchema,
  AssignmentDetailSchema,
  AssignmentListQuerySchema,
  AssignmentPageSchema,
  AssignmentSchema,
  AssignmentUpdateSchema,
  PatientDoctorsSchema,
} from '../schemas/assignments'
import { errorResponses, json, SAFE_INT } from '../schemas/common'
import { ASSIGNMENT, orRefuse, PATIENT } from './refusals'
import { createdWithEtag, deleted, disclosedPage, resourceRoutes, withEtag } from './resource-routes'

const assignments = resourceRoutes({
  tag: 'Assignments',
  noun: 'assignment',
  collection: '/api/mappings/',
  arity: 3,
  permissions: { read: 'assignment.read', write: 'assignment.write', remove: 'assignment.write' },
})

const PatientIdParamSchema = z.object({
  patient_id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ ...SAFE_INT, param: { name: 'patient_id', in: 'path' }, example: 1 }),
})

const UPDATE_DESCRIPTION = 'Only `notes` and `is_active` change; a different `patient` or `doctor` is refused (400).'

const list = assignments.list(
  { summary: "List the assignments of your clinic's patients, newest first", description: 'Audited as one `mapping.list` event naming the patients on the page.' },
  AssignmentListQuerySchema,
  AssignmentPageSchema,
)
const create = assignments.create(
  {
    summary: "Assign a doctor to one of your clinic's patients",
    description: "Any doctor may be assigned; the patient must be your clinic's. The same pair twice is a 409.",
  },
  AssignmentCreateSchema,
  AssignmentSchema,
  409,
)
const read = assignments.read(
  {
    summary: 'Read one assignment with its patient and doctor',
    description:
      'Audited as one `mapping.read` event that names the patient. The ETag covers the assignment, its patient and its doctor; 304 with no body when If-None-Match holds it.',
  },
  AssignmentDetailSchema,
)
const { replace, patch } = assignments.writes(
  {
    put: { summary: 'Update an assignment', description: UPDATE_DESCRIPTION },
    patch: { summary: 'Change some fields of an assignment', description: UPDATE_DESCRIPTION },
  },
  { put: AssignmentUpdateSchema, patch: AssignmentUpdateSchema },
  AssignmentSchema,
)
const remove = assignments.remove({ summary: 'Remove an assignment', description: 'The patient and the doctor stay. Audited as `mapping.delete`.' })

const patientDoctors = <P extends string>(path: P, operationId: string, summary: string) =>
  createRoute({
    method: 'get',
    path,
    tags: ['Assignments'],
    operationId,
    summary,
    description: 'Audited as `patient.read`.',
    ...signedIn('assignment.read'),
    request: { params: PatientIdParamSchema },
    responses: { 200: json(PatientDoctorsSchema, "The patient's doctors"), ...errorResponses(400, 401, 403, 404, 429, 503) },
  })

const doctorsOfPatientUnderAssignments = patientDoctors('/patient/{patient_id}', 'listPatientDoctorsByAssignment', "A patient's doctors")
const doctorsOfPatient = patientDoctors('/{patient_id}/doctors', 'listPatientDoctors', "A patient's doctors (same as /api/mappings/patient/{patient_id}/)")

/** Both "a patient's doctors" routes: the body, or the same 404 for a missing patient and another user's. */
async function patientDoctorsOf(c: Context<AppEnv>, patientId: number) {
  const body = await assignmentsRepo(clinicScopeOf(c)).doctorsOf(patientId)
  await recordRead(c, { action: 'patient.read', resourceType: 'patient', resourceId: patientId }, body, () => [patientId])
  return orRefuse(body, PATIENT)
}

const update: RouteHandler<typeof replace | typeof patch, AppEnv> = async (c) =>
  withEtag(c, await assignmentsRepo(clinicScopeOf(c)).update(c.req.valid('param').id, c.req.valid('json'), c.req.valid('header')['if-match']), ASSIGNMENT)

export const assignmentsRoutes = createRouter()
  .openapi(list, async (c) => {
    const query = c.req.valid('query')
    const page = await assignmentsRepo(clinicScopeOf(c)).list(query)
    return disclosedPage(c, query, page, { action: 'mapping.list', resourceType: 'mapping', patientOf: (assignment) => assignment.patient })
  })
  .openapi(create, async (c) => createdWithEtag(c, await assignmentsRepo(clinicScopeOf(c)).insert(c.req.valid('json')), assignments.locationOf, ASSIGNMENT))
  .openapi(doctorsOfPatientUnderAssignments, async (c) => c.json(await patientDoctorsOf(c, c.req.valid('param').patient_id), 200))
  .openapi(read, async (c) => {
    const { id } = c.req.valid('param')
    const found = await assignmentsRepo(clinicScopeOf(c)).find(id)
    // The answer shows the whole patient record: the event names the patient, so its history shows the read.
    await recordRead(c, { action: 'mapping.read', resourceType: 'mapping', resourceId: id }, found, (assignment) => [assignment.record.patient])
    const shown = isUnseen(found) ? found : { ...found, record: { ...found.record, patient_details: patientView(c)(found.record.patient_details) } }
    return withEtag(c, shown, ASSIGNMENT)
  })
  .openapi(replace, update)
  .openapi(patch, update)
  .openapi(remove, async (c) => deleted(c, await assignmentsRepo(clinicScopeOf(c)).remove(c.req.valid('param').id, c.req.valid('header')['if-match']), ASSIGNMENT))

/** `GET /api/patients/{id}/doctors/`: the same answer as `/api/mappings/patient/{id}/`, under the patient. */
export const patientDoctorsRoutes = createRouter().openapi(doctorsOfPatient, async (c) =>
  c.json(await patientDoctorsOf(c, c.req.valid('param').patient_id), 200),
)
