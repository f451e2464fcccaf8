import { describe, expect, it } from 'vitest'
import { READ_ACTIONS } from '../src/core/enums'
import type { HistoryEvent } from '../src/schemas/patients'
import { deliver, recordingQueue } from './audit-queue'
import { auditEventsOfRequest, patientRow, testDb } from './db'
import { createAssignment, createDoctor, createPatient, joinedMember, send, signedInUser, type SendOptions, type SignedIn } from './helpers'

/** Values distinctive enough that any of them in the trail would be a leak. */
const GRACE = {
  name: 'Grace Hopper',
  date_of_birth: '1906-12-09',
  gender: 'female',
  email: 'grace.hopper@example.org',
  phone_number: '+15550001111',
  address: '1 Harbour Road',
  blood_group: 'O+',
  medical_history: 'Marker QX-77 noted.',
}

/** A write whose answer carries the server's request id, so its audit rows can be found. */
async function written(method: string, path: string, options: SendOptions) {
  const response = await send(method, path, options)
  return { ...response, requestId: response.headers.get('x-request-id')! }
}

/** The one event a write stored, with its detail as stored. */
async function eventOf(requestId: string) {
  const rows = await auditEventsOfRequest(requestId)
  expect(rows).toHaveLength(1)
  return rows[0]
}

/** A read whose audit event goes through the queue to D1 before this returns. */
async function readThroughQueue(path: string, user: SignedIn) {
  const audit = recordingQueue()
  const response = await send('GET', path, { token: user.access, env: { AUDIT_QUEUE: audit.queue } })
  expect(response.status).toBe(200)
  await deliver(audit.sent)
}

const historyOf = (id: number, user: SignedIn, query = '') => send<{ count: number; next: string | null; results: HistoryEvent[] }>('GET', `/api/patients/${id}/history/${query}`, { token: user.access })

