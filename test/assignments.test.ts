import { describe, expect, it } from 'vitest'
import { countAssignmentsWhere, assignmentRow } from './db'
import { clinic as anyClinic, createDoctor, createAssignment, createPatient, send, signedInUser } from './helpers'

/** A user with one patient and one doctor of their own, named so the mapping's copies of the names can be checked. */
const clinic = () => anyClinic({ patient: { name: 'Ada Patient' }, doctor: { name: 'Dr. Alpha', specialization: 'Neurology' } })

const assignmentCount = (patientId: number) => countAssignmentsWhere('patient_id', patientId)

describe('POST /api/mappings/', () => {
  it('assigns a doctor to your patient', async () => {
    const { user, token, patient, doctor } = await clinic()
    const response = await send('POST', '/api/mappings/', { token, body: { patient: patient.id, doctor: doctor.id, notes: 'Weekly check' } })
    expect(response.status).toBe(201)
    expect(response.headers.get('location')).toBe(`/api/mappings/${response.body.id}/`)
    expect(response.body).toEqual({
      id: expect.any(Number),
      patient: patient.id,
      doctor: doctor.id,
      patient_name: 'Ada Patient',
      doctor_name: 'Dr. Alpha',
      doctor_specialization: 'Neurology',
      notes: 'Weekly check',
      is_active: true,
      assigned_by: user.id,
      assigned_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    })
    expect(await assignmentRow(response.body.id)).toMatchObject({ patient_id: patient.id, doctor_id: doctor.id, is_active: 1 })
  })

  it('accepts patient_id and doctor_id as aliases, and is_active false', async () => {
    const { token, patient, doctor } = await clinic()
    const response = await send('POST', '/api/mappings', { token, body: { patient_id: patient.id, doctor_id: doctor.id, is_active: false } })
    expect(response.status).toBe(201)
    expect(response.body).toMatchObject({ patient: patient.id, doctor: doctor.id, is_active: false, notes: null })
  })

  it('lets you assign a doctor someone else created', async () => {
    const { token, patient } = await clinic()
    const other = await clinic()
    const response = await send('POST', '/api/mappings/', { token, body: { patient: patient.id, doctor: other.doctor.id } })
    expect(response.status).toBe(201)
  })

  it("answers another user's patient exactly like a missing one", async () => {
    const { token, doctor } = await clinic()
    const other = await clinic()
    const theirs = await send('POST', '/api/mappings/', { token, body: { patient: other.patient.id, doctor: doctor.id } })
    const missing = await send('POST', '/api/mappings/', { token, body: { patient: 99_999_999, doctor: doctor.id } })
    expect(theirs.status).toBe(400)
    expect(Object.keys(theirs.body.details)).toEqual(['patient'])
    expect(missing.body).toEqual(theirs.body)
    expect(await assignmentCount(other.patient.id)).toBe(0)
  })

  it('refuses a missing doctor with details.doctor', async () => {
    const { token, patient } = await clinic()
    const response = await send('POST', '/api/mappings/', { token, body: { patient: patient.id, doctor: 99_999_999 } })
    expect(response.status).toBe(400)
    expect(Object.keys(response.body.details)).toEqual(['doctor'])
  })

  it.each([
    [{}, ['doctor', 'patient']],
    [{ patient: 'one', doctor: 1 }, ['patient']],
    [{ patient: 1, doctor: 2, notes: 'x'.repeat(1001) }, ['notes']],
    [{ patient: 1, doctor: 2, is_active: 'yes' }, ['is_active']],
    [{ patient: 1, doctor: 2, colour: 'red' }, ['colour']],
  ])('refuses %j', async (body, fields) => {
    const { token } = await clinic()
    const response = await send('POST', '/api/mappings/', { token, body })
    expect(response.status).toBe(400)
    expect(Object.keys(response.body.details).sort()).toEqual(fields)
  })

  it('refuses the same pair twice with 409', async () => {
    const { token, patient, doctor } = await clinic()
    await createAssignment(token, patient.id, doctor.id)
    const response = await send('POST', '/api/mappings/', { token, body: { patient: patient.id, doctor: doctor.id } })
    expect(response.status).toBe(409)
    expect(response.body.code).toBe('conflict')
    expect(await assignmentCount(patient.id)).toBe(1)
  })

  it('creates exactly one of ten identical simultaneous requests', async () => {
    const { token, patient, doctor } = await clinic()
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => send('POST', '/api/mappings/', { token, body: { patient: patient.id, doctor: doctor.id } })),
    )
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1)
    expect(responses.filter((r) => r.status === 409)).toHaveLength(9)
    expect(await assignmentCount(patient.id)).toBe(1)
  })
})

