import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import type { AuditEventRow as AuditRow } from '../src/db/schema'
import { changes, isAuditInsert, recordingD1 } from './d1-wrapper'
import { auditEventsOfRequest as eventsOf, auditEventsOfResource as eventsOfResource, countPatientsOf, ownClinicOf, patientRow } from './db'
import { createDoctor, createAssignment, createPatient, send, signedInAdmin, signedInUser, type Sent, type SendOptions } from './helpers'
import { deliver, recordingQueue } from './audit-queue'

/** The patients an event named beyond its own resource (audit_event_resources). */
const patientsNamedBy = async (eventId: string) =>
  (
    await env.DB.prepare("SELECT resource_id FROM audit_event_resources WHERE event_id = ? AND resource_type = 'patient' ORDER BY resource_id")
      .bind(eventId)
      .all<{ resource_id: number }>()
  ).results.map((row) => row.resource_id)

/** Every field a patient can carry, distinctive enough that a leak into the trail would show. */
const PATIENT = {
  name: 'Zenobia Quartermaine',
  date_of_birth: '1971-07-04',
  gender: 'female',
  email: 'zenobia.q@example.org',
  phone_number: '+15559871234',
  address: '77 Lighthouse Lane, Port Wren',
  blood_group: 'AB-',
  medical_history: 'Rare marker XQ-41 observed.',
}

/** Values long enough that finding one inside a column is a leak, not chance (a UUID may contain "ab-"). */
const LONG_PHI = Object.values(PATIENT).filter((value) => value.length >= 8)

let sequence = 0
/** A request id no other request of this file uses, so its audit rows can be found. */
const requestId = () => `audit-test-${Date.now().toString(36)}-${++sequence}`

/** Calls the API with a fresh request id and a client IP; returns the answer and that request id. */
async function traced(method: string, path: string, options: SendOptions = {}): Promise<Sent & { requestId: string }> {
  const id = requestId()
  const response = await send(method, path, { ...options, headers: { 'x-request-id': id, 'cf-connecting-ip': '203.0.113.7', ...options.headers } })
  return { ...response, requestId: id }
}

/**
 * A read with a fresh request id from another client IP and a recording audit queue; the queue
 * consumer then runs on what was sent. The answer, the messages queued, the work handed to
 * `waitUntil`, and the request id.
 */
async function settled(method: string, path: string, token: string): Promise<{ status: number; queued: number; deferred: number; requestId: string }> {
  const id = requestId()
  const audit = recordingQueue()
  const response = await send(method, path, { token, headers: { 'x-request-id': id, 'cf-connecting-ip': '203.0.113.8' }, env: { AUDIT_QUEUE: audit.queue } })
  await deliver(audit.sent)
  return { status: response.status, queued: audit.sent.length, deferred: response.deferred, requestId: id }
}

/** No column holds a patient field, and none contains one of the longer ones. */
function expectNoPhi(rows: object[]) {
  for (const value of rows.flatMap((row) => Object.values(row))) {
    expect(Object.values(PATIENT)).not.toContain(value)
    for (const phi of LONG_PHI) expect(String(value).toLowerCase()).not.toContain(phi.toLowerCase())
  }
}

