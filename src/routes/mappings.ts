import type { Context } from 'hono'
import { createRoute, type RouteHandler, z } from '@hono/zod-openapi'
import { signedIn } from '../auth/middleware'
import type { AppEnv } from '../env'
import { deleteMapping, findMapping, findPatientDoctors, insertMapping, listMappings, updateMapping } from '../db/mappings'
import { auditLater, auditStamp } from '../lib/audit'
import { notFound } from '../lib/errors'
import {
  ETAG_HEADER,
  etagOf,
  IfMatchHeaderSchema,
  ifMatchOf,
  IfNoneMatchHeaderSchema,
  noneMatch,
  NOT_MODIFIED,
  preconditionFailed,
} from '../lib/etag'
import { pageOf } from '../lib/pagination'
import { createRouter } from '../lib/router'
import { BODY_ERRORS, created, errorResponses, IdParamSchema, json, jsonBody } from '../schemas/common'
import {
  MappingCreateSchema,
  MappingDetailSchema,
  MappingListQuerySchema,
  MappingPageSchema,
  MappingSchema,
  MappingUpdateSchema,
  PatientDoctorsSchema,
} from '../schemas/mappings'

const tags = ['Assignments']

const PatientIdParamSchema = z.object({
  patient_id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'patient_id', in: 'path' }, example: 1 }),
})

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: "List the assignments of your patients",
  ...signedIn,
  request: { query: MappingListQuerySchema },
  responses: { 200: json(MappingPageSchema, 'One page of assignments, newest first'), ...errorResponses(400, 401) },
})

const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Assign a doctor to one of your patients',
  description: 'Any doctor may be assigned; the patient must be yours. The same pair twice is a 409.',
  ...signedIn,
  request: { body: jsonBody(MappingCreateSchema) },
  responses: {
    201: created(MappingSchema, 'assignment', '/api/mappings/'),
    ...errorResponses(...BODY_ERRORS, 401, 409),
  },
})

const read = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'Read one assignment with its patient and doctor',
  description:
    'Audited as `mapping.read` and `patient.read`. The ETag covers the assignment, its patient and its doctor; 304 with no body when If-None-Match holds it.',
  ...signedIn,
  request: { params: IdParamSchema, headers: IfNoneMatchHeaderSchema },
  responses: {
    200: { ...json(MappingDetailSchema, 'The assignment'), headers: ETAG_HEADER },
    304: NOT_MODIFIED,
    ...errorResponses(400, 401, 404),
  },
})

const update = (method: 'put' | 'patch') =>
  createRoute({
    method,
    path: '/{id}',
    tags,
    summary: method === 'put' ? 'Update an assignment' : 'Change some fields of an assignment',
    description: 'Only `notes` and `is_active` change; a different `patient` or `doctor` is refused (400).',
    ...signedIn,
    request: { params: IdParamSchema, headers: IfMatchHeaderSchema, body: jsonBody(MappingUpdateSchema) },
    responses: {
      200: { ...json(MappingSchema, 'The updated assignment'), headers: ETAG_HEADER },
      ...errorResponses(...BODY_ERRORS, 401, 404, 412),
    },
  })

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Remove an assignment',
  ...signedIn,
  request: { params: IdParamSchema, headers: IfMatchHeaderSchema },
  responses: { 204: { description: 'Removed' }, ...errorResponses(400, 401, 404, 412) },
})

const patientDoctors = <P extends string>(path: P, summary: string) =>
  createRoute({
    method: 'get',
    path,
    tags,
    summary,
    description: 'Audited as `patient.read`.',
    ...signedIn,
    request: { params: PatientIdParamSchema },
    responses: { 200: json(PatientDoctorsSchema, "The patient's doctors"), ...errorResponses(400, 401, 404) },
  })

const mappingsOfPatient = patientDoctors('/patient/{patient_id}', "A patient's doctors")
const doctorsOfPatient = patientDoctors('/{patient_id}/doctors', "A patient's doctors (same as /api/mappings/patient/{patient_id}/)")

/** Both "a patient's doctors" routes: the body, or the same 404 for a missing patient and another user's. */
async function patientDoctorsOf(c: Context<AppEnv>, patientId: number) {
  const body = await findPatientDoctors(c.var.db, c.var.userId, patientId)
  auditLater(c, { action: 'patient.read', resourceType: 'patient', resourceId: patientId, outcome: 'refused' in body ? body.refused : 'ok' })
  if ('refused' in body) throw notFound('Patient')
  return body
}

const applyUpdate: RouteHandler<ReturnType<typeof update>, AppEnv> = async (c) => {
  const ifMatch = ifMatchOf(c.req.valid('header')['if-match'], 3)
  const { record, versions } = await updateMapping(c.var.db, auditStamp(c), c.var.userId, c.req.valid('param').id, c.req.valid('json'), ifMatch)
  return c.json(record, 200, { ETag: etagOf(versions) })
}

export const mappingsRoutes = createRouter()
  .openapi(list, async (c) => {
    const query = c.req.valid('query')
    const { count, results } = await listMappings(c.var.db, c.var.userId, query)
    return c.json(pageOf(c.req.url, query, count, results), 200)
  })
  .openapi(create, async (c) => {
    const { record, versions } = await insertMapping(c.var.db, auditStamp(c), c.var.userId, c.req.valid('json'))
    return c.json(record, 201, { Location: `/api/mappings/${record.id}/`, ETag: etagOf(versions) })
  })
  .openapi(mappingsOfPatient, async (c) =>
    c.json(await patientDoctorsOf(c, c.req.valid('param').patient_id), 200),
  )
  .openapi(read, async (c) => {
    const { id } = c.req.valid('param')
    const mapping = await findMapping(c.var.db, c.var.userId, id)
    auditLater(c, { action: 'mapping.read', resourceType: 'mapping', resourceId: id, outcome: 'refused' in mapping ? mapping.refused : 'ok' })
    if ('refused' in mapping) throw notFound('Mapping')
    // The answer shows the whole patient record, so the patient's own trail records the read too.
    auditLater(c, { action: 'patient.read', resourceType: 'patient', resourceId: mapping.record.patient, outcome: 'ok' })
    const etag = etagOf(mapping.versions)
    if (noneMatch(c.req.valid('header')['if-none-match'], etag)) return c.body(null, 304, { ETag: etag })
    return c.json(mapping.record, 200, { ETag: etag })
  })
  .openapi(update('put'), applyUpdate)
  .openapi(update('patch'), applyUpdate)
  .openapi(remove, async (c) => {
    const ifMatch = ifMatchOf(c.req.valid('header')['if-match'], 3)
    const outcome = await deleteMapping(c.var.db, auditStamp(c), c.var.userId, c.req.valid('param').id, ifMatch)
    if (outcome === 'missing') throw notFound('Mapping')
    if (outcome === 'stale') throw preconditionFailed()
    return c.body(null, 204)
  })

/** `GET /api/patients/{id}/doctors/`: the same answer as `/api/mappings/patient/{id}/`, under the patient. */
export const patientDoctorsRoutes = createRouter().openapi(doctorsOfPatient, async (c) =>
  c.json(await patientDoctorsOf(c, c.req.valid('param').patient_id), 200),
)
