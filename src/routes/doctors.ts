import { createRoute } from '@hono/zod-openapi'
import { requireUser } from '../auth/middleware'
import { deleteDoctor, findDoctor, insertDoctor, listDoctors, updateDoctor, type DoctorRefusal } from '../db/doctors'
import { ApiError, notFound } from '../lib/errors'
import { pageOf, paginated } from '../lib/pagination'
import { createRouter } from '../lib/router'
import { BODY_ERRORS, errorResponses, IdParamSchema, json, jsonBody } from '../schemas/common'
import { DoctorListQuerySchema, DoctorPatchSchema, DoctorSchema, DoctorWriteSchema } from '../schemas/doctors'

const tags = ['Doctors']
const security = [{ Bearer: [] }]

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'List the doctor directory (every doctor, whoever added it)',
  security,
  middleware: [requireUser] as const,
  request: { query: DoctorListQuerySchema },
  responses: { 200: json(paginated(DoctorSchema, 'DoctorPage'), 'One page of doctors'), ...errorResponses(400, 401) },
})

const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Add a doctor to the directory',
  description: 'Email and licence number are unique among doctors in any letter case (409).',
  security,
  middleware: [requireUser] as const,
  request: { body: jsonBody(DoctorWriteSchema) },
  responses: { 201: json(DoctorSchema, 'The new doctor'), ...errorResponses(...BODY_ERRORS, 401, 409) },
})

const read = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'One doctor',
  security,
  middleware: [requireUser] as const,
  request: { params: IdParamSchema },
  responses: { 200: json(DoctorSchema, 'The doctor'), ...errorResponses(400, 401, 404) },
})

const replace = createRoute({
  method: 'put',
  path: '/{id}',
  tags,
  summary: 'Replace a doctor you added',
  description: 'Only the user who added the doctor may change it; anyone else gets 403. Optional fields left out keep their value.',
  security,
  middleware: [requireUser] as const,
  request: { params: IdParamSchema, body: jsonBody(DoctorWriteSchema) },
  responses: { 200: json(DoctorSchema, 'The doctor as stored'), ...errorResponses(...BODY_ERRORS, 401, 403, 404, 409) },
})

const patch = createRoute({
  method: 'patch',
  path: '/{id}',
  tags,
  summary: 'Change some fields of a doctor you added',
  description: 'Only the user who added the doctor may change it; anyone else gets 403. An empty body changes nothing.',
  security,
  middleware: [requireUser] as const,
  request: { params: IdParamSchema, body: jsonBody(DoctorPatchSchema) },
  responses: { 200: json(DoctorSchema, 'The doctor as stored'), ...errorResponses(...BODY_ERRORS, 401, 403, 404, 409) },
})

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Delete a doctor you added',
  description: 'Refused with 409 while the doctor has assignments; only the user who added it may delete it.',
  security,
  middleware: [requireUser] as const,
  request: { params: IdParamSchema },
  responses: { 204: { description: 'The doctor is gone' }, ...errorResponses(400, 401, 403, 404, 409) },
})

function refusal(outcome: DoctorRefusal): ApiError {
  switch (outcome.refused) {
    case 'missing':
      return notFound('The doctor')
    case 'not_creator':
      return new ApiError(403, 'permission_denied', 'Only the user who added this doctor may change or delete it.')
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
    const doctor = await insertDoctor(c.var.db, c.var.userId, c.req.valid('json'))
    return c.json(doctor, 201, { Location: `/api/doctors/${doctor.id}/` })
  })
  .openapi(read, async (c) => {
    const doctor = await findDoctor(c.var.db, c.req.valid('param').id)
    if (!doctor) throw notFound('The doctor')
    return c.json(doctor, 200)
  })
  .openapi(replace, async (c) => {
    const outcome = await updateDoctor(c.var.db, c.req.valid('param').id, c.var.userId, c.req.valid('json'))
    if ('refused' in outcome) throw refusal(outcome)
    return c.json(outcome, 200)
  })
  .openapi(patch, async (c) => {
    const outcome = await updateDoctor(c.var.db, c.req.valid('param').id, c.var.userId, c.req.valid('json'))
    if ('refused' in outcome) throw refusal(outcome)
    return c.json(outcome, 200)
  })
  .openapi(remove, async (c) => {
    const outcome = await deleteDoctor(c.var.db, c.req.valid('param').id, c.var.userId)
    if (outcome) throw refusal(outcome)
    return c.body(null, 204)
  })