describe('Audit of patient writes', () => {
  it('records a create in the same batch: actor, action, resource, outcome, request id, client IP, no PHI', async () => {
    const user = await signedInUser()
    const d1 = recordingD1()
    const created = await traced('POST', '/api/patients/', { token: user.access, body: PATIENT, env: { DB: d1.binding } })
    expect(created.status).toBe(201)
    // The INSERT of the patient and the INSERT of its event went to D1 as one batch, and no event went on its own.
    const withAudit = d1.trips.filter((trip) => trip.sql.some(isAuditInsert))
    expect(withAudit).toHaveLength(1)
    expect(withAudit[0].kind).toBe('batch')
    expect(withAudit[0].sql.filter(changes('patients'))).toEqual([expect.stringMatching(/^insert into "patients"/)])
    expect(d1.trips.filter((trip) => trip.sql.some(changes('patients')))).toEqual(withAudit)
    const rows = await eventsOf(created.requestId)
    expect(rows).toEqual([
      {
        id: expect.any(Number),
        occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        actor_id: user.id,
        clinic_id: await ownClinicOf(user.id),
        actor_role: 'admin',
        action: 'patient.create',
        resource_type: 'patient',
        resource_id: created.body.id,
        outcome: 'ok',
        request_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        client_ip: '203.0.113.7',
        event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        detail: null,
        client_request_id: created.requestId,
      },
    ])
    expectNoPhi(rows)
  })

  it('records PUT and PATCH as patient.update and DELETE as patient.delete, each ok', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, PATIENT)
    const put = await traced('PUT', `/api/patients/${patient.id}/`, { token: user.access, body: PATIENT })
    const patch = await traced('PATCH', `/api/patients/${patient.id}/`, { token: user.access, body: { medical_history: 'Rare marker XQ-41 observed.' } })
    const removed = await traced('DELETE', `/api/patients/${patient.id}/`, { token: user.access })
    expect([put.status, patch.status, removed.status]).toEqual([200, 200, 204])
    for (const [response, action] of [
      [put, 'patient.update'],
      [patch, 'patient.update'],
      [removed, 'patient.delete'],
    ] as const) {
      const rows = await eventsOf(response.requestId)
      expect(rows).toMatchObject([{ actor_id: user.id, action, resource_type: 'patient', resource_id: patient.id, outcome: 'ok' }])
      expectNoPhi(rows)
    }
  })

  it("records a write to another user's patient as denied and to a missing one as not_found, changing nothing", async () => {
    const owner = await signedInUser()
    const intruder = await signedInUser()
    const patient = await createPatient(owner.access, PATIENT)
    const before = await patientRow(patient.id)
    const attempts = [
      await traced('PATCH', `/api/patients/${patient.id}/`, { token: intruder.access, body: { name: 'Taken Over' } }),
      await traced('PUT', `/api/patients/${patient.id}/`, { token: intruder.access, body: { ...PATIENT, name: 'Taken Over' } }),
      await traced('DELETE', `/api/patients/${patient.id}/`, { token: intruder.access }),
    ]
    for (const attempt of attempts) {
      expect(attempt.status).toBe(404)
      expect(await eventsOf(attempt.requestId)).toMatchObject([{ actor_id: intruder.id, resource_id: patient.id, outcome: 'denied' }])
    }
    expect(await patientRow(patient.id)).toEqual(before)
    const missing = await traced('PATCH', '/api/patients/987654321/', { token: intruder.access, body: { name: 'Nobody' } })
    expect(missing.status).toBe(404)
    expect(await eventsOf(missing.requestId)).toMatchObject([{ action: 'patient.update', resource_id: 987654321, outcome: 'not_found' }])
  })

  it('records a delete refused for assignments (409) and a stale If-Match (412) as denied', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const doctor = await createDoctor(user.access)
    const assignment = await createAssignment(user.access, patient.id, doctor.id)
    const assigned = await traced('DELETE', `/api/patients/${patient.id}/`, { token: user.access })
    expect(assigned.status).toBe(409)
    expect(await eventsOf(assigned.requestId)).toMatchObject([{ action: 'patient.delete', outcome: 'denied' }])
    await send('DELETE', `/api/mappings/${assignment.id}/`, { token: user.access })
    const stale = await traced('DELETE', `/api/patients/${patient.id}/`, { token: user.access, headers: { 'if-match': '"42"' } })
    expect(stale.status).toBe(412)
    expect(await eventsOf(stale.requestId)).toMatchObject([{ action: 'patient.delete', outcome: 'denied' }])
    expect(await patientRow(patient.id)).not.toBeNull()
  })

  it('writes no event and changes nothing when validation refuses the write', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, PATIENT)
    const before = await patientRow(patient.id)
    const patch = await traced('PATCH', `/api/patients/${patient.id}/`, { token: user.access, body: { name: '', gender: 'robot' } })
    const post = await traced('POST', '/api/patients/', { token: user.access, body: { ...PATIENT, date_of_birth: '2999-01-01' } })
    expect([patch.status, post.status]).toEqual([400, 400])
    expect(await eventsOf(patch.requestId)).toEqual([])
    expect(await eventsOf(post.requestId)).toEqual([])
    expect(await patientRow(patient.id)).toEqual(before)
  })

  it('writes neither the change nor its event when the batch fails (duplicate email, 409)', async () => {
    const user = await signedInUser()
    const first = await createPatient(user.access, { email: 'twin@example.org' })
    const second = await createPatient(user.access, { email: 'other@example.org' })
    const count = () => countPatientsOf(user.id)
    const before = await count()
    const created = await traced('POST', '/api/patients/', { token: user.access, body: { ...PATIENT, email: 'twin@example.org' } })
    const patched = await traced('PATCH', `/api/patients/${second.id}/`, { token: user.access, body: { email: 'TWIN@example.org' } })
    expect([created.status, patched.status]).toEqual([409, 409])
    expect(await eventsOf(created.requestId)).toEqual([])
    expect(await eventsOf(patched.requestId)).toEqual([])
    expect(await count()).toBe(before)
    expect(await patientRow(second.id)).toMatchObject({ email: 'other@example.org', version: 1 })
    expect(await patientRow(first.id)).toMatchObject({ version: 1 })
  })
})

