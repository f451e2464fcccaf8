import { describe, expect, it } from 'vitest'
import type { Patient } from '../src/schemas/patients'
import { columnsOf, countPatientsOf, deleteAssignment, insertRow, assignmentRow, patientRow, setPatient, setPatientsOf } from './db'
import { BASE, createPatient, dateYearsAgo, send, signedInUser, uniqueEmail } from './helpers'

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

/** A YYYY-MM-DD date `days` days from today (UTC); negative for the past. */
function dateInDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)
}

/** The day after `date` (YYYY-MM-DD). */
function dayAfter(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
}

const patientCount = countPatientsOf

/** Assigns a doctor straight in D1, so these tests do not depend on the mappings and doctors routes. */
async function assignDoctorDirectly(patientId: number, userId: number): Promise<number> {
  const doctor = await insertRow('doctors', { created_by: userId, name: 'Dr. Direct Insert', specialization: 'Cardiology' })
  return insertRow('mappings', { patient_id: patientId, doctor_id: doctor, assigned_by: userId })
}

const assignmentExists = async (id: number) => (await assignmentRow(id)) !== null

const ids = (body: { results: { id: number }[] }) => body.results.map((patient) => patient.id)

const FULL = {
  name: 'Grace Hopper',
  date_of_birth: '1980-03-15',
  gender: 'female',
  email: 'grace@example.com',
  phone_number: '+15551234567',
  address: '12 Harbour Road, Arlington',
  blood_group: 'O+',
  medical_history: 'Penicillin allergy.',
}

