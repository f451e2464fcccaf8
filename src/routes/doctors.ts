import { createRoute } from '@hono/zod-openapi'
import { signedIn } from '../auth/middleware'
import { deleteDoctor, findDoctor, insertDoctor, listDoctors, updateDoctor, type DoctorRefusal } from '../db/doctors'
import { auditStamp } from '../lib/audit'
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
import { pageOf, paginated } from '../lib/pagination'
import { createRouter } from '../lib/router'
import { BODY_ERRORS, created, errorResponses, IdParamSchema, json, jsonBody } from '../schemas/common'
import { DoctorListQuerySchema, DoctorPatchSchema, DoctorSchema, DoctorWriteSchema } from '../schemas/doctors'

const tags = ['Doctors']

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'List the doctor directory (every doctor, whoever added it)',
  ...signedIn,
  request: { query: DoctorListQuerySchema },
  responses: { 200: json(paginated(DoctorSchema, 'DoctorPage'), 'One page of doctors'), ...errorResponses(400, 401) },
})

const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Add a doctor to the directory',
  description: 'Email and licence number are unique among doctors in any letter case (409).',
  ...signedIn,
  request: { body: jsonBody(DoctorWriteSchema) },
  responses: {
    201: created(DoctorSchema, 'doctor', '/api/doctors/'),
    ...errorResponses(...BODY_ERRORS, 401, 409),
  },
})

const read = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'One doctor',
  description: 'Answers 304 with no body when If-None-Match holds the current ETag.',
  ...signedIn,
  request: { params: IdParamSchema, headers: IfNoneMatchHeaderSchema },
  responses: { 200: { ...json(DoctorSchema, 'The doctor'), headers: ETAG_HEADER }, 304: NOT_MODIFIED, ...errorResponses(400, 401, 404) },
})

const replace = createRoute({
  method: 'put',
  path: '/{id}',
  tags,
  summary: 'Replace a doctor you added',
  description: 'Only the user who added the doctor may change it; anyone else gets 403. Optional fields left out keep their value.',
  ...signedIn,
  request: { params: IdParamSchema, headers: IfMatchHeaderSchema, body: jsonBody(DoctorWriteSchema) },
  responses: {
    200: { ...json(DoctorSchema, 'The doctor as stored'), headers: ETAG_HEADER },
    ...errorResponses(...BODY_ERRORS, 401, 403, 404, 409, 412),
  },
})

const patch = createRoute({
  method: 'patch',
  path: '/{id}',
  tags,
  summary: 'Change some fields of a doctor you added',
  description: 'Only the user who added the doctor may change it; anyone else gets 403. An empty body changes nothing.',
  ...signedIn,
  request: { params: IdParamSchema, headers: IfMatchHeaderSchema, body: jsonBody(DoctorPatchSchema) },
  responses: {
    200: { ...json(DoctorSchema, 'The doctor as stored'), headers: ETAG_HEADER },
    ...errorResponses(...BODY_ERRORS, 401, 403, 404, 409, 412),
  },
})

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Delete a doctor you added',
  description: 'Refused with 409 while the doctor has assignments; only the user who added it may delete it.',
  ...signedIn,
  request: { params: IdParamSchema, headers: IfMatchHeaderSchema },
  responses: { 204: { description: 'The doctor is gone' }, ...errorResponses(400, 401, 403, 404, 409, 412) },
})

function refusal(outcome: DoctorRefusal): ApiError {
  switch (outcome.refused) {
    case 'missing':
      return notFound('The doctor')
    case 'not_creator':
      return new ApiError(403, 'permission_denied', 'Only the user who added this doctor may change or delete it.')
    case 'stale':
      return preconditionFailed()
    case 'has_assignments':
      return new ApiError(
        409,
        'conflict',
        `This doctor is assigned to patients: remove its ${outcome.assignments} assignment${outcome.assignments === 1 ? '' : 's'} first.`,
      )
  }
}

export const doctorsRoutes = createRouter()
  .openapi(list, async (c) => {
    const query = c.req.valid('query')
    const { count, results } = await listDoctors(c.var.db, query)
    return c.json(pageOf(c.req.url, query, count, results), 200)
  })
  .openapi(create, async (c) => {
    const { record, versions } = await insertDoctor(c.var.db, auditStamp(c), c.var.userId, c.req.valid('json'))
    return c.json(record, 201, { Location: `/api/doctors/${record.id}/`, ETag: etagOf(versions) })
  })
  .openapi(read, async (c) => {
    const doctor = await findDoctor(c.var.db, c.req.valid('param').id)
    if (!doctor) throw notFound('The doctor')
    const etag = etagOf(doctor.versions)
    if (noneMatch(c.req.valid('header')['if-none-match'], etag)) return c.body(null, 304, { ETag: etag })
    return c.json(doctor.record, 200, { ETag: etag })
  })
  .openapi(replace, async (c) => {
    const ifMatch = ifMatchOf(c.req.valid('header')['if-match'], 1)
    const outcome = await updateDoctor(c.var.db, auditStamp(c), c.req.valid('param').id, c.var.userId, c.req.valid('json'), ifMatch)
    if ('refused' in outcome) throw refusal(outcome)
    return c.json(outcome.record, 200, { ETag: etagOf(outcome.versions) })
  })
  .openapi(patch, async (c) => {
    const ifMatch = ifMatchOf(c.req.valid('header')['if-match'], 1)
    const outcome = await updateDoctor(c.var.db, auditStamp(c), c.req.valid('param').id, c.var.userId, c.req.valid('json'), ifMatch)
    if ('refused' in outcome) throw refusal(outcome)
    return c.json(outcome.record, 200, { ETag: etagOf(outcome.versions) })
  })
  .openapi(remove, async (c) => {
    const ifMatch = ifMatchOf(c.req.valid('header')['if-match'], 1)
    const outcome = await deleteDoctor(c.var.db, auditStamp(c), c.req.valid('param').id, c.var.userId, ifMatch)
    if (outcome) throw refusal(outcome)
    return c.body(null, 204)
  })