describe('Audit of doctor writes', () => {
  it('records create, update and delete as ok with the doctor as resource', async () => {
    const user = await signedInUser()
    const created = await traced('POST', '/api/doctors/', { token: user.access, body: { name: 'Dr. Trail', specialization: 'Oncology' } })
    const id = created.body.id
    const patched = await traced('PATCH', `/api/doctors/${id}/`, { token: user.access, body: { experience_years: 9 } })
    const removed = await traced('DELETE', `/api/doctors/${id}/`, { token: user.access })
    expect([created.status, patched.status, removed.status]).toEqual([201, 200, 204])
    expect(await eventsOfResource('doctor', id, user.id)).toMatchObject([
      { action: 'doctor.create', actor_id: user.id, outcome: 'ok', client_request_id: created.requestId },
      { action: 'doctor.update', actor_id: user.id, outcome: 'ok', client_request_id: patched.requestId },
      { action: 'doctor.delete', actor_id: user.id, outcome: 'ok', client_request_id: removed.requestId },
    ])
  })

  it("records another user's change (403) as denied and a missing doctor as not_found", async () => {
    const creator = await signedInUser()
    const other = await signedInUser()
    const doctor = await createDoctor(creator.access)
    const denied = await traced('PATCH', `/api/doctors/${doctor.id}/`, { token: other.access, body: { name: 'Dr. Other' } })
    const deniedDelete = await traced('DELETE', `/api/doctors/${doctor.id}/`, { token: other.access })
    const missing = await traced('DELETE', '/api/doctors/987654321/', { token: other.access })
    expect([denied.status, deniedDelete.status, missing.status]).toEqual([403, 403, 404])
    expect(await eventsOf(denied.requestId)).toMatchObject([{ action: 'doctor.update', actor_id: other.id, resource_id: doctor.id, outcome: 'denied' }])
    expect(await eventsOf(deniedDelete.requestId)).toMatchObject([{ action: 'doctor.delete', outcome: 'denied' }])
    expect(await eventsOf(missing.requestId)).toMatchObject([{ action: 'doctor.delete', resource_id: 987654321, outcome: 'not_found' }])
  })
})