describe('POST /api/patients/', () => {
  it('creates a patient owned by the caller, with a Location header and a computed age', async () => {
    const user = await signedInUser()
    const response = await send('POST', '/api/patients/', { token: user.access, body: FULL })
    expect(response.status).toBe(201)
    const id = response.body.id
    expect(response.headers.get('location')).toBe(`/api/patients/${id}/`)
    expect(response.body).toEqual({
      ...FULL,
      id: expect.any(Number),
      age: expect.any(Number),
      created_by: user.id,
      created_at: expect.stringMatching(TIMESTAMP),
      updated_at: expect.stringMatching(TIMESTAMP),
    })
    expect(response.body).not.toHaveProperty('version')
    expect(await patientRow(id)).toMatchObject({ ...FULL, created_by: user.id, version: 1 })
  })

  it('answers without a trailing slash too', async () => {
    const user = await signedInUser()
    const response = await send('POST', '/api/patients', { token: user.access, body: { name: 'No Slash', date_of_birth: '1990-01-01', gender: 'other' } })
    expect(response.status).toBe(201)
  })

  it('returns absent optional fields as null', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    expect(patient).toMatchObject({ email: null, phone_number: null, address: null, blood_group: null, medical_history: null })
  })

  it('requires a token', async () => {
    const response = await send('POST', '/api/patients/', { body: FULL })
    expect(response.status).toBe(401)
    expect(response.body.code).toBe('not_authenticated')
  })

  it('names every missing required field', async () => {
    const user = await signedInUser()
    const response = await send('POST', '/api/patients/', { token: user.access, body: {} })
    expect(response.status).toBe(400)
    expect(response.body.code).toBe('validation_error')
    expect(response.body.details).toEqual({
      name: ['This field is required.'],
      date_of_birth: ['This field is required.'],
      gender: ['This field is required.'],
    })
  })

  it('trims the name and keeps names of up to 120 characters', async () => {
    const user = await signedInUser()
    expect((await createPatient(user.access, { name: '  Grace Hopper  ' })).name).toBe('Grace Hopper')
    expect((await createPatient(user.access, { name: 'n'.repeat(120) })).name).toHaveLength(120)
  })

  it.each([
    ['a blank name', { name: '   ' }, 'name'],
    ['a 121-character name', { name: 'n'.repeat(121) }, 'name'],
    ['a name that is not text', { name: 42 }, 'name'],
    ['a date of birth tomorrow', { date_of_birth: dateInDays(1) }, 'date_of_birth'],
    ['a date of birth in 1899', { date_of_birth: '1899-12-31' }, 'date_of_birth'],
    ['a date of birth that does not exist', { date_of_birth: '2023-02-29' }, 'date_of_birth'],
    ['a date of birth in another format', { date_of_birth: '15/03/1980' }, 'date_of_birth'],
    ['a date of birth with a time', { date_of_birth: '1980-03-15T00:00:00Z' }, 'date_of_birth'],
    ['an unknown gender', { gender: 'unknown' }, 'gender'],
    ['a gender in capitals', { gender: 'Female' }, 'gender'],
    ['an invalid email', { email: 'not-an-email' }, 'email'],
    ['a phone number with 6 digits', { phone_number: '123456' }, 'phone_number'],
    ['a phone number with 16 digits', { phone_number: '1234567890123456' }, 'phone_number'],
    ['a phone number with letters', { phone_number: '555-CALL-NOW' }, 'phone_number'],
    ['a phone number with a + in the middle', { phone_number: '555+1234567' }, 'phone_number'],
    ['an address over 500 characters', { address: 'a'.repeat(501) }, 'address'],
    ['an unknown blood group', { blood_group: 'C+' }, 'blood_group'],
    ['medical history over 10,000 characters', { medical_history: 'm'.repeat(10_001) }, 'medical_history'],
    ['an unknown field', { favourite_colour: 'blue' }, 'favourite_colour'],
  ])('refuses %s with 400 and details.<field>, inserting nothing', async (_, fields, field) => {
    const user = await signedInUser()
    const response = await send('POST', '/api/patients/', {
      token: user.access,
      body: { name: 'Grace Hopper', date_of_birth: '1980-03-15', gender: 'female', ...fields },
    })
    expect(response.status).toBe(400)
    expect(response.body.code).toBe('validation_error')
    expect(Object.keys(response.body.details)).toEqual([field])
    expect(response.body.details[field][0]).toMatch(/^[A-Z].*\.$/)
    expect(await patientCount(user.id)).toBe(0)
  })

  it('explains a future date, a date before 1900 and a wrong gender in words', async () => {
    const user = await signedInUser()
    const future = await send('POST', '/api/patients/', { token: user.access, body: { ...FULL, date_of_birth: dateInDays(1) } })
    expect(future.body.details.date_of_birth).toEqual(['The date of birth cannot be in the future.'])
    const old = await send('POST', '/api/patients/', { token: user.access, body: { ...FULL, date_of_birth: '1899-12-31' } })
    expect(old.body.details.date_of_birth).toEqual(['The date of birth cannot be before 1900-01-01.'])
    const gender = await send('POST', '/api/patients/', { token: user.access, body: { ...FULL, gender: 'x' } })
    expect(gender.body.details.gender).toEqual(['Choose male, female or other.'])
  })

  it('accepts the limits: born today, born on 1900-01-01, 10,000 characters of history, 500 of address', async () => {
    const user = await signedInUser()
    expect((await createPatient(user.access, { date_of_birth: dateYearsAgo(0) })).age).toBe(0)
    expect((await createPatient(user.access, { date_of_birth: '1900-01-01' })).date_of_birth).toBe('1900-01-01')
    expect((await createPatient(user.access, { medical_history: 'm'.repeat(10_000) })).medical_history).toHaveLength(10_000)
    expect((await createPatient(user.access, { address: 'a'.repeat(500) })).address).toHaveLength(500)
    expect((await createPatient(user.access, { date_of_birth: '2024-02-29' })).date_of_birth).toBe('2024-02-29')
  })

  it('stores phone numbers without spaces and dashes', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, { phone_number: '+1 555-123-4567' })
    expect(patient.phone_number).toBe('+15551234567')
    expect((await patientRow(patient.id))!.phone_number).toBe('+15551234567')
    expect((await createPatient(user.access, { phone_number: '0301 234 567' })).phone_number).toBe('0301234567')
  })

  it('trims and lowercases emails', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, { email: '  Grace.Hopper@Example.COM ' })
    expect(patient.email).toBe('grace.hopper@example.com')
    expect((await patientRow(patient.id))!.email).toBe('grace.hopper@example.com')
  })

  it('stores blank optional text as null, and accepts null', async () => {
    const user = await signedInUser()
    const blank = await createPatient(user.access, { email: '', phone_number: ' ', address: '  ', blood_group: '', medical_history: '' })
    expect(blank).toMatchObject({ email: null, phone_number: null, address: null, blood_group: null, medical_history: null })
    const nulls = await createPatient(user.access, { email: null, phone_number: null, address: null, blood_group: null, medical_history: null })
    expect(nulls).toMatchObject({ email: null, phone_number: null, address: null, blood_group: null, medical_history: null })
    expect(await patientRow(blank.id)).toMatchObject({ email: null, phone_number: null, address: null, blood_group: null })
  })

  it('ignores read-only fields sent in the body', async () => {
    const user = await signedInUser()
    const other = await signedInUser()
    const response = await send('POST', '/api/patients/', {
      token: user.access,
      body: { ...FULL, id: 999_999, age: 3, created_by: other.id, created_at: '2000-01-01T00:00:00Z', updated_at: '2000-01-01T00:00:00Z', version: 50 },
    })
    expect(response.status).toBe(201)
    expect(response.body.id).not.toBe(999_999)
    expect(response.body.age).not.toBe(3)
    expect(response.body.created_by).toBe(user.id)
    expect(response.body.created_at).not.toBe('2000-01-01T00:00:00Z')
    expect(await patientRow(response.body.id)).toMatchObject({ created_by: user.id, version: 1 })
    expect(await patientCount(other.id)).toBe(0)
  })

  it('refuses a second patient with the same email for the same user, in any letter case', async () => {
    const user = await signedInUser()
    const email = uniqueEmail('patient')
    await createPatient(user.access, { email })
    const response = await send('POST', '/api/patients/', { token: user.access, body: { ...FULL, email: email.toUpperCase() } })
    expect(response.status).toBe(409)
    expect(response.body.code).toBe('conflict')
    expect(Object.keys(response.body.details)).toEqual(['email'])
    expect(await patientCount(user.id)).toBe(1)
  })

  it('lets another user keep a patient with the same email', async () => {
    const first = await signedInUser()
    const second = await signedInUser()
    const email = uniqueEmail('shared')
    await createPatient(first.access, { email })
    const response = await send('POST', '/api/patients/', { token: second.access, body: { ...FULL, email } })
    expect(response.status).toBe(201)
    expect(response.body.email).toBe(email)
  })

  it('lets one user keep several patients without an email', async () => {
    const user = await signedInUser()
    await createPatient(user.access)
    await createPatient(user.access)
    expect(await patientCount(user.id)).toBe(2)
  })
})