describe('an update event names the fields it changed, never their values', () => {
  it('PATCH of address and phone: exactly those names, in the schema order, and no value in the row', async () => {
    const user = await signedInUser({ name: 'Ada Smith' })
    const patient = await createPatient(user.access, GRACE)
    const patched = await written('PATCH', `/api/patients/${patient.id}/`, { token: user.access, body: { address: '2 Quay Street', phone_number: '+1 555 000 2222' } })
    expect(patched.status).toBe(200)
    const event = await eventOf(patched.requestId)
    expect(event).toMatchObject({ action: 'patient.update', resource_id: patient.id, outcome: 'ok', actor_id: user.id })
    expect(event.detail).toBe('{"changed":["phone_number","address"]}')
    for (const value of ['2 Quay Street', '15550002222', GRACE.address, GRACE.phone_number]) expect(JSON.stringify(event)).not.toContain(value)
    expect(await patientRow(patient.id)).toMatchObject({ address: '2 Quay Street', phone_number: '+15550002222', version: 2 })
  })

  it('PUT that sends the stored values again names nothing; a PUT that changes one, or clears one, names only those', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, GRACE)
    const same = await written('PUT', `/api/patients/${patient.id}/`, { token: user.access, body: GRACE })
    expect(same.status).toBe(200)
    expect((await eventOf(same.requestId)).detail).toBe('{"changed":[]}')
    // The address left out is cleared (PUT replaces), and a cleared field is a change too.
    const { address: _cleared, ...withoutAddress } = GRACE
    const changed = await written('PUT', `/api/patients/${patient.id}/`, { token: user.access, body: { ...withoutAddress, email: 'grace@navy.example' } })
    expect(changed.status).toBe(200)
    expect((await eventOf(changed.requestId)).detail).toBe('{"changed":["email","address"]}')
    expect(await patientRow(patient.id)).toMatchObject({ address: null, medical_history: GRACE.medical_history, version: 3 })
    const history = await historyOf(patient.id, user)
    expect(history.body.results.slice(0, 2).map((event) => [event.action, event.changed])).toEqual([
      ['patient.update', ['email', 'address']],
      ['patient.update', []],
    ])
  })

  it("a front-desk PUT keeps the medical history it never saw, and names no change to it", async () => {
    const admin = await signedInUser()
    const desk = await joinedMember(admin.access, 'front_desk')
    const patient = await createPatient(admin.access, GRACE)
    const { medical_history: _unseen, ...visible } = GRACE
    const put = await written('PUT', `/api/patients/${patient.id}/`, { token: desk.access, body: { ...visible, address: '3 Dock Lane' } })
    expect(put.status).toBe(200)
    expect((await eventOf(put.requestId)).detail).toBe('{"changed":["address"]}')
    expect((await patientRow(patient.id))!.medical_history).toBe(GRACE.medical_history)
  })

  it('a refused update (stale, another clinic, missing) records no names, and a clash writes no event at all', async () => {
    const owner = await signedInUser()
    const intruder = await signedInUser()
    const patient = await createPatient(owner.access, GRACE)
    await createPatient(owner.access, { name: 'Other', email: 'taken@example.org' })
    const stale = await written('PATCH', `/api/patients/${patient.id}/`, { token: owner.access, headers: { 'if-match': '"9"' }, body: { address: 'Stale Road' } })
    const denied = await written('PATCH', `/api/patients/${patient.id}/`, { token: intruder.access, body: { address: 'Their Road' } })
    const missing = await written('PATCH', '/api/patients/987654321/', { token: owner.access, body: { address: 'No Road' } })
    expect([stale.status, denied.status, missing.status]).toEqual([412, 404, 404])
    expect(await eventOf(stale.requestId)).toMatchObject({ outcome: 'denied', detail: null })
    expect(await eventOf(denied.requestId)).toMatchObject({ outcome: 'denied', detail: null })
    expect(await eventOf(missing.requestId)).toMatchObject({ outcome: 'not_found', detail: null })
    const clash = await written('PATCH', `/api/patients/${patient.id}/`, { token: owner.access, body: { email: 'taken@example.org' } })
    expect(clash.status).toBe(409)
    expect(await auditEventsOfRequest(clash.requestId)).toEqual([])
    expect(await patientRow(patient.id)).toMatchObject({ email: GRACE.email, version: 1 })
  })

  it('doctor and assignment updates name their changed fields the same way', async () => {
    const user = await signedInUser()
    const doctor = await createDoctor(user.access, { consultation_fee: '150.00', is_available: true })
    const fee = await written('PATCH', `/api/doctors/${doctor.id}/`, { token: user.access, body: { consultation_fee: 150, is_available: false, specialization: 'Cardiology' } })
    expect(fee.status).toBe(200)
    expect(await eventOf(fee.requestId)).toMatchObject({ action: 'doctor.update', outcome: 'ok', detail: '{"changed":["is_available"]}' })
    const repriced = await written('PATCH', `/api/doctors/${doctor.id}/`, { token: user.access, body: { consultation_fee: '175.50' } })
    expect((await eventOf(repriced.requestId)).detail).toBe('{"changed":["consultation_fee"]}')

    const patient = await createPatient(user.access)
    const assignment = await createAssignment(user.access, patient.id, doctor.id, { notes: 'Weekly' })
    const noted = await written('PATCH', `/api/mappings/${assignment.id}/`, { token: user.access, body: { notes: 'Monthly', is_active: true, patient: patient.id } })
    expect(noted.status).toBe(200)
    expect(await eventOf(noted.requestId)).toMatchObject({ action: 'mapping.update', outcome: 'ok', detail: '{"changed":["notes"]}' })
    const moved = await written('PATCH', `/api/mappings/${assignment.id}/`, { token: user.access, body: { notes: 'Moved', patient: patient.id + 1_000_000 } })
    expect(moved.status).toBe(400)
    expect(await eventOf(moved.requestId)).toMatchObject({ action: 'mapping.update', outcome: 'denied', detail: null })
    // The widest update there is (every field, the pair echoed, ten ETags of three versions) stays within D1's 100 bound parameters.
    const current = await send('GET', `/api/mappings/${assignment.id}/`, { token: user.access })
    const tags = [...Array.from({ length: 9 }, (_, index) => `"${index + 50}.1.1"`), current.headers.get('etag')].join(', ')
    const widest = await written('PATCH', `/api/mappings/${assignment.id}/`, {
      token: user.access,
      headers: { 'if-match': tags },
      body: { notes: 'Fortnightly', is_active: false, patient: patient.id, doctor: doctor.id },
    })
    expect(widest.status).toBe(200)
    expect((await eventOf(widest.requestId)).detail).toBe('{"changed":["notes","is_active"]}')
    // The patient's history shows the assignment's change with its names.
    const history = await historyOf(patient.id, user, '?reads=false')
    expect(history.body.results.slice(0, 3)).toMatchObject([
      { action: 'mapping.update', outcome: 'ok', changed: ['notes', 'is_active'] },
      { action: 'mapping.update', outcome: 'denied', changed: null },
      { action: 'mapping.update', outcome: 'ok', changed: ['notes'] },
    ])
  })
})