describe('Audit of assignment writes', () => {
  it('records create, update and delete as ok with the assignment as resource', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, PATIENT)
    const doctor = await createDoctor(user.access)
    const created = await traced('POST', '/api/mappings/', { token: user.access, body: { patient: patient.id, doctor: doctor.id } })
    const id = created.body.id
    const patched = await traced('PATCH', `/api/mappings/${id}/`, { token: user.access, body: { notes: 'Weekly' } })
    const removed = await traced('DELETE', `/api/mappings/${id}/`, { token: user.access })
    expect([created.status, patched.status, removed.status]).toEqual([201, 200, 204])
    const rows = await eventsOfResource('mapping', id, user.id)
    expect(rows).toMatchObject([
      { action: 'mapping.create', actor_id: user.id, outcome: 'ok', client_request_id: created.requestId },
      { action: 'mapping.update', actor_id: user.id, outcome: 'ok', client_request_id: patched.requestId },
      { action: 'mapping.delete', actor_id: user.id, outcome: 'ok', client_request_id: removed.requestId },
    ])
    expectNoPhi(rows)
  })

  it("records an assignment to another user's patient as denied, and a missing assignment as not_found", async () => {
    const owner = await signedInUser()
    const intruder = await signedInUser()
    const patient = await createPatient(owner.access)
    const doctor = await createDoctor(intruder.access)
    const assignment = await createAssignment(owner.access, patient.id, doctor.id)
    const assign = await traced('POST', '/api/mappings/', { token: intruder.access, body: { patient: patient.id, doctor: doctor.id } })
    const patch = await traced('PATCH', `/api/mappings/${assignment.id}/`, { token: intruder.access, body: { notes: 'Mine now' } })
    const missing = await traced('DELETE', '/api/mappings/987654321/', { token: intruder.access })
    expect([assign.status, patch.status, missing.status]).toEqual([400, 404, 404])
    expect(await eventsOf(assign.requestId)).toMatchObject([{ action: 'mapping.create', actor_id: intruder.id, resource_id: null, outcome: 'denied' }])
    expect(await eventsOf(patch.requestId)).toMatchObject([{ action: 'mapping.update', resource_id: assignment.id, outcome: 'denied' }])
    expect(await eventsOf(missing.requestId)).toMatchObject([{ action: 'mapping.delete', resource_id: 987654321, outcome: 'not_found' }])
    // The refused create and update name the owner's patient they targeted, so its owner sees both in its history.
    const [refusedCreate] = await eventsOf(assign.requestId)
    const [refusedUpdate] = await eventsOf(patch.requestId)
    expect(await patientsNamedBy(refusedCreate.event_id!)).toEqual([patient.id])
    expect(await patientsNamedBy(refusedUpdate.event_id!)).toEqual([patient.id])
    const history = await send('GET', `/api/patients/${patient.id}/history/`, { token: owner.access })
    expect(history.body.results.filter((event: AuditRow) => event.actor_id === intruder.id).map((event: AuditRow) => event.action)).toEqual([
      'mapping.update',
      'mapping.create',
    ])
  })

  it('writes no event when the assignment already exists (409: the batch fails)', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const doctor = await createDoctor(user.access)
    await createAssignment(user.access, patient.id, doctor.id)
    const again = await traced('POST', '/api/mappings/', { token: user.access, body: { patient: patient.id, doctor: doctor.id } })
    expect(again.status).toBe(409)
    expect(await eventsOf(again.requestId)).toEqual([])
  })
})

