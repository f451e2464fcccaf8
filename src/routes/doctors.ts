import type { RouteHandler } from '@hono/zod-openapi'
import { doctorsRepo } from '../db/doctors'
import type { AppEnv } from '../env'
import { pageOf } from '../lib/page-links'
import { createRouter } from '../lib/router'
import { scopeOf } from './signed-in'
import { DoctorListQuerySchema, DoctorPageSchema, DoctorPatchSchema, DoctorSchema, DoctorWriteSchema } from '../schemas/doctors'
import { DOCTOR } from './refusals'
import { createdWithEtag, deleted, resourceRoutes, withEtag } from './resource-routes'

const doctors = resourceRoutes({
  tag: 'Doctors',
  noun: 'doctor',
  collection: '/api/doctors/',
  arity: 1,
  permissions: { read: 'doctor.read', write: 'doctor.write', remove: 'doctor.write' },
})

const ONLY_CREATOR = 'Only the user who added the doctor may change it; anyone else gets 403.'

const list = doctors.list(
  { summary: 'List the doctor directory (every doctor, whoever added it)', description: 'Filter by `search`, `specialization` (exact, any case) and `is_available`.' },
  DoctorListQuerySchema,
  DoctorPageSchema,
)
const create = doctors.create(
  { summary: 'Add a doctor to the directory', description: 'Email and licence number are unique among doctors in any letter case (409).' },
  DoctorWriteSchema,
  DoctorSchema,
  409,
)
const read = doctors.read({ summary: 'One doctor', description: 'Answers 304 with no body when If-None-Match holds the current ETag.' }, DoctorSchema)
const { replace, patch } = doctors.writes(
  {
    put: { summary: 'Replace a doctor you added', description: `${ONLY_CREATOR} Every required field must be sent; optional fields left out are cleared.` },
    patch: { summary: 'Change some fields of a doctor you added', description: `${ONLY_CREATOR} An empty body changes nothing.` },
  },
  { put: DoctorWriteSchema, patch: DoctorPatchSchema },
  DoctorSchema,
  403,
  409,
)
const remove = doctors.remove(
  {
    summary: 'Delete a doctor you added',
    description: 'Refused with 409 while the doctor has assignments; only the user who added it may delete it.',
  },
  403,
  409,
)

const update: RouteHandler<typeof replace | typeof patch, AppEnv> = async (c) =>
  withEtag(c, await doctorsRepo(scopeOf(c)).update(c.req.valid('param').id, c.req.valid('json'), c.req.valid('header')['if-match']), DOCTOR)

export const doctorsRoutes = createRouter()
  .openapi(list, async (c) => {
    const query = c.req.valid('query')
    return c.json(pageOf(c.req.url, query, await doctorsRepo(scopeOf(c)).list(query)), 200)
  })
  .openapi(create, async (c) => createdWithEtag(c, await doctorsRepo(scopeOf(c)).insert(c.req.valid('json')), doctors.locationOf, DOCTOR))
  .openapi(read, async (c) => withEtag(c, await doctorsRepo(scopeOf(c)).find(c.req.valid('param').id), DOCTOR))
  .openapi(replace, update)
  .openapi(patch, update)
  .openapi(remove, async (c) => deleted(c, await doctorsRepo(scopeOf(c)).remove(c.req.valid('param').id, c.req.valid('header')['if-match']), DOCTOR))