describe('age', () => {
  it('counts whole years as of today (UTC)', async () => {
    const user = await signedInUser()
    expect((await createPatient(user.access, { date_of_birth: dateYearsAgo(30) })).age).toBe(30)
    expect((await createPatient(user.access, { date_of_birth: dayAfter(dateYearsAgo(30)) })).age).toBe(29)
    expect((await createPatient(user.access, { date_of_birth: dateYearsAgo(1) })).age).toBe(1)
  })

  it('is computed on every read, never stored', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, { date_of_birth: dateYearsAgo(40) })
    expect(patient.age).toBe(40)
    expect(await columnsOf('patients')).not.toContain('age')
    await setPatient(patient.id, { date_of_birth: dateYearsAgo(7) })
    expect((await send('GET', `/api/patients/${patient.id}/`, { token: user.access })).body.age).toBe(7)
  })
})

describe('GET /api/patients/{id}/', () => {
  it("returns the caller's patient, with and without a trailing slash", async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, FULL)
    for (const path of [`/api/patients/${patient.id}/`, `/api/patients/${patient.id}`]) {
      const response = await send('GET', path, { token: user.access })
      expect(response.status).toBe(200)
      expect(response.body).toEqual(patient)
    }
  })

  it('answers 404 for a patient that does not exist', async () => {
    const user = await signedInUser()
    const response = await send('GET', '/api/patients/987654321/', { token: user.access })
    expect(response.status).toBe(404)
    expect(response.body.code).toBe('not_found')
  })

  it('requires a token', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    expect((await send('GET', `/api/patients/${patient.id}/`)).status).toBe(401)
  })
})

