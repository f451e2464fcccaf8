import { createRoute } from '@hono/zod-openapi'
import { requireUser } from '../auth/middleware'
import { deletePatient, findPatient, insertPatient, listPatients, updatePatient } from '../db/patients'
import { ApiError, notFound } from '../lib/errors'
import { pageOf } from '../lib/pagination'
import { createRouter } from '../lib/router'
import { BODY_ERRORS, errorResponses, IdParamSchema, json, jsonBody } from '../schemas/common'
import {
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
  security: [{ Bearer: [] }],
  middleware: [requireUser] as const,
  request: { query: PatientListQuerySchema },
  responses: { 200: json(PatientPageSchema, 'One page of patients'), ...errorResponses(400, 401) },
})

const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Create a patient owned by the signed-in user',
  security: [{ Bearer: [] }],
  middleware: [requireUser] as const,
  request: { body: jsonBody(PatientWriteSchema) },
  responses: {
    201: {
      ...json(PatientSchema, 'The new patient'),
      headers: { Location: { description: 'The new patient\'s URL', schema: { type: 'string', example: '/api/patients/1/' } } },
    },
    ...errorResponses(...BODY_ERRORS, 401, 409),
  },
})

const read = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'Read one of your patients',
  security: [{ Bearer: [] }],
  middleware: [requireUser] as const,
  request: { params: IdParamSchema },
  responses: { 200: json(PatientSchema, 'The patient'), ...errorResponses(400, 401, 404) },
})

const replace = createRoute({
  method: 'put',
  path: '/{id}',
  tags,
  summary: 'Replace one of your patients',
  description: 'Every required field must be sent; optional fields left out are cleared.',
  security: [{ Bearer: [] }],
  middleware: [requireUser] as const,
  request: { params: IdParamSchema, body: jsonBody(PatientWriteSchema) },
  responses: { 200: json(PatientSchema, 'The updated patient'), ...errorResponses(...BODY_ERRORS, 401, 404, 409) },
})

const patch = createRoute({
  method: 'patch',
  path: '/{id}',
  tags,
  summary: 'Change some fields of one of your patients',
  description: 'An empty body changes nothing and returns the patient.',
  security: [{ Bearer: [] }],
  middleware: [requireUser] as const,
  request: { params: IdParamSchema, body: jsonBody(PatientPatchSchema) },
  responses: { 200: json(PatientSchema, 'The updated patient'), ...errorResponses(...BODY_ERRORS, 401, 404, 409) },
})

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Delete one of your patients',
  description: 'Refused with 409 while the patient still has doctor assignments.',
  security: [{ Bearer: [] }],
  middleware: [requireUser] as const,
  request: { params: IdParamSchema },
  responses: { 204: { description: 'The patient is gone' }, ...errorResponses(400, 401, 404, 409) },
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
    const patient = await insertPatient(c.var.db, c.var.userId, c.req.valid('json'))
    return c.json(patient, 201, { Location: `/api/patients/${patient.id}/` })
  })
  .openapi(read, async (c) => {
    const patient = await findPatient(c.var.db, c.var.userId, c.req.valid('param').id)
    if (!patient) throw patientNotFound()
    return c.json(patient, 200)
  })
  .openapi(replace, async (c) => {
    const patient = await updatePatient(c.var.db, c.var.userId, c.req.valid('param').id, c.req.valid('json'))
    if (!patient) throw patientNotFound()
    return c.json(patient, 200)
  })
  .openapi(patch, async (c) => {
    const patient = await updatePatient(c.var.db, c.var.userId, c.req.valid('param').id, c.req.valid('json'))
    if (!patient) throw patientNotFound()
    return c.json(patient, 200)
  })
  .openapi(remove, async (c) => {
    const outcome = await deletePatient(c.var.db, c.var.userId, c.req.valid('param').id)
    if (outcome.status === 'missing') throw patientNotFound()
    if (outcome.status === 'assigned') throw stillAssigned(outcome.assignments)
    return c.body(null, 204)
  })