describe('Audit of reads', () => {
  it('records GET of a patient as one patient.read event, queued before the answer and never written on the read path', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, PATIENT)
    const read = await settled('GET', `/api/patients/${patient.id}/`, user.access)
    expect(read.status).toBe(200)
    expect([read.queued, read.deferred]).toEqual([1, 0])
    const rows = await eventsOf(read.requestId)
    expect(rows).toMatchObject([{ actor_id: user.id, action: 'patient.read', resource_type: 'patient', resource_id: patient.id, outcome: 'ok', client_ip: '203.0.113.8' }])
    expectNoPhi(rows)
  })

  it("records a read of another user's patient as denied and of a missing one as not_found", async () => {
    const owner = await signedInUser()
    const intruder = await signedInUser()
    const patient = await createPatient(owner.access)
    const theirs = await settled('GET', `/api/patients/${patient.id}/`, intruder.access)
    const missing = await settled('GET', '/api/patients/987654321/', intruder.access)
    expect([theirs.status, missing.status]).toEqual([404, 404])
    expect(await eventsOf(theirs.requestId)).toMatchObject([{ actor_id: intruder.id, action: 'patient.read', resource_id: patient.id, outcome: 'denied' }])
    expect(await eventsOf(missing.requestId)).toMatchObject([{ action: 'patient.read', resource_id: 987654321, outcome: 'not_found' }])
  })

  it("records both routes to a patient's doctors as patient.read", async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    for (const path of [`/api/patients/${patient.id}/doctors/`, `/api/mappings/patient/${patient.id}/`]) {
      const read = await settled('GET', path, user.access)
      expect(read.status).toBe(200)
      expect(await eventsOf(read.requestId)).toMatchObject([{ action: 'patient.read', resource_id: patient.id, outcome: 'ok' }])
    }
    const other = await signedInUser()
    const denied = await settled('GET', `/api/patients/${patient.id}/doctors/`, other.access)
    expect(denied.status).toBe(404)
    expect(await eventsOf(denied.requestId)).toMatchObject([{ action: 'patient.read', outcome: 'denied' }])
  })

  it('records GET of an assignment as one mapping.read event that names the patient it shows', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const doctor = await createDoctor(user.access)
    const assignment = await createAssignment(user.access, patient.id, doctor.id)
    const read = await settled('GET', `/api/mappings/${assignment.id}/`, user.access)
    expect(read.status).toBe(200)
    const [event] = await eventsOf(read.requestId)
    expect(await eventsOf(read.requestId)).toMatchObject([{ action: 'mapping.read', resource_type: 'mapping', resource_id: assignment.id, outcome: 'ok' }])
    expect(await patientsNamedBy(event.event_id!)).toEqual([patient.id])
    const other = await signedInUser()
    const denied = await settled('GET', `/api/mappings/${assignment.id}/`, other.access)
    expect(denied.status).toBe(404)
    expect(await eventsOf(denied.requestId)).toMatchObject([{ action: 'mapping.read', resource_id: assignment.id, outcome: 'denied' }])
  })

  it('records each list page as one event naming the patients on that page, with the query', async () => {
    const user = await signedInUser()
    const first = await createPatient(user.access, { name: 'Roster Avery' })
    const second = await createPatient(user.access, { name: 'Roster Blake' })
    await createPatient(user.access, { name: 'Other Casey' })
    const doctor = await createDoctor(user.access)
    await createAssignment(user.access, second.id, doctor.id)
    const list = await settled('GET', '/api/patients/?search=roster&ordering=name', user.access)
    const listed = await settled('GET', '/api/mappings/', user.access)
    expect([list.status, listed.status]).toEqual([200, 200])
    const [listEvent] = await eventsOf(list.requestId)
    expect(listEvent).toMatchObject({ action: 'patient.list', resource_type: 'patient', resource_id: null, outcome: 'ok' })
    expect(JSON.parse(listEvent.detail!)).toMatchObject({ query: { search: 'roster', ordering: 'name', page: 1, page_size: 20 } })
    expect(await patientsNamedBy(listEvent.event_id!)).toEqual([first.id, second.id].sort((a, b) => a - b))
    const [assignmentEvent] = await eventsOf(listed.requestId)
    expect(assignmentEvent).toMatchObject({ action: 'mapping.list', outcome: 'ok' })
    expect(await patientsNamedBy(assignmentEvent.event_id!)).toEqual([second.id])
  })
})