describe('GET /api/patients/{id}/history/', () => {
  it("names each actor, and answers null for an event nobody signed in made", async () => {
    const owner = await signedInUser({ name: 'Ada Smith' })
    const colleague = await joinedMember(owner.access, 'clinician', { name: 'Dr. Lin Park' })
    const patient = await createPatient(owner.access, GRACE)
    expect((await send('PATCH', `/api/patients/${patient.id}/`, { token: colleague.access, body: { blood_group: 'A+' } })).status).toBe(200)
    await testDb
      .insertInto('audit_events')
      .values({ event_id: crypto.randomUUID(), actor_id: null, action: 'patient.read', resource_type: 'patient', resource_id: patient.id, outcome: 'ok', request_id: crypto.randomUUID() })
      .execute()
    const history = await historyOf(patient.id, owner)
    expect(history.status).toBe(200)
    expect(history.body.results.map((event) => [event.action, event.actor_id, event.actor_name, event.changed])).toEqual([
      ['patient.read', null, null, null],
      ['patient.update', colleague.id, 'Dr. Lin Park', ['blood_group']],
      ['patient.create', owner.id, 'Ada Smith', null],
    ])
  })

  it('reads=false leaves out every read, and counts and pages what is left', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, GRACE)
    for (const address of ['A Street', 'B Street', 'C Street']) {
      await readThroughQueue(`/api/patients/${patient.id}/`, user)
      await readThroughQueue(`/api/patients/?search=hopper`, user)
      expect((await send('PATCH', `/api/patients/${patient.id}/`, { token: user.access, body: { address } })).status).toBe(200)
    }
    const all = await historyOf(patient.id, user, '?page_size=100')
    expect(all.body.count).toBe(10)
    const first = await historyOf(patient.id, user, '?reads=false&page_size=3')
    expect(first.status).toBe(200)
    expect(first.body.count).toBe(4)
    expect(first.body.results.map((event) => event.action)).toEqual(['patient.update', 'patient.update', 'patient.update'])
    expect(first.body.next).toContain('reads=false')
    const second = await send('GET', first.body.next!.replace(/^https?:\/\/[^/]+/, ''), { token: user.access })
    expect(second.body).toMatchObject({ count: 4, next: null })
    expect(second.body.results.map((event: HistoryEvent) => event.action)).toEqual(['patient.create'])
    const changes = [...first.body.results, ...second.body.results]
    expect(changes.some((event) => (READ_ACTIONS as readonly string[]).includes(event.action))).toBe(false)
    // What the filter left out is exactly the reads.
    const reads = all.body.results.filter((event) => !changes.some((change) => change.id === event.id))
    expect(new Set(reads.map((event) => event.action))).toEqual(new Set(['patient.read', 'patient.list']))
    const explicit = await historyOf(patient.id, user, '?reads=true&page_size=100')
    expect(explicit.body.count).toBe(10)
  })

  it('refuses a reads value other than true or false with 400', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const refused = await historyOf(patient.id, user, '?reads=no')
    expect(refused.status).toBe(400)
    expect(refused.body).toMatchObject({ code: 'validation_error', details: { reads: [expect.any(String)] } })
  })

  it("shows the front desk that the medical history changed, by name, and nothing of it", async () => {
    const admin = await signedInUser({ name: 'Dr. Ada Smith' })
    const desk = await joinedMember(admin.access, 'front_desk')
    const patient = await createPatient(admin.access, GRACE)
    const note = 'Marker ZZ-12 added after review.'
    expect((await send('PATCH', `/api/patients/${patient.id}/`, { token: admin.access, body: { medical_history: note, address: '4 Mill Row' } })).status).toBe(200)
    const history = await historyOf(patient.id, desk, '?reads=false')
    expect(history.status).toBe(200)
    expect(history.body.results[0]).toMatchObject({ action: 'patient.update', actor_name: 'Dr. Ada Smith', changed: ['address', 'medical_history'] })
    expect(history.text).not.toContain(note)
    expect(history.text).not.toContain(GRACE.medical_history)
  })
})
