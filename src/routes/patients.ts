import { createRoute, z, type RouteHandler } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { accessBundle, accessCsv } from '../core/access-report'
import { nowUtcText, utcSeconds } from '../core/clock'
import { isRefusal, isUnseen } from '../core/refusal'
import { readArchivedObject } from '../lib/archive'
import { AccessReportQuerySchema, AccessReportSchema, CsvReportSchema } from '../schemas/audit-archive'
import { ifMatchHolds } from '../core/versions'
import { patientsRepo } from '../db/patients'
import type { AppEnv } from '../env'
import { pageOf } from '../lib/page-links'
import { recordDisclosure, recordRead } from '../lib/disclosure'
import { createRouter } from '../lib/router'
import { patientView, viewed } from './patient-view'
import { clinicScopeOf, demand, signedIn } from './signed-in'
import { errorResponses, IdParamSchema, json } from '../schemas/common'
import {
  HistoryPageSchema,
  HistoryQuerySchema,
  PatientListQuerySchema,
  PatientPageSchema,
  PatientPatchSchema,
  PatientSchema,
  PatientWriteSchema,
} from '../schemas/patients'
import { orRefuse, PATIENT } from './refusals'
import { createdWithEtag, deleted, disclosedPage, resourceRoutes, withEtag } from './resource-routes'

const patients = resourceRoutes({
  tag: 'Patients',
  noun: 'patient',
  collection: '/api/patients/',
  arity: 1,
  permissions: { read: 'patient.read', write: 'patient.write', remove: 'patient.delete' },
})

const list = patients.list(
  { summary: "List your clinic's patients", description: "Only the patients of the token's clinic are listed, searched, filtered and counted." },
  PatientListQuerySchema,
  PatientPageSchema,
)
const create = patients.create(
  { summary: "Create a patient in your clinic", description: 'A front-desk member sending `medical_history` is refused (403) and nothing is written.' },
  PatientWriteSchema,
  PatientSchema,
  409,
)
const read = patients.read(
  {
    summary: "Read one of your clinic's patients",
    description: 'Audited as `patient.read`. Answers 304 with no body when If-None-Match holds the current ETag.',
  },
  PatientSchema,
)
const { replace, patch } = patients.writes(
  {
    put: {
      summary: "Replace one of your clinic's patients",
      description: "Every required field must be sent; optional fields left out are cleared (but a front-desk member's PUT keeps the medical history it never sees).",
    },
    patch: {
      summary: "Change some fields of one of your clinic's patients",
      description: 'An empty body changes nothing: it is a read of the patient, audited as `patient.read` (503 when the audit trail cannot record it).',
    },
  },
  { put: PatientWriteSchema, patch: PatientPatchSchema },
  PatientSchema,
  409,
)
const remove = patients.remove(
  { summary: "Delete one of your clinic's patients", description: 'Refused with 409 while the patient still has doctor assignments. Admins and clinicians only.' },
  409,
)

const history = createRoute({
  method: 'get',
  path: '/{id}/history',
  tags: ['Patients'],
  operationId: 'getPatientHistory',
  summary: "Who touched one of your clinic's patients: its audit events, newest first",
  description:
    "Events whose resource is this patient, from its creation on: reads, changes and refused attempts by anyone, each with the actor's name. An update names the fields it changed (`changed`), never their values; `medical_history` is named to every member who may read the history, the front desk included: the name discloses nothing of the text, and the update itself (who, when) is on the history anyway. `reads=false` leaves out the events that only disclosed the patient. Events older than D1's hot window are in the access report. Another clinic's or a missing patient is a 404, itself audited.",
  ...signedIn('patient.read'),
  request: { params: IdParamSchema, query: HistoryQuerySchema },
  responses: { 200: json(HistoryPageSchema, 'One page of audit events, newest first'), ...errorResponses(400, 401, 403, 404, 429, 503) },
})

const accessReport = createRoute({
  method: 'get',
  path: '/{id}/access-report',
  tags: ['Patients'],
  operationId: 'getPatientAccessReport',
  summary: "Who saw one of your clinic's patients: every access in a time range, from D1 and the six-year archive",
  description:
    'For whoever may see the patient\'s history (the same rule). Reads, lists and searches (with their query), changes and refused attempts, oldest first: who, their role and clinic when recorded, when, from which network, and the request id. Ranges older than the hot window are read from the R2 archive. `format=csv` answers text/csv; `format=fhir` a FHIR R4 Bundle of AuditEvents shaped by the IHE BALP profiles (PatientRead, PatientQuery with the query base64-encoded in entity.query, PatientCreate/Update/Delete). The report is itself audited as patient.access_report.',
  ...signedIn('patient.read'),
  request: { params: IdParamSchema, query: AccessReportQuerySchema },
  responses: {
    200: {
      description: 'Every access in the range',
      content: {
        'application/json': { schema: AccessReportSchema },
        'text/csv': { schema: CsvReportSchema },
        'application/fhir+json': { schema: z.object({ resourceType: z.literal('Bundle') }).passthrough().openapi('FhirBundle') },
      },
    },
    ...errorResponses(400, 401, 403, 404, 429, 503),
  },
})