describe('PUT /api/patients/{id}/', () => {
  it('replaces every field and bumps the version', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, FULL)
    const replacement = {
      name: 'Grace B. Hopper',
      date_of_birth: '1981-04-16',
      gender: 'other',
      email: 'gbh@example.com',
      phone_number: '+44 20-7946-0958',
      address: '1 Navy Yard',
      blood_group: 'AB-',
      medical_history: 'None.',
    }
    const response = await send('PUT', `/api/patients/${patient.id}/`, { token: user.access, body: replacement })
    expect(response.status).toBe(200)
    expect(response.body).toEqual({
      ...patient,
      ...replacement,
      phone_number: '+442079460958',
      age: expect.any(Number),
      updated_at: expect.stringMatching(TIMESTAMP),
    })
    expect(await patientRow(patient.id)).toMatchObject({ ...replacement, phone_number: '+442079460958', version: 2 })
  })

  it('clears optional fields left out', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, FULL)
    const response = await send('PUT', `/api/patients/${patient.id}/`, {
      token: user.access,
      body: { name: 'Grace Hopper', date_of_birth: '1980-03-15', gender: 'female' },
    })
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ email: null, phone_number: null, address: null, blood_group: null, medical_history: null })
  })

  it.each(['name', 'date_of_birth', 'gender'])('refuses a body without %s and changes nothing', async (field) => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, FULL)
    const body: Record<string, unknown> = { ...FULL, name: 'Changed' }
    delete body[field]
    if (field === 'name') body.email = 'changed@example.com'
    const response = await send('PUT', `/api/patients/${patient.id}/`, { token: user.access, body })
    expect(response.status).toBe(400)
    expect(response.body.details).toEqual({ [field]: ['This field is required.'] })
    expect(await patientRow(patient.id)).toMatchObject({ ...FULL, version: 1 })
  })

  it('refuses an invalid value and an unknown field', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, FULL)
    const invalid = await send('PUT', `/api/patients/${patient.id}/`, { token: user.access, body: { ...FULL, date_of_birth: dateInDays(2) } })
    expect(invalid.status).toBe(400)
    expect(Object.keys(invalid.body.details)).toEqual(['date_of_birth'])
    const unknown = await send('PUT', `/api/patients/${patient.id}/`, { token: user.access, body: { ...FULL, ssn: '123' } })
    expect(unknown.status).toBe(400)
    expect(Object.keys(unknown.body.details)).toEqual(['ssn'])
    expect(await patientRow(patient.id)).toMatchObject({ ...FULL, version: 1 })
  })

  it("keeps the patient's own email without a conflict, but refuses another patient's", async () => {
    const user = await signedInUser()
    const taken = uniqueEmail('taken')
    await createPatient(user.access, { email: taken })
    const patient = await createPatient(user.access, FULL)
    const same = await send('PUT', `/api/patients/${patient.id}/`, { token: user.access, body: { ...FULL, name: 'Renamed' } })
    expect(same.status).toBe(200)
    const clash = await send('PUT', `/api/patients/${patient.id}/`, { token: user.access, body: { ...FULL, email: taken } })
    expect(clash.status).toBe(409)
    expect(Object.keys(clash.body.details)).toEqual(['email'])
    expect((await patientRow(patient.id))!.email).toBe(FULL.email)
  })

  it('answers 404 for a patient that does not exist', async () => {
    const user = await signedInUser()
    const response = await send('PUT', '/api/patients/987654321/', { token: user.access, body: FULL })
    expect(response.status).toBe(404)
  })
})

describe('PATCH /api/patients/{id}/', () => {
  it('changes only the fields sent', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, FULL)
    const response = await send('PATCH', `/api/patients/${patient.id}/`, { token: user.access, body: { phone_number: '555 000 1111' } })
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ ...patient, phone_number: '5550001111', updated_at: expect.stringMatching(TIMESTAMP) })
    expect(await patientRow(patient.id)).toMatchObject({ ...FULL, phone_number: '5550001111', version: 2 })
  })

  it('returns the patient unchanged for an empty body, writing nothing', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, FULL)
    const response = await send('PATCH', `/api/patients/${patient.id}/`, { token: user.access, body: {} })
    expect(response.status).toBe(200)
    expect(response.body).toEqual(patient)
    expect(await patientRow(patient.id)).toMatchObject({ version: 1, updated_at: patient.updated_at })
  })

  it('clears an optional field sent as null or blank', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, FULL)
    const response = await send('PATCH', `/api/patients/${patient.id}/`, {
      token: user.access,
      body: { email: null, address: '', blood_group: null },
    })
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ email: null, address: null, blood_group: null, phone_number: FULL.phone_number })
    expect(await patientRow(patient.id)).toMatchObject({ email: null, address: null, blood_group: null })
  })

  it.each([
    ['null for a required field', { name: null }, 'name'],
    ['a blank name', { name: '' }, 'name'],
    ['a date before 1900', { date_of_birth: '1899-06-01' }, 'date_of_birth'],
    ['a bad gender', { gender: 'n/a' }, 'gender'],
    ['a bad phone number', { phone_number: '12' }, 'phone_number'],
    ['an unknown field', { nickname: 'Amazing Grace' }, 'nickname'],
  ])('refuses %s with 400 and changes nothing', async (_, body, field) => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, FULL)
    const response = await send('PATCH', `/api/patients/${patient.id}/`, { token: user.access, body })
    expect(response.status).toBe(400)
    expect(Object.keys(response.body.details)).toEqual([field])
    expect(await patientRow(patient.id)).toMatchObject({ ...FULL, version: 1 })
  })

  it('ignores read-only fields', async () => {
    const user = await signedInUser()
    const other = await signedInUser()
    const patient = await createPatient(user.access, FULL)
    const response = await send('PATCH', `/api/patients/${patient.id}/`, {
      token: user.access,
      body: { id: patient.id + 1000, created_by: other.id, age: 99, created_at: '2000-01-01T00:00:00Z', version: 9, name: 'Renamed' },
    })
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ id: patient.id, created_by: user.id, age: patient.age, created_at: patient.created_at, name: 'Renamed' })
    expect(await patientRow(patient.id)).toMatchObject({ created_by: user.id, created_at: patient.created_at, version: 2 })
  })

  it("refuses another of the user's patients' email with 409", async () => {
    const user = await signedInUser()
    const taken = uniqueEmail('taken')
    await createPatient(user.access, { email: taken })
    const patient = await createPatient(user.access, FULL)
    const response = await send('PATCH', `/api/patients/${patient.id}/`, { token: user.access, body: { email: taken.toUpperCase() } })
    expect(response.status).toBe(409)
    expect(Object.keys(response.body.details)).toEqual(['email'])
    expect(await patientRow(patient.id)).toMatchObject({ email: FULL.email, version: 1 })
  })

  it('answers 404 for a patient that does not exist', async () => {
    const user = await signedInUser()
    const response = await send('PATCH', '/api/patients/987654321/', { token: user.access, body: { name: 'x' } })
    expect(response.status).toBe(404)
    const empty = await send('PATCH', '/api/patients/987654321/', { token: user.access, body: {} })
    expect(empty.status).toBe(404)
  })
})

