import { createRoute } from '@hono/zod-openapi'
import { signedIn } from '../auth/middleware'
import { deletePatient, findPatient, insertPatient, listPatients, patientHistory, updatePatient } from '../db/patients'
import { auditLater, auditStamp } from '../lib/audit'
import { ApiError, notFound } from '../lib/errors'
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
import { PageQuerySchema, pageOf } from '../lib/pagination'
import { createRouter } from '../lib/router'
import { BODY_ERRORS, created, errorResponses, IdParamSchema, json, jsonBody } from '../schemas/common'
import {
  HistoryPageSchema,
  PatientListQuerySchema,
  PatientPageSchema,
  PatientPatchSchema,
  PatientSchema,
  PatientWriteSchema,
} from '../schemas/patients'

const tags = ['Patients']

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: "List the signed-in user's patients",
  description: 'Only patients the caller created are listed, searched, filtered and counted.',
  ...signedIn,
  request: { query: PatientListQuerySchema },
  responses: { 200: json(PatientPageSchema, 'One page of patients'), ...errorResponses(400, 401) },
})

const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Create a patient owned by the signed-in user',
  ...signedIn,
  request: { body: jsonBody(PatientWriteSchema) },
  responses: {
    201: created(PatientSchema, 'patient', '/api/patients/'),
    ...errorResponses(...BODY_ERRORS, 401, 409),
  },
})

const read = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'Read one of your patients',
  description: 'Audited as `patient.read`. Answers 304 with no body when If-None-Match holds the current ETag.',
  ...signedIn,
  request: { params: IdParamSchema, headers: IfNoneMatchHeaderSchema },
  responses: { 200: { ...json(PatientSchema, 'The patient'), headers: ETAG_HEADER }, 304: NOT_MODIFIED, ...errorResponses(400, 401, 404) },
})

const replace = createRoute({
  method: 'put',
  path: '/{id}',
  tags,
  summary: 'Replace one of your patients',
  description: 'Every required field must be sent; optional fields left out are cleared.',
  ...signedIn,
  request: { params: IdParamSchema, headers: IfMatchHeaderSchema, body: jsonBody(PatientWriteSchema) },
  responses: {
    200: { ...json(PatientSchema, 'The updated patient'), headers: ETAG_HEADER },
    ...errorResponses(...BODY_ERRORS, 401, 404, 409, 412),
  },
})

const patch = createRoute({
  method: 'patch',
  path: '/{id}',
  tags,
  summary: 'Change some fields of one of your patients',
  description: 'An empty body changes nothing and returns the patient.',
  ...signedIn,
  request: { params: IdParamSchema, headers: IfMatchHeaderSchema, body: jsonBody(PatientPatchSchema) },
  responses: {
    200: { ...json(PatientSchema, 'The updated patient'), headers: ETAG_HEADER },
    ...errorResponses(...BODY_ERRORS, 401, 404, 409, 412),
  },
})

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Delete one of your patients',
  description: 'Refused with 409 while the patient still has doctor assignments.',
  ...signedIn,
  request: { params: IdParamSchema, headers: IfMatchHeaderSchema },
  responses: { 204: { description: 'The patient is gone' }, ...errorResponses(400, 401, 404, 409, 412) },
})

const history = createRoute({
  method: 'get',
  path: '/{id}/history',
  tags,
  summary: 'Who touched one of your patients: its audit events, newest first',
  description:
    "Events whose resource is this patient, from its creation on: reads, changes and refused attempts by anyone. Another user's or a missing patient is a 404, itself audited.",
  ...signedIn,
  request: { params: IdParamSchema, query: PageQuerySchema },
  responses: { 200: json(HistoryPageSchema, 'One page of audit events, newest first'), ...errorResponses(400, 401, 404) },
})

const patientNotFound = () => notFound('The patient')

function stillAssigned(count: number): ApiError {
  const noun = count === 1 ? 'assignment' : 'assignments'
  return new ApiError(409, 'conflict', `This patient still has ${count} doctor ${noun}; remove its ${count} ${noun} first.`)
}

export const patientsRoutes = createRouter()
  .openapi(list, async (c) => {
    const query = c.req.valid('query')
    const { count, results } = await listPatients(c.var.db, c.var.userId, query)
    return c.json(pageOf(c.req.url, query, count, results), 200)
  })
  .openapi(create, async (c) => {
    const { record, versions } = await insertPatient(c.var.db, auditStamp(c), c.var.userId, c.req.valid('json'))
    return c.json(record, 201, { Location: `/api/patients/${record.id}/`, ETag: etagOf(versions) })
  })
  .openapi(read, async (c) => {
    const { id } = c.req.valid('param')
    const found = await findPatient(c.var.db, c.var.userId, id)
    auditLater(c, { action: 'patient.read', resourceType: 'patient', resourceId: id, outcome: 'refused' in found ? found.refused : 'ok' })
    if ('refused' in found) throw patientNotFound()
    const etag = etagOf(found.versions)
    if (noneMatch(c.req.valid('header')['if-none-match'], etag)) return c.body(null, 304, { ETag: etag })
    return c.json(found.record, 200, { ETag: etag })
  })
  .openapi(replace, async (c) => {
    const ifMatch = ifMatchOf(c.req.valid('header')['if-match'], 1)
    const outcome = await updatePatient(c.var.db, auditStamp(c), c.var.userId, c.req.valid('param').id, c.req.valid('json'), ifMatch)
    if ('refused' in outcome) throw outcome.refused === 'stale' ? preconditionFailed() : patientNotFound()
    return c.json(outcome.record, 200, { ETag: etagOf(outcome.versions) })
  })
  .openapi(patch, async (c) => {
    const ifMatch = ifMatchOf(c.req.valid('header')['if-match'], 1)
    const outcome = await updatePatient(c.var.db, auditStamp(c), c.var.userId, c.req.valid('param').id, c.req.valid('json'), ifMatch)
    if ('refused' in outcome) throw outcome.refused === 'stale' ? preconditionFailed() : patientNotFound()
    return c.json(outcome.record, 200, { ETag: etagOf(outcome.versions) })
  })
  .openapi(remove, async (c) => {
    const ifMatch = ifMatchOf(c.req.valid('header')['if-match'], 1)
    const outcome = await deletePatient(c.var.db, auditStamp(c), c.var.userId, c.req.valid('param').id, ifMatch)
    if (outcome.status === 'missing') throw patientNotFound()
    if (outcome.status === 'assigned') throw stillAssigned(outcome.assignments)
    if (outcome.status === 'stale') throw preconditionFailed()
    return c.body(null, 204)
  })
  .openapi(history, async (c) => {
    const { id } = c.req.valid('param')
    const query = c.req.valid('query')
    const page = await patientHistory(c.var.db, c.var.userId, id, query)
    if ('refused' in page) {
      // Only refused attempts are recorded: the owner's own views would reshuffle the pages being read.
      auditLater(c, { action: 'patient.history', resourceType: 'patient', resourceId: id, outcome: page.refused })
      throw patientNotFound()
    }
    return c.json(pageOf(c.req.url, query, page.count, page.results), 200)
  })