describe('GET /api/patients/{id}/history/', () => {
  it("shows the owner the patient's events newest first, without client IPs", async () => {
    const owner = await signedInUser()
    const intruder = await signedInUser()
    const patient = await createPatient(owner.access, PATIENT)
    await settled('GET', `/api/patients/${patient.id}/`, owner.access)
    const patched = await traced('PATCH', `/api/patients/${patient.id}/`, { token: owner.access, body: { blood_group: 'O+' } })
    await settled('GET', `/api/patients/${patient.id}/`, intruder.access)
    const response = await send('GET', `/api/patients/${patient.id}/history/`, { token: owner.access })
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ count: 4, next: null, previous: null })
    expect(response.body.results.map((event: AuditRow) => [event.action, event.actor_id, event.outcome])).toEqual([
      ['patient.read', intruder.id, 'denied'],
      ['patient.update', owner.id, 'ok'],
      ['patient.read', owner.id, 'ok'],
      ['patient.create', owner.id, 'ok'],
    ])
    expect(response.body.results[1]).toEqual({
      id: expect.any(Number),
      occurred_at: expect.any(String),
      actor_id: owner.id,
      actor_name: 'Test Clinician',
      action: 'patient.update',
      resource_type: 'patient',
      resource_id: patient.id,
      outcome: 'ok',
      request_id: (await eventsOf(patched.requestId))[0].request_id,
      changed: ['blood_group'],
    })
    const ids = response.body.results.map((event: AuditRow) => event.id)
    expect(ids).toEqual([...ids].sort((a, b) => b - a))
    expectNoPhi(response.body.results)
  })

  it('pages with count, next and previous, and pages never overlap', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    for (const name of ['One', 'Two', 'Three', 'Four']) {
      await send('PATCH', `/api/patients/${patient.id}/`, { token: user.access, body: { name } })
    }
    const first = await send('GET', `/api/patients/${patient.id}/history/?page_size=2`, { token: user.access })
    const second = await send('GET', first.body.next.replace(/^https?:\/\/[^/]+/, ''), { token: user.access })
    const third = await send('GET', `/api/patients/${patient.id}/history?page=3&page_size=2`, { token: user.access })
    expect(first.body).toMatchObject({ count: 5, previous: null })
    expect(first.body.next).toContain('page=2')
    expect(second.body.previous).toContain('page=1')
    expect(third.body).toMatchObject({ count: 5, next: null })
    const all = [...first.body.results, ...second.body.results, ...third.body.results]
    expect(all.map((event: AuditRow) => event.action)).toEqual(['patient.update', 'patient.update', 'patient.update', 'patient.update', 'patient.create'])
    expect(new Set(all.map((event: AuditRow) => event.id)).size).toBe(5)
  })

  it("answers another user's patient and a missing one with 404, and audits each attempt", async () => {
    const owner = await signedInUser()
    const intruder = await signedInUser()
    const patient = await createPatient(owner.access)
    const theirs = await settled('GET', `/api/patients/${patient.id}/history/`, intruder.access)
    const missing = await settled('GET', '/api/patients/987654321/history/', intruder.access)
    expect([theirs.status, missing.status]).toEqual([404, 404])
    expect(await eventsOf(theirs.requestId)).toMatchObject([{ actor_id: intruder.id, action: 'patient.history', resource_id: patient.id, outcome: 'denied' }])
    expect(await eventsOf(missing.requestId)).toMatchObject([{ action: 'patient.history', resource_id: 987654321, outcome: 'not_found' }])
    const history = await send('GET', `/api/patients/${patient.id}/history/`, { token: owner.access })
    expect(history.body.results[0]).toMatchObject({ action: 'patient.history', actor_id: intruder.id, outcome: 'denied' })
  })

  it("shows only this patient's events", async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const other = await createPatient(user.access, { name: 'Other' })
    await send('PATCH', `/api/patients/${other.id}/`, { token: user.access, body: { name: 'Other Again' } })
    const history = await send('GET', `/api/patients/${patient.id}/history/`, { token: user.access })
    expect(history.body.count).toBe(1)
    expect(history.body.results.every((event: AuditRow) => event.resource_type === 'patient' && event.resource_id === patient.id)).toBe(true)
  })

  it("never shows a deleted patient's events under a new patient (ids are not reused)", async () => {
    const first = await signedInUser()
    const second = await signedInUser()
    const gone = await createPatient(first.access)
    await send('PATCH', `/api/patients/${gone.id}/`, { token: first.access, body: { name: 'Soon Gone' } })
    await send('DELETE', `/api/patients/${gone.id}/`, { token: first.access })
    const reused = await createPatient(second.access)
    expect(reused.id).toBeGreaterThan(gone.id)
    const history = await send('GET', `/api/patients/${reused.id}/history/`, { token: second.access })
    expect(history.body.count).toBe(1)
    expect(history.body.results).toMatchObject([{ action: 'patient.create', actor_id: second.id }])
  })

  it('has no route that changes the trail', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const response = await send(method, `/api/patients/${patient.id}/history/`, { token: user.access, body: {} })
      expect(response.status).toBe(405)
    }
  })
})

