import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import app from '../src/app'
import { retryDelaySeconds } from '../src/audit-consumer'
import type { AuditMessage } from '../src/core/audit'
import { deliver, recordingQueue } from './audit-queue'
import { recordingD1 } from './d1-wrapper'
import { clinicIdOf, createAssignment, createDoctor, createPatient, send, signedInAdmin, signedInUser, type LooseBody } from './helpers'

/**
 * Every GET route, and which patients its answer discloses. A route missing from this table fails
 * the first test, so a new route cannot be left out of the audit record by accident.
 */
type Disclosed = (body: LooseBody) => number[]
const PATIENT_ROUTES: Record<string, Disclosed | 'none' | 'admin'> = {
  '/api/patients': (body) => body.results.map((patient: { id: number }) => patient.id),
  '/api/patients/:id': (body) => [body.id],
  '/api/patients/:patient_id/doctors': (body) => [body.patient_id],
  '/api/mappings': (body) => body.results.map((assignment: { patient: number }) => assignment.patient),
  '/api/mappings/:id': (body) => [body.patient],
  '/api/mappings/patient/:patient_id': (body) => [body.patient_id],
  // Audit events about the patient, not its fields; refused attempts are recorded (see audit.test.ts).
  '/api/patients/:id/access-report': (body) => [body.patient_id],
  '/api/patients/:id/history': 'none',
  '/api/doctors': 'none',
  '/api/doctors/:id': 'none',
  '/api/auth/me': 'none',
  '/api/health': 'none',
  '/api/health/live': 'none',
  '/api/health/audit': 'none',
  '/api/admin/users': 'none',
  '/api/admin/users/:id': 'none',
  // Disclosed, to administrators only: "the admin audit list" below.
  '/api/admin/audit': 'admin',
  '/api/admin/audit/dead-letters': 'none',
  '/api/clinics/:id': 'none',
  '/api/clinics/:id/members': 'none',
  '/api/clinics/:id/invitations': 'none',
  // Events that name patients identify them: the read of a clinic's audit log is a disclosure of those patients.
  '/api/clinics/:id/audit': (body) =>
    body.results
      .filter((event: { resource_type: string; resource_id: number | null }) => event.resource_type === 'patient' && event.resource_id !== null)
      .map((event: { resource_id: number }) => event.resource_id),
  '/api/openapi.json': 'none',
  '/api/docs': 'none',
  '/console/*': 'none',
}

const getRoutes = () => [...new Set(app.routes.filter((route) => route.method === 'GET').map((route) => route.path.replace(/\/$/, '')))]

let user: Awaited<ReturnType<typeof signedInUser>>
let paths: Record<string, string>

beforeAll(async () => {
  user = await signedInUser()
  const first = await createPatient(user.access, { name: 'Disclosed One' })
  const second = await createPatient(user.access, { name: 'Disclosed Two' })
  const doctor = await createDoctor(user.access)
  const assignment = await createAssignment(user.access, first.id, doctor.id)
  await createAssignment(user.access, second.id, doctor.id)
  paths = {
    '/api/patients': '/api/patients/?search=disclosed',
    '/api/patients/:id': `/api/patients/${first.id}/`,
    '/api/patients/:id/access-report': `/api/patients/${first.id}/access-report/?from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z`,
    '/api/patients/:patient_id/doctors': `/api/patients/${second.id}/doctors/`,
    '/api/mappings': '/api/mappings/',
    '/api/mappings/:id': `/api/mappings/${assignment.id}/`,
    '/api/mappings/patient/:patient_id': `/api/mappings/patient/${first.id}/`,
    '/api/clinics/:id/audit': `/api/clinics/${await clinicIdOf(user.access)}/audit/?resource=patient`,
  }
})

/** Calls the app with a recording audit queue (or a failing one) and a recording D1. */
async function read(path: string, { failing = false } = {}) {
  const audit = recordingQueue({ failing })
  const d1 = recordingD1()
  const response = await send('GET', path, { token: user.access, env: { DB: d1.binding, AUDIT_QUEUE: audit.queue } })
  return { ...response, sent: audit.sent, trips: d1.trips }
}