describe('GET /api/mappings/', () => {
  it("lists only your patients' assignments, with filters", async () => {
    const { token, patient, doctor } = await clinic()
    const second = await createDoctor(token, { name: 'Dr. Beta' })
    const active = await createAssignment(token, patient.id, doctor.id)
    const inactive = await createAssignment(token, patient.id, second.id, { is_active: false })
    const other = await clinic()
    const theirs = await createAssignment(other.token, other.patient.id, doctor.id)

    const all = await send('GET', '/api/mappings/', { token })
    expect(all.status).toBe(200)
    expect(all.body).toMatchObject({ count: 2, next: null, previous: null })
    expect(all.body.results.map((m: { id: number }) => m.id)).toEqual([inactive.id, active.id])

    const byDoctor = await send('GET', `/api/mappings/?doctor=${doctor.id}`, { token })
    expect(byDoctor.body.results.map((m: { id: number }) => m.id)).toEqual([active.id])
    expect(byDoctor.body.results.map((m: { id: number }) => m.id)).not.toContain(theirs.id)
    const byState = await send('GET', '/api/mappings/?is_active=false', { token })
    expect(byState.body.results.map((m: { id: number }) => m.id)).toEqual([inactive.id])
    const byPatient = await send('GET', `/api/mappings/?patient=${other.patient.id}`, { token })
    expect(byPatient.body).toMatchObject({ count: 0, results: [] })
  })

  it('pages with absolute links and refuses bad filters', async () => {
    const { token, patient } = await clinic()
    for (const name of ['Dr. One', 'Dr. Two', 'Dr. Three']) {
      const doctor = await createDoctor(token, { name })
      await createAssignment(token, patient.id, doctor.id)
    }
    const first = await send('GET', '/api/mappings/?page_size=2', { token })
    expect(first.body.count).toBe(3)
    expect(first.body.results).toHaveLength(2)
    expect(first.body.next).toMatch(/^http:\/\/api\.test\/api\/mappings\/\?page_size=2&page=2$/)
    const second = await send('GET', first.body.next.replace('http://api.test', ''), { token })
    expect(second.body.results).toHaveLength(1)
    expect(second.body.previous).toMatch(/page=1/)
    expect((await send('GET', '/api/mappings/?is_active=maybe', { token })).status).toBe(400)
    expect((await send('GET', '/api/mappings/?page_size=101', { token })).status).toBe(400)
    expect((await send('GET', '/api/mappings/?page=9', { token })).body).toMatchObject({ count: 3, results: [] })
  })
})

describe('GET /api/mappings/{id}/', () => {
  it('adds the full patient and doctor', async () => {
    const { token, patient, doctor } = await clinic()
    const assignment = await createAssignment(token, patient.id, doctor.id)
    const response = await send('GET', `/api/mappings/${assignment.id}/`, { token })
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ ...assignment, patient_details: patient, doctor_details: doctor })
  })
})