describe('a PATCH that changes nothing', () => {
  it('is a read: disclosed through the queue, 503 with nothing disclosed when the queue refuses, and no update event', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, PATIENT)
    const down = recordingQueue({ failing: true })
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const refused = await send('PATCH', `/api/patients/${patient.id}/`, { token: user.access, body: {}, env: { AUDIT_QUEUE: down.queue } })
    log.mockRestore()
    expect(refused.status).toBe(503)
    expect(refused.body.code).toBe('audit_unavailable')
    expect(refused.text).not.toContain(PATIENT.name)
    const up = recordingQueue()
    const answered = await send('PATCH', `/api/patients/${patient.id}/`, { token: user.access, body: { id: 999, created_by: 1 }, env: { AUDIT_QUEUE: up.queue } })
    expect(answered.status).toBe(200)
    expect(answered.body).toMatchObject({ id: patient.id, name: PATIENT.name })
    expect(answered.headers.get('etag')).toBe('"1"')
    expect(up.sent).toEqual([expect.objectContaining({ action: 'patient.read', resource_id: patient.id, outcome: 'ok', patients: [patient.id] })])
    for (const response of [refused, answered]) expect(await eventsOf(response.headers.get('x-request-id')!)).toEqual([])
    expect((await patientRow(patient.id))!.version).toBe(1)
    const stale = await send('PATCH', `/api/patients/${patient.id}/`, { token: user.access, body: {}, headers: { 'if-match': '"7"' }, env: { AUDIT_QUEUE: up.queue } })
    expect(stale.status).toBe(412)
  })
})

describe('a history starts at the patient', () => {
  it("leaves out events about the patient's id from before it existed, in its history and in the admin resource filter", async () => {
    const prober = await signedInUser()
    const owner = await signedInUser()
    const admin = await signedInAdmin()
    const before = await createPatient(owner.access, { name: 'Placeholder' })
    const nextId = before.id + 1
    const probe = await send('DELETE', `/api/patients/${nextId}/`, { token: prober.access })
    expect(probe.status).toBe(404)
    expect(await eventsOf(probe.headers.get('x-request-id')!)).toEqual([expect.objectContaining({ resource_id: nextId, outcome: 'not_found' })])
    const patient = await createPatient(owner.access)
    expect(patient.id).toBe(nextId)
    const history = await send('GET', `/api/patients/${patient.id}/history/`, { token: owner.access })
    expect(history.status).toBe(200)
    expect(history.body.results.map((event: AuditRow) => [event.action, event.actor_id])).toEqual([['patient.create', owner.id]])
    const filtered = await send('GET', `/api/admin/audit/?resource=patient:${patient.id}`, { token: admin.access })
    expect(filtered.status).toBe(200)
    expect(filtered.body.results.map((event: AuditRow) => event.actor_id)).not.toContain(prober.id)
    expect(filtered.body.results.map((event: AuditRow) => event.action)).toContain('patient.create')
  })
})

describe('audit_events is append-only', () => {
  it('refuses UPDATE, and DELETE of an unarchived event, in D1, leaving the rows as they were', async () => {
    const user = await signedInUser()
    const created = await traced('POST', '/api/patients/', { token: user.access, body: PATIENT })
    const [row] = await eventsOf(created.requestId)
    // Raw SQL on purpose: the database itself must refuse, whoever sends the statement.
    await expect(env.DB.prepare("UPDATE audit_events SET outcome = 'denied' WHERE id = ?").bind(row.id).run()).rejects.toThrow(/append-only/)
    // A DELETE is refused unless a verified archive object covers the event (docs/audit-archive.md).
    await expect(env.DB.prepare('DELETE FROM audit_events WHERE id = ?').bind(row.id).run()).rejects.toThrow(/only archived and verified events may be deleted/)
    await expect(env.DB.prepare('DELETE FROM audit_events').run()).rejects.toThrow(/only archived and verified events may be deleted/)
    expect(await eventsOf(created.requestId)).toEqual([row])
  })
})