/** A body that sets `medical_history` needs the role that may see it: refused (403, nothing written) otherwise. */
function demandHistoryIfSent(c: Context<AppEnv>, body: { medical_history?: string | null }) {
  if (body.medical_history !== undefined) demand(c, 'patient.medical_history', 'medical_history')
}

const update: RouteHandler<typeof replace | typeof patch, AppEnv> = async (c) => {
  const { id } = c.req.valid('param')
  const changes = c.req.valid('json')
  const ifMatch = c.req.valid('header')['if-match']
  demandHistoryIfSent(c, changes)
  const repo = patientsRepo(clinicScopeOf(c))
  if (Object.keys(changes).length > 0) return withEtag(c, viewed(c, await repo.update(id, changes, ifMatch, { replace: c.req.method === 'PUT' })), PATIENT)
  // Nothing to change: a read, on the record through the queue like any read (failing closed), and no update event.
  const found = await repo.find(id)
  await recordRead(c, { action: 'patient.read', resourceType: 'patient', resourceId: id }, found, () => [id])
  return withEtag(c, viewed(c, isUnseen(found) || ifMatchHolds(ifMatch, found.versions) ? found : { refused: 'stale' as const }), PATIENT)
}

export const patientsRoutes = createRouter()
  .openapi(list, async (c) => {
    const query = c.req.valid('query')
    const page = await patientsRepo(clinicScopeOf(c)).list(query)
    return disclosedPage(c, query, { ...page, results: page.results.map(patientView(c)) }, { action: 'patient.list', resourceType: 'patient', patientOf: (patient) => patient.id })
  })
  .openapi(create, async (c) => {
    const input = c.req.valid('json')
    demandHistoryIfSent(c, input)
    return createdWithEtag(c, viewed(c, await patientsRepo(clinicScopeOf(c)).insert(input)), patients.locationOf, PATIENT)
  })
  .openapi(read, async (c) => {
    const { id } = c.req.valid('param')
    const found = await patientsRepo(clinicScopeOf(c)).find(id)
    await recordRead(c, { action: 'patient.read', resourceType: 'patient', resourceId: id }, found, () => [id])
    return withEtag(c, viewed(c, found), PATIENT)
  })
  .openapi(replace, update)
  .openapi(patch, update)
  .openapi(remove, async (c) => deleted(c, await patientsRepo(clinicScopeOf(c)).remove(c.req.valid('param').id, c.req.valid('header')['if-match']), PATIENT))
  .openapi(history, async (c) => {
    const { id } = c.req.valid('param')
    const query = c.req.valid('query')
    const page = await patientsRepo(clinicScopeOf(c)).history(id, query)
    if ('refused' in page) {
      // Only refused attempts are recorded: the owner's own views would reshuffle the pages being read.
      await recordDisclosure(c, { action: 'patient.history', resourceType: 'patient', resourceId: id, outcome: page.refused, patients: [] })
    }
    return c.json(pageOf(c.req.url, query, orRefuse(page, PATIENT)), 200)
  })
  .openapi(accessReport, async (c) => {
    const { id } = c.req.valid('param')
    const { format, ...asked } = c.req.valid('query')
    const range = { from: utcSeconds(asked.from), to: utcSeconds(asked.to) }
    const report = await patientsRepo(clinicScopeOf(c)).accessReport(id, range, (key) => readArchivedObject(c.env.AUDIT_ARCHIVE, key))
    // A range too large to answer discloses nothing and is not recorded; a refused patient is, like any refused read.
    const outcome = !isRefusal(report) ? 'ok' : report.refused === 'denied' || report.refused === 'not_found' ? report.refused : null
    if (outcome) {
      await recordDisclosure(c, { action: 'patient.access_report', resourceType: 'patient', resourceId: id, outcome, patients: outcome === 'ok' ? [id] : [], detail: { ...range, format } })
    }
    const accesses = orRefuse(report, PATIENT)
    if (format === 'csv') {
      return c.body(accessCsv(accesses), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="patient-${id}-access-report.csv"` })
    }
    if (format === 'fhir') {
      return c.body(JSON.stringify(accessBundle(accesses, id, nowUtcText())), 200, { 'content-type': 'application/fhir+json; charset=utf-8' })
    }
    return c.json({ patient_id: id, ...range, count: accesses.length, accesses }, 200)
  })