describe('DELETE /api/patients/{id}/', () => {
  it('deletes the patient with 204 and no body', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const response = await send('DELETE', `/api/patients/${patient.id}/`, { token: user.access })
    expect(response.status).toBe(204)
    expect(response.body).toBeNull()
    expect(await patientRow(patient.id)).toBeNull()
    expect((await send('GET', `/api/patients/${patient.id}/`, { token: user.access })).status).toBe(404)
  })

  it('answers 404 for a patient that does not exist', async () => {
    const user = await signedInUser()
    const response = await send('DELETE', '/api/patients/987654321/', { token: user.access })
    expect(response.status).toBe(404)
    expect(response.body.code).toBe('not_found')
  })

  it('refuses a patient with one assignment with 409, leaving the patient and the assignment', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const assignment = await assignDoctorDirectly(patient.id, user.id)
    const response = await send('DELETE', `/api/patients/${patient.id}/`, { token: user.access })
    expect(response.status).toBe(409)
    expect(response.body.code).toBe('conflict')
    expect(response.body.error).toBe('This patient still has 1 doctor assignment; remove its 1 assignment first.')
    expect(await patientRow(patient.id)).not.toBeNull()
    expect(await assignmentExists(assignment)).toBe(true)
  })

  it('counts every assignment in the refusal', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const assignments = [await assignDoctorDirectly(patient.id, user.id), await assignDoctorDirectly(patient.id, user.id)]
    const response = await send('DELETE', `/api/patients/${patient.id}/`, { token: user.access })
    expect(response.status).toBe(409)
    expect(response.body.error).toBe('This patient still has 2 doctor assignments; remove its 2 assignments first.')
    expect(await patientRow(patient.id)).not.toBeNull()
    for (const assignment of assignments) expect(await assignmentExists(assignment)).toBe(true)
  })

  it('deletes the patient once its assignments are gone', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const assignment = await assignDoctorDirectly(patient.id, user.id)
    expect((await send('DELETE', `/api/patients/${patient.id}/`, { token: user.access })).status).toBe(409)
    await deleteAssignment(assignment)
    expect((await send('DELETE', `/api/patients/${patient.id}/`, { token: user.access })).status).toBe(204)
    expect(await patientRow(patient.id)).toBeNull()
  })
})

describe("another user's patient", () => {
  async function twoUsers() {
    const owner = await signedInUser()
    const stranger = await signedInUser()
    const patient = await createPatient(owner.access, { ...FULL, email: uniqueEmail('private'), name: `Private ${crypto.randomUUID()}` })
    return { owner, stranger, patient, before: await patientRow(patient.id) }
  }

  it.each([
    ['GET', undefined],
    ['PUT', FULL],
    ['PATCH', { name: 'Stolen' }],
    ['PATCH', {}],
    ['DELETE', undefined],
  ])('answers %s with the same 404 as a missing patient and leaves the row alone', async (method, body) => {
    const { owner, stranger, patient, before } = await twoUsers()
    const theirs = await send(method, `/api/patients/${patient.id}/`, { token: stranger.access, body })
    const missing = await send(method, '/api/patients/987654321/', { token: stranger.access, body })
    expect(theirs.status).toBe(404)
    expect(theirs.body).toEqual(missing.body)
    expect(await patientRow(patient.id)).toEqual(before)
    expect((await send('GET', `/api/patients/${patient.id}/`, { token: owner.access })).status).toBe(200)
  })

  it('answers DELETE with 404, not 409, when the patient has assignments', async () => {
    const { owner, stranger, patient } = await twoUsers()
    const assignment = await assignDoctorDirectly(patient.id, owner.id)
    const response = await send('DELETE', `/api/patients/${patient.id}/`, { token: stranger.access })
    expect(response.status).toBe(404)
    expect(await assignmentExists(assignment)).toBe(true)
  })

  it.each([
    ['the plain list', () => ''],
    ['a search by name', (p: Patient) => `search=${encodeURIComponent(p.name)}`],
    ['a search by email', (p: Patient) => `search=${encodeURIComponent(p.email ?? '')}`],
    ['a search by phone', () => 'search=5551234567'],
    ['the gender filter', () => 'gender=female'],
    ['the blood group filter', () => 'blood_group=O%2B'],
    ['each ordering', () => 'ordering=name'],
  ])('never shows up in %s', async (_, query) => {
    const { stranger, patient } = await twoUsers()
    const own = await createPatient(stranger.access, { name: 'Stranger Own', gender: 'male' })
    const response = await send('GET', `/api/patients/?${query(patient)}`, { token: stranger.access })
    expect(response.status).toBe(200)
    expect(ids(response.body)).not.toContain(patient.id)
    expect(response.body.results.every((result: { created_by: number }) => result.created_by === stranger.id)).toBe(true)
    expect(response.body.count).toBe(query(patient) === '' || query(patient) === 'ordering=name' ? 1 : 0)
    if (response.body.count) expect(ids(response.body)).toEqual([own.id])
  })
})