describe('PUT and PATCH /api/mappings/{id}/', () => {
  it('changes notes and is_active', async () => {
    const { token, patient, doctor } = await clinic()
    const assignment = await createAssignment(token, patient.id, doctor.id)
    const patched = await send('PATCH', `/api/mappings/${assignment.id}/`, { token, body: { is_active: false } })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ is_active: false, notes: null })
    const put = await send('PUT', `/api/mappings/${assignment.id}`, { token, body: { ...patched.body, notes: 'Moved to monthly' } })
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ id: assignment.id, is_active: false, notes: 'Moved to monthly' })
    expect(await assignmentRow(assignment.id)).toMatchObject({ notes: 'Moved to monthly', is_active: 0 })
    const empty = await send('PATCH', `/api/mappings/${assignment.id}/`, { token, body: {} })
    expect(empty.body).toEqual(put.body)
  })

  it('refuses to move an assignment to another patient or doctor, and changes nothing', async () => {
    const { token, patient, doctor } = await clinic()
    const assignment = await createAssignment(token, patient.id, doctor.id, { notes: 'before' })
    const otherPatient = await createPatient(token, { name: 'Other Patient' })
    const otherDoctor = await createDoctor(token)
    for (const body of [{ patient: otherPatient.id, notes: 'after' }, { doctor_id: otherDoctor.id, notes: 'after' }]) {
      const response = await send('PATCH', `/api/mappings/${assignment.id}/`, { token, body })
      expect(response.status).toBe(400)
      expect(Object.keys(response.body.details)).toEqual([Object.keys(body)[0].replace('_id', '')])
    }
    expect(await assignmentRow(assignment.id)).toMatchObject({ patient_id: patient.id, doctor_id: doctor.id, notes: 'before' })
  })
})

describe('DELETE /api/mappings/{id}/', () => {
  it('removes the assignment', async () => {
    const { token, patient, doctor } = await clinic()
    const assignment = await createAssignment(token, patient.id, doctor.id)
    const response = await send('DELETE', `/api/mappings/${assignment.id}/`, { token })
    expect(response.status).toBe(204)
    expect(response.body).toBeNull()
    expect(await assignmentRow(assignment.id)).toBeNull()
    expect((await send('DELETE', `/api/mappings/${assignment.id}/`, { token })).status).toBe(404)
  })
})

describe("a patient's doctors", () => {
  for (const path of ['/api/mappings/patient/{id}/', '/api/patients/{id}/doctors/']) {
    it(`GET ${path} lists the doctors with their assignment`, async () => {
      const { token, patient, doctor } = await clinic()
      const assignment = await createAssignment(token, patient.id, doctor.id, { is_active: false })
      const response = await send('GET', path.replace('{id}', String(patient.id)), { token })
      expect(response.status).toBe(200)
      expect(response.body).toEqual({
        patient_id: patient.id,
        patient_name: 'Ada Patient',
        count: 1,
        doctors: [{ ...doctor, mapping_id: assignment.id, is_active: false, assigned_at: assignment.assigned_at }],
      })
    })

    it(`GET ${path} is empty for a patient without doctors and 404 for others'`, async () => {
      const { token, patient } = await clinic()
      const other = await clinic()
      const empty = await send('GET', path.replace('{id}', String(patient.id)), { token })
      expect(empty.body).toEqual({ patient_id: patient.id, patient_name: 'Ada Patient', count: 0, doctors: [] })
      for (const id of [other.patient.id, 99_999_999]) {
        const response = await send('GET', path.replace('{id}', String(id)), { token })
        expect(response.status).toBe(404)
        expect(response.body.code).toBe('not_found')
      }
    })
  }
})

describe('another user', () => {
  it("gets 404 for every route on someone else's assignment, which stays as it was", async () => {
    const owner = await clinic()
    const assignment = await createAssignment(owner.token, owner.patient.id, owner.doctor.id, { notes: 'private' })
    const intruder = await signedInUser()
    const attempts = [
      send('GET', `/api/mappings/${assignment.id}/`, { token: intruder.access }),
      send('PUT', `/api/mappings/${assignment.id}/`, { token: intruder.access, body: { notes: 'hacked' } }),
      send('PATCH', `/api/mappings/${assignment.id}/`, { token: intruder.access, body: { is_active: false } }),
      send('DELETE', `/api/mappings/${assignment.id}/`, { token: intruder.access }),
    ]
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(404)
      expect(response.body.code).toBe('not_found')
    }
    expect(await assignmentRow(assignment.id)).toMatchObject({ notes: 'private', is_active: 1 })
    const list = await send('GET', `/api/mappings/?patient=${owner.patient.id}`, { token: intruder.access })
    expect(list.body.count).toBe(0)
  })

  it('needs a token for every assignment route', async () => {
    for (const [method, path] of [['GET', '/api/mappings/'], ['POST', '/api/mappings/'], ['GET', '/api/mappings/1/'], ['GET', '/api/mappings/patient/1/']]) {
      const response = await send(method, path, method === 'POST' ? { body: {} } : {})
      expect(response.status).toBe(401)
    }
  })
})