describe('answers that disclose patient data', () => {
  it('are known for every GET route of the app', () => {
    expect(getRoutes().sort()).toEqual(Object.keys(PATIENT_ROUTES).sort())
  })

  for (const [route, disclosed] of Object.entries(PATIENT_ROUTES)) {
    if (disclosed === 'none' || disclosed === 'admin') continue
    it(`${route}: one event names exactly the patients in the answer, queued before it, with no D1 write`, async () => {
      const answer = await read(paths[route])
      expect(answer.status).toBe(200)
      const shown = disclosed(answer.body)
      expect(shown.length).toBeGreaterThan(0)
      expect(answer.sent).toHaveLength(1)
      expect([...answer.sent[0].patients].sort()).toEqual([...new Set(shown)].sort())
      // The client sent no X-Request-Id: the event carries the server's id, the one the answer carried.
      expect(answer.sent[0]).toMatchObject({ actor_id: user.id, outcome: 'ok', request_id: answer.headers.get('x-request-id'), client_request_id: null })
      // A read that a replica can serve: one round trip, and nothing in it writes.
      expect(answer.trips).toHaveLength(1)
      expect(answer.trips[0].sql.join('\n')).not.toMatch(/^\s*(insert|update|delete)\b/im)
      expect(answer.deferred).toBe(0)
      await deliver(answer.sent)
      const stored = await env.DB.prepare('SELECT resource_id FROM audit_event_resources WHERE event_id = ? ORDER BY resource_id')
        .bind(answer.sent[0].event_id)
        .all<{ resource_id: number }>()
      expect(stored.results.map((row) => row.resource_id)).toEqual([...new Set(shown)].sort((a, b) => a - b))
    })

    it(`${route}: answers 503 audit_unavailable with no patient data when the queue refuses the event`, async () => {
      const answer = await read(paths[route], { failing: true })
      expect(answer.status).toBe(503)
      expect(answer.body).toEqual({ error: expect.any(String), code: 'audit_unavailable', request_id: expect.any(String) })
      expect(answer.text).not.toContain('Disclosed')
    })
  }
})

describe('the admin audit list', () => {
  it('is a disclosure: queued before the answer, naming its patients and the events it returned; 503 and nothing shown when the queue refuses', async () => {
    const admin = await signedInAdmin()
    const searchQueue = recordingQueue()
    const searched = await send('GET', '/api/patients/?search=Disclosed%20One', { token: user.access, env: { AUDIT_QUEUE: searchQueue.queue } })
    expect(searched.status).toBe(200)
    await deliver(searchQueue.sent)
    const list = (failing: boolean) => {
      const audit = recordingQueue({ failing })
      return send('GET', `/api/admin/audit/?actor=${user.id}`, { token: admin.access, env: { AUDIT_QUEUE: audit.queue } }).then((answer) => ({ ...answer, sent: audit.sent }))
    }
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const refused = await list(true)
    log.mockRestore()
    expect(refused.status).toBe(503)
    expect(refused.body.code).toBe('audit_unavailable')
    expect(refused.text).not.toContain('Disclosed One')
    const answer = await list(false)
    expect(answer.status).toBe(200)
    expect(answer.text).toContain('Disclosed One')
    const patientEvents = answer.body.results.filter((event: { resource_type: string; resource_id: number | null }) => event.resource_type === 'patient' && event.resource_id !== null)
    expect(patientEvents.length).toBeGreaterThan(0)
    expect(answer.sent).toHaveLength(1)
    const [sent] = answer.sent
    expect(sent).toMatchObject({ action: 'admin.audit_list', actor_id: admin.id, resource_type: 'audit_event', outcome: 'ok', request_id: answer.headers.get('x-request-id') })
    expect([...sent.patients].sort()).toEqual([...new Set(patientEvents.map((event: { resource_id: number }) => event.resource_id))].sort())
    expect(JSON.parse(sent.detail!).events).toEqual(answer.body.results.map((event: { id: number }) => event.id))
  })
})