describe('GET /api/patients/', () => {
  async function userWithPatients(count: number, fields: (index: number) => Record<string, unknown> = () => ({})) {
    const user = await signedInUser()
    const patients = []
    for (let index = 0; index < count; index++) patients.push(await createPatient(user.access, fields(index)))
    return { user, patients }
  }

  const list = (token: string, query = '') => send('GET', `/api/patients/${query ? `?${query}` : ''}`, { token })

  it('lists only the caller\'s patients, with and without a trailing slash', async () => {
    const { user, patients } = await userWithPatients(2)
    await userWithPatients(1)
    for (const path of ['/api/patients/', '/api/patients']) {
      const response = await send('GET', path, { token: user.access })
      expect(response.status).toBe(200)
      expect(response.body).toEqual({ count: 2, next: null, previous: null, results: expect.any(Array) })
      expect(ids(response.body).sort()).toEqual(patients.map((p) => p.id).sort())
    }
  })

  it('gives an empty page to a user without patients', async () => {
    const user = await signedInUser()
    const response = await list(user.access)
    expect(response.body).toEqual({ count: 0, next: null, previous: null, results: [] })
  })

  it('returns full patient objects with age and no version', async () => {
    const { user, patients } = await userWithPatients(1, () => ({ ...FULL, date_of_birth: dateYearsAgo(25) }))
    const response = await list(user.access)
    expect(response.body.results).toEqual([patients[0]])
    expect(response.body.results[0].age).toBe(25)
    expect(response.body.results[0]).not.toHaveProperty('version')
  })

  it('requires a token', async () => {
    expect((await send('GET', '/api/patients/')).status).toBe(401)
  })

  describe('pagination', () => {
    it('pages with absolute next and previous links that keep the other parameters', async () => {
      const { user, patients } = await userWithPatients(5)
      const newestFirst = patients.map((p) => p.id).reverse()
      const first = await list(user.access, 'page_size=2&gender=female')
      expect(first.body.count).toBe(5)
      expect(ids(first.body)).toEqual(newestFirst.slice(0, 2))
      expect(first.body.previous).toBeNull()
      const next = new URL(first.body.next)
      expect(`${next.origin}${next.pathname}`).toBe(`${BASE}/api/patients/`)
      expect(Object.fromEntries(next.searchParams)).toEqual({ page: '2', page_size: '2', gender: 'female' })

      const second = await send('GET', first.body.next.slice(BASE.length), { token: user.access })
      expect(ids(second.body)).toEqual(newestFirst.slice(2, 4))
      expect(new URL(second.body.previous).searchParams.get('page')).toBe('1')
      expect(new URL(second.body.next).searchParams.get('page')).toBe('3')

      const last = await list(user.access, 'page_size=2&page=3')
      expect(ids(last.body)).toEqual(newestFirst.slice(4))
      expect(last.body.next).toBeNull()
      expect(last.body.previous).toMatch(/^http:\/\/api\.test\/api\/patients\/\?.*page=2/)
    })

    it('answers an out-of-range page with empty results, not an error', async () => {
      const { user } = await userWithPatients(3)
      const response = await list(user.access, 'page=50&page_size=2')
      expect(response.status).toBe(200)
      expect(response.body.count).toBe(3)
      expect(response.body.results).toEqual([])
      expect(response.body.next).toBeNull()
    })

    it('defaults to 20 a page and accepts up to 100', async () => {
      const { user } = await userWithPatients(21)
      const defaults = await list(user.access)
      expect(defaults.body.results).toHaveLength(20)
      expect(defaults.body.next).not.toBeNull()
      const hundred = await list(user.access, 'page_size=100')
      expect(hundred.status).toBe(200)
      expect(hundred.body.results).toHaveLength(21)
    })

    it.each([
      ['page_size=101', 'page_size'],
      ['page_size=0', 'page_size'],
      ['page=0', 'page'],
      ['page=abc', 'page'],
    ])('refuses %s with 400 and details.<param>', async (query, param) => {
      const user = await signedInUser()
      const response = await list(user.access, query)
      expect(response.status).toBe(400)
      expect(Object.keys(response.body.details)).toEqual([param])
    })
  })

  describe('ordering', () => {
    it('defaults to newest first by created_at, not by id', async () => {
      const { user, patients } = await userWithPatients(3)
      await setPatient(patients[2].id, { created_at: '2001-01-01T00:00:00Z' })
      await setPatient(patients[0].id, { created_at: '2099-01-01T00:00:00Z' })
      const expected = [patients[0].id, patients[1].id, patients[2].id]
      expect(ids((await list(user.access)).body)).toEqual(expected)
      expect(ids((await list(user.access, 'ordering=-created_at')).body)).toEqual(expected)
      expect(ids((await list(user.access, 'ordering=created_at')).body)).toEqual([...expected].reverse())
    })

    it('orders by name, both ways', async () => {
      const names = ['Carol', 'Alice', 'Bob']
      const { user, patients } = await userWithPatients(3, (index) => ({ name: names[index] }))
      const [carol, alice, bob] = patients.map((p) => p.id)
      expect(ids((await list(user.access, 'ordering=name')).body)).toEqual([alice, bob, carol])
      expect(ids((await list(user.access, 'ordering=-name')).body)).toEqual([carol, bob, alice])
    })

    it('orders by date of birth, both ways', async () => {
      const dates = ['1990-05-05', '1950-01-01', '2010-12-31']
      const { user, patients } = await userWithPatients(3, (index) => ({ date_of_birth: dates[index] }))
      const [middle, oldest, youngest] = patients.map((p) => p.id)
      expect(ids((await list(user.access, 'ordering=date_of_birth')).body)).toEqual([oldest, middle, youngest])
      expect(ids((await list(user.access, 'ordering=-date_of_birth')).body)).toEqual([youngest, middle, oldest])
    })

    it('breaks ties by id in the same direction, so pages never overlap', async () => {
      const { user, patients } = await userWithPatients(4, () => ({ name: 'Same Name', date_of_birth: '1970-01-01' }))
      await setPatientsOf(user.id, { created_at: '2020-01-01T00:00:00Z' })
      const ascending = patients.map((p) => p.id)
      const descending = [...ascending].reverse()
      for (const [ordering, expected] of [
        ['name', ascending],
        ['-name', descending],
        ['date_of_birth', ascending],
        ['-date_of_birth', descending],
        ['created_at', ascending],
        ['-created_at', descending],
      ] as const) {
        const first = await list(user.access, `ordering=${ordering}&page_size=2`)
        const second = await list(user.access, `ordering=${ordering}&page_size=2&page=2`)
        expect([...ids(first.body), ...ids(second.body)]).toEqual(expected)
      }
    })

    it.each(['age', 'id', 'email', '--name', 'name,created_at'])('refuses ordering=%s with 400 and details.ordering', async (ordering) => {
      const user = await signedInUser()
      const response = await list(user.access, `ordering=${encodeURIComponent(ordering)}`)
      expect(response.status).toBe(400)
      expect(response.body.code).toBe('validation_error')
      expect(Object.keys(response.body.details)).toEqual(['ordering'])
    })
  })

  describe('filters', () => {
    it('filters by gender, and the count follows', async () => {
      const genders = ['male', 'female', 'other', 'female']
      const { user, patients } = await userWithPatients(4, (index) => ({ gender: genders[index] }))
      const response = await list(user.access, 'gender=female&ordering=created_at')
      expect(response.body.count).toBe(2)
      expect(ids(response.body)).toEqual([patients[1].id, patients[3].id])
      expect(ids((await list(user.access, 'gender=male')).body)).toEqual([patients[0].id])
    })

    it('filters by blood group, with + encoded or not', async () => {
      const groups = ['A+', 'A-', 'AB+', null]
      const { user, patients } = await userWithPatients(4, (index) => ({ blood_group: groups[index] }))
      const encoded = await list(user.access, 'blood_group=A%2B')
      expect(encoded.body.count).toBe(1)
      expect(ids(encoded.body)).toEqual([patients[0].id])
      expect(ids((await list(user.access, 'blood_group=A+')).body)).toEqual([patients[0].id])
      expect(ids((await list(user.access, 'blood_group=A-')).body)).toEqual([patients[1].id])
      expect(ids((await list(user.access, 'blood_group=AB%2B')).body)).toEqual([patients[2].id])
    })

    it('combines filters', async () => {
      const { user, patients } = await userWithPatients(3, (index) => ({
        gender: index === 0 ? 'male' : 'female',
        blood_group: index === 2 ? 'B-' : 'O-',
      }))
      const response = await list(user.access, 'gender=female&blood_group=O-')
      expect(ids(response.body)).toEqual([patients[1].id])
    })

    it.each([
      ['gender=unknown', 'gender'],
      ['gender=FEMALE', 'gender'],
      ['blood_group=C%2B', 'blood_group'],
      ['blood_group=a%2B', 'blood_group'],
    ])('refuses %s with 400 and details.<param>', async (query, param) => {
      const user = await signedInUser()
      const response = await list(user.access, query)
      expect(response.status).toBe(400)
      expect(Object.keys(response.body.details)).toEqual([param])
    })

    it('treats an empty filter value as no filter', async () => {
      const { user } = await userWithPatients(2)
      const response = await list(user.access, 'gender=&blood_group=&ordering=&search=')
      expect(response.status).toBe(200)
      expect(response.body.count).toBe(2)
    })
  })

  describe('search', () => {
    const people = [
      { name: 'Ada Lovelace', email: 'countess@analytical.example', phone_number: '+44 20 7000 0001' },
      { name: 'Alan Turing', email: 'alan@bletchley.example', phone_number: '+44 20 7000 0002' },
      { name: '100% Pure', email: 'pure@example.com', phone_number: null },
      { name: 'Under_Score', email: null, phone_number: '555-987-6543' },
    ]

    async function searchable() {
      const { user, patients } = await userWithPatients(people.length, (index) => people[index])
      const search = async (term: string) => {
        const response = await list(user.access, `search=${encodeURIComponent(term)}&ordering=created_at`)
        expect(response.status).toBe(200)
        return { count: response.body.count, ids: ids(response.body) }
      }
      return { search, ids: patients.map((p) => p.id) }
    }

    it('matches a substring of the name, ignoring case', async () => {
      const { search, ids: [ada, alan] } = await searchable()
      expect(await search('LOVELACE')).toEqual({ count: 1, ids: [ada] })
      expect(await search('a')).toMatchObject({ ids: expect.arrayContaining([ada, alan]) })
      expect(await search('tUr')).toEqual({ count: 1, ids: [alan] })
    })

    it('matches a substring of the email, ignoring case', async () => {
      const { search, ids: [, alan] } = await searchable()
      expect(await search('BLETCHLEY')).toEqual({ count: 1, ids: [alan] })
    })

    it('matches a substring of the phone number, written with or without separators', async () => {
      const { search, ids: [ada, alan, , under] } = await searchable()
      expect(await search('70000002')).toEqual({ count: 1, ids: [alan] })
      expect(await search('7000 000')).toEqual({ count: 2, ids: [ada, alan] })
      expect(await search('987-6543')).toEqual({ count: 1, ids: [under] })
    })

    it('takes % and _ literally', async () => {
      const { search, ids: [, , pure, under] } = await searchable()
      expect(await search('%')).toEqual({ count: 1, ids: [pure] })
      expect(await search('0%')).toEqual({ count: 1, ids: [pure] })
      expect(await search('_')).toEqual({ count: 1, ids: [under] })
    })

    it('finds nothing when nothing matches', async () => {
      const { search } = await searchable()
      expect(await search('zzzz-nobody')).toEqual({ count: 0, ids: [] })
    })

    it('combines with filters and ordering', async () => {
      const { user, patients } = await userWithPatients(3, (index) => ({
        name: ['Smith Zed', 'Smith Amy', 'Jones Smith'][index],
        gender: index === 2 ? 'male' : 'female',
      }))
      const response = await list(user.access, 'search=smith&gender=female&ordering=name')
      expect(response.body.count).toBe(2)
      expect(ids(response.body)).toEqual([patients[1].id, patients[0].id])
    })
  })
})

describe('patient ids', () => {
  it('never reuses the id of a deleted patient', async () => {
    const { access } = await signedInUser()
    const first = await createPatient(access, { name: 'Short Stay' })
    expect((await send('DELETE', `/api/patients/${first.id}/`, { token: access })).status).toBe(204)
    const second = await createPatient(access, { name: 'Next Patient' })
    expect(second.id).toBeGreaterThan(first.id)
  })
})