describe('the audit queue consumer', () => {
  const message = (patients: number[]): AuditMessage => ({
    event_id: crypto.randomUUID(),
    occurred_at: '2026-11-30T10:00:00Z',
    actor_id: user.id,
    clinic_id: null,
    actor_role: null,
    action: 'patient.list',
    resource_type: 'patient',
    resource_id: null,
    outcome: 'ok',
    request_id: crypto.randomUUID(),
    client_ip: '203.0.113.9',
    client_request_id: null,
    detail: JSON.stringify({ query: { search: 'x' } }),
    patients,
  })
  const rowsOf = async (eventId: string) => ({
    events: (await env.DB.prepare('SELECT * FROM audit_events WHERE event_id = ?').bind(eventId).all()).results,
    resources: (await env.DB.prepare('SELECT resource_id FROM audit_event_resources WHERE event_id = ?').bind(eventId).all()).results,
  })

  it('writes a redelivered batch once: the server-made event id is unique', async () => {
    const batch = [message([900_000_001, 900_000_002, 900_000_003]), message([900_000_004])]
    expect(await deliver(batch)).toMatchObject({ ackAll: true })
    expect(await deliver(batch, 2)).toMatchObject({ ackAll: true })
    const first = await rowsOf(batch[0].event_id)
    expect(first.events).toHaveLength(1)
    expect(first.events[0]).toMatchObject({ action: 'patient.list', occurred_at: '2026-11-30T10:00:00Z', client_ip: '203.0.113.9' })
    expect(first.resources).toHaveLength(3)
    expect((await rowsOf(batch[1].event_id)).resources).toHaveLength(1)
  })

  it('names a whole page of 100 patients in one statement (one bound parameter, not 100)', async () => {
    const page = message(Array.from({ length: 100 }, (_, index) => 1_000_000 + index))
    expect(await deliver([page])).toMatchObject({ ackAll: true })
    expect((await rowsOf(page.event_id)).resources).toHaveLength(100)
  })

  it('writes the good messages of a batch it cannot write whole, and retries only the bad one, later at each attempt', async () => {
    const bad = { ...message([900_000_005]), outcome: 'maybe' } as unknown as AuditMessage
    const good = message([900_000_006])
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const result = await deliver([good, bad], 3)
    log.mockRestore()
    expect(result).toMatchObject({ ackAll: false, retryBatch: { retry: false }, explicitAcks: ['message-0'], retryMessages: [{ msgId: 'message-1' }] })
    expect((await rowsOf(good.event_id)).events).toHaveLength(1)
    expect((await rowsOf(bad.event_id)).events).toHaveLength(0)
    expect([1, 2, 3, 4, 7, 20].map(retryDelaySeconds)).toEqual([5, 10, 20, 40, 300, 300])
  })
})

describe('finding the events that named a patient', () => {
  it("shows a list page in the patient's history and under the admin's resource filter", async () => {
    const patient = await createPatient(user.access, { name: 'Listed Patient' })
    const audit = recordingQueue()
    const listed = await send('GET', '/api/patients/?search=listed%20patient', { token: user.access, env: { AUDIT_QUEUE: audit.queue } })
    expect(listed.body.results.map((row: { id: number }) => row.id)).toEqual([patient.id])
    await deliver(audit.sent)
    const history = await send('GET', `/api/patients/${patient.id}/history/`, { token: user.access })
    expect(history.body.results.map((event: { action: string }) => event.action)).toEqual(['patient.list', 'patient.create'])
    const admin = await signedInAdmin()
    const filtered = await send('GET', `/api/admin/audit/?resource=patient:${patient.id}`, { token: admin.access })
    expect(filtered.status).toBe(200)
    expect(filtered.body.results).toMatchObject([
      { action: 'patient.list', resource_id: null, event_id: audit.sent[0].event_id, detail: expect.stringContaining('"search":"listed patient"') },
      { action: 'patient.create', resource_id: patient.id },
    ])
  })
})

describe('the audit queue, end to end', () => {
  it("puts a read in the patient's history within 5 seconds through the real queue", async () => {
    const patient = await createPatient(user.access, { name: 'Queued Read' })
    const response = await send('GET', `/api/patients/${patient.id}/`, { token: user.access })
    expect(response.status).toBe(200)
    const requestId = response.headers.get('x-request-id')
    const deadline = Date.now() + 5_000
    let found = null
    while (!found && Date.now() < deadline) {
      found = await env.DB.prepare("SELECT * FROM audit_events WHERE request_id = ? AND action = 'patient.read'").bind(requestId).first()
      if (!found) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(found).toMatchObject({ actor_id: user.id, resource_id: patient.id, outcome: 'ok' })
  })
})
