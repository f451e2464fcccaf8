import { describe, expect, it } from 'vitest'
import { assignmentRow, countAssignmentsWhere, countDoctorsWhere, deleteAssignment, doctorRow, insertRow, ownClinicOf } from './db'
import { createDoctor, send, signedInUser, uniqueEmail } from './helpers'

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

let sequence = 0
/** A word no other test in this file uses, to find exactly this test's doctors in the shared directory. */
const unique = (prefix = 'tag') => `${prefix}${Date.now().toString(36)}x${++sequence}`
const uniqueLicence = () => unique('LIC-').toUpperCase()

/** A patient and its assignment to the doctor, written directly so this file needs no other resource's routes. */
async function assign(ownerId: number, doctorId: number): Promise<number> {
  const patient = await insertRow('patients', { clinic_id: await ownClinicOf(ownerId), created_by: ownerId, name: 'Mapped Patient', date_of_birth: '1980-01-01', gender: 'other' })
  return insertRow('mappings', { patient_id: patient, doctor_id: doctorId, assigned_by: ownerId })
}

const assignmentCount = (doctorId: number) => countAssignmentsWhere('doctor_id', doctorId)

describe('POST /api/doctors/', () => {
  it('creates a doctor with every field, normalised, and a Location header', async () => {
    const owner = await signedInUser()
    const email = uniqueEmail('watson')
    const licence = uniqueLicence()
    const response = await send('POST', '/api/doctors/', {
      token: owner.access,
      body: {
        name: '  Dr. John Watson ',
        specialization: 'Cardiology',
        email: `  ${email.toUpperCase()} `,
        phone_number: '+1 415-555 0123',
        qualification: 'MBBS, MD',
        experience_years: 12,
        license_number: licence,
        clinic_address: '221B Baker Street',
        consultation_fee: '150.5',
        is_available: false,
      },
    })
    expect(response.status).toBe(201)
    expect(response.body).toEqual({
      id: expect.any(Number),
      name: 'Dr. John Watson',
      specialization: 'Cardiology',
      email,
      phone_number: '+14155550123',
      qualification: 'MBBS, MD',
      experience_years: 12,
      license_number: licence,
      clinic_address: '221B Baker Street',
      consultation_fee: '150.50',
      is_available: false,
      created_by: owner.id,
      created_at: expect.stringMatching(TIMESTAMP),
      updated_at: expect.stringMatching(TIMESTAMP),
    })
    expect(response.headers.get('location')).toBe(`/api/doctors/${response.body.id}/`)
    const row = await doctorRow(response.body.id)
    expect(row).toMatchObject({ created_by: owner.id, consultation_fee_cents: 15050, is_available: 0, version: 1, email })
  })

  it('stores only the required fields, with optional ones null and is_available true', async () => {
    const { access } = await signedInUser()
    const response = await send('POST', '/api/doctors', { token: access, body: { name: 'Dr. Min', specialization: 'Dermatology' } })
    expect(response.status).toBe(201)
    expect(response.body).toMatchObject({
      email: null,
      phone_number: null,
      qualification: null,
      experience_years: null,
      license_number: null,
      clinic_address: null,
      consultation_fee: null,
      is_available: true,
    })
  })

  it('never exposes version or consultation_fee_cents', async () => {
    const { access } = await signedInUser()
    const doctor = await createDoctor(access, { consultation_fee: 10 })
    expect(Object.keys(doctor)).not.toContain('version')
    expect(Object.keys(doctor)).not.toContain('consultation_fee_cents')
  })

  it('treats blank optional text and null as empty', async () => {
    const { access } = await signedInUser()
    const doctor = await createDoctor(access, {
      email: '',
      phone_number: '  ',
      qualification: ' ',
      license_number: '',
      clinic_address: null,
      consultation_fee: null,
      experience_years: null,
    })
    expect(doctor).toMatchObject({ email: null, phone_number: null, qualification: null, license_number: null, clinic_address: null, consultation_fee: null, experience_years: null })
  })

  it('ignores read-only fields and refuses unknown ones', async () => {
    const owner = await signedInUser()
    const ignored = await send('POST', '/api/doctors/', {
      token: owner.access,
      body: { name: 'Dr. Echo', specialization: 'ENT', id: 999999, created_by: 999999, created_at: '2000-01-01T00:00:00Z', updated_at: 'x', version: 7 },
    })
    expect(ignored.status).toBe(201)
    expect(ignored.body.id).not.toBe(999999)
    expect(ignored.body.created_by).toBe(owner.id)
    expect(ignored.body.created_at).not.toBe('2000-01-01T00:00:00Z')
    expect((await doctorRow(ignored.body.id))!.version).toBe(1)

    const unknown = await send('POST', '/api/doctors/', {
      token: owner.access,
      body: { name: 'Dr. Extra', specialization: 'ENT', consultation_fee_cents: 100, rating: 5 },
    })
    expect(unknown.status).toBe(400)
    expect(Object.keys(unknown.body.details).sort()).toEqual(['consultation_fee_cents', 'rating'])
  })

  it('requires a token', async () => {
    const response = await send('POST', '/api/doctors/', { body: { name: 'Dr. Anon', specialization: 'ENT' } })
    expect(response.status).toBe(401)
  })

  it.each([
    [150.5, '150.50', 15050],
    ['150.5', '150.50', 15050],
    [150, '150.00', 15000],
    ['150', '150.00', 15000],
    [0, '0.00', 0],
    ['0.29', '0.29', 29],
    [0.29, '0.29', 29],
    [1_000_000, '1000000.00', 100_000_000],
    ['1000000.00', '1000000.00', 100_000_000],
    [' 99.9 ', '99.90', 9990],
    ['.5', '0.50', 50],
  ])('stores a fee of %j exactly as %s (%i cents)', async (fee, shown, cents) => {
    const { access } = await signedInUser()
    const doctor = await createDoctor(access, { consultation_fee: fee })
    expect(doctor.consultation_fee).toBe(shown)
    expect((await doctorRow(doctor.id))!.consultation_fee_cents).toBe(cents)
  })

  it.each([
    ['12.345'],
    [12.345],
    [-1],
    ['-0.01'],
    [1_000_000.01],
    ['1000000.01'],
    ['abc'],
    ['1e3'],
    ['12,50'],
    ['.'],
    [true],
    [[150]],
    [1e-7],
  ])('refuses a fee of %j with details.consultation_fee', async (fee) => {
    const { access } = await signedInUser()
    const name = unique('Dr. Fee ')
    const response = await send('POST', '/api/doctors/', { token: access, body: { name, specialization: 'ENT', consultation_fee: fee } })
    expect(response.status).toBe(400)
    expect(response.body.code).toBe('validation_error')
    expect(response.body.details.consultation_fee).toHaveLength(1)
    expect(await countDoctorsWhere('name', name)).toBe(0)
  })

  it.each([
    ['name', { name: undefined }],
    ['name', { name: '' }],
    ['name', { name: '   ' }],
    ['name', { name: 'x'.repeat(121) }],
    ['name', { name: 42 }],
    ['specialization', { specialization: undefined }],
    ['specialization', { specialization: '' }],
    ['specialization', { specialization: 'x'.repeat(121) }],
    ['email', { email: 'not-an-email' }],
    ['phone_number', { phone_number: '12345' }],
    ['phone_number', { phone_number: '+1234567890123456' }],
    ['phone_number', { phone_number: '555-CALL-NOW' }],
    ['qualification', { qualification: 'x'.repeat(201) }],
    ['experience_years', { experience_years: -1 }],
    ['experience_years', { experience_years: 81 }],
    ['experience_years', { experience_years: 5.5 }],
    ['experience_years', { experience_years: 'ten' }],
    ['license_number', { license_number: 'x'.repeat(51) }],
    ['clinic_address', { clinic_address: 'x'.repeat(501) }],
    ['is_available', { is_available: 'yes' }],
    ['is_available', { is_available: null }],
  ])('refuses an invalid %s', async (field, fields) => {
    const { access } = await signedInUser()
    const response = await send('POST', '/api/doctors/', { token: access, body: { name: 'Dr. Valid', specialization: 'ENT', ...fields } })
    expect(response.status).toBe(400)
    expect(Object.keys(response.body.details)).toEqual([field])
  })

  it.each([
    ['name', { name: 'x'.repeat(120) }],
    ['specialization', { specialization: 'x'.repeat(120) }],
    ['qualification', { qualification: 'x'.repeat(200) }],
    ['experience_years', { experience_years: 0 }],
    ['experience_years', { experience_years: 80 }],
    ['license_number', { license_number: `${unique('L')}`.padEnd(50, '0') }],
    ['clinic_address', { clinic_address: 'x'.repeat(500) }],
    ['phone_number', { phone_number: '1234567' }],
    ['phone_number', { phone_number: '+123456789012345' }],
  ])('accepts %s at its limit', async (_field, fields) => {
    const { access } = await signedInUser()
    const response = await send('POST', '/api/doctors/', { token: access, body: { name: 'Dr. Edge', specialization: 'ENT', ...fields } })
    expect(response.status).toBe(201)
    expect(response.body).toMatchObject(fields)
  })

  it('refuses an email another doctor has, in any letter case, with 409 details.email', async () => {
    const first = await signedInUser()
    const second = await signedInUser()
    const email = uniqueEmail('dup')
    await createDoctor(first.access, { email })
    const response = await send('POST', '/api/doctors/', {
      token: second.access,
      body: { name: 'Dr. Twin', specialization: 'ENT', email: email.toUpperCase() },
    })
    expect(response.status).toBe(409)
    expect(response.body.code).toBe('conflict')
    expect(response.body.details.email).toHaveLength(1)
    expect(await countDoctorsWhere('email', email)).toBe(1)
  })

  it('refuses a licence number another doctor has, in any letter case, with 409 details.license_number', async () => {
    const first = await signedInUser()
    const second = await signedInUser()
    const licence = uniqueLicence()
    await createDoctor(first.access, { license_number: licence })
    const response = await send('POST', '/api/doctors/', {
      token: second.access,
      body: { name: 'Dr. Twin', specialization: 'ENT', license_number: licence.toLowerCase() },
    })
    expect(response.status).toBe(409)
    expect(response.body.code).toBe('conflict')
    expect(response.body.details.license_number).toHaveLength(1)
    expect(await countDoctorsWhere('license_number', licence)).toBe(1)
  })

  it('lets many doctors have no email or licence', async () => {
    const { access } = await signedInUser()
    const made = [await createDoctor(access), await createDoctor(access), await createDoctor(access, { email: null, license_number: '' })]
    expect(new Set(made.map((doctor) => doctor.id)).size).toBe(3)
    for (const doctor of made) {
      expect(doctor).toMatchObject({ email: null, license_number: null })
      expect(await doctorRow(doctor.id)).toMatchObject({ email: null, license_number: null })
    }
  })
})

describe('GET /api/doctors/', () => {
  it('shows every user every doctor, whoever added it', async () => {
    const alice = await signedInUser()
    const bob = await signedInUser()
    const tag = unique()
    const hers = await createDoctor(alice.access, { name: `Dr. ${tag} A` })
    const his = await createDoctor(bob.access, { name: `Dr. ${tag} B` })
    for (const user of [alice, bob]) {
      const response = await send('GET', `/api/doctors/?search=${tag}&ordering=name`, { token: user.access })
      expect(response.status).toBe(200)
      expect(response.body).toEqual({ count: 2, next: null, previous: null, results: [hers, his] })
    }
  })

  it('requires a token', async () => {
    const response = await send('GET', '/api/doctors/')
    expect(response.status).toBe(401)
  })

  it('answers without a trailing slash', async () => {
    const { access } = await signedInUser()
    const response = await send('GET', '/api/doctors', { token: access })
    expect(response.status).toBe(200)
  })

  it('searches name and specialization as case-insensitive substrings', async () => {
    const { access } = await signedInUser()
    const tag = unique()
    const byName = await createDoctor(access, { name: `Dr. ${tag}son`, specialization: 'Neurology' })
    const bySpecialization = await createDoctor(access, { name: 'Dr. Plain', specialization: `Pre${tag}logy` })
    await createDoctor(access, { name: 'Dr. Other', specialization: 'Other', email: uniqueEmail(tag), qualification: tag })
    const response = await send('GET', `/api/doctors/?search=${tag.toUpperCase()}&ordering=created_at`, { token: access })
    expect(response.body.results.map((d: { id: number }) => d.id)).toEqual([byName.id, bySpecialization.id])
  })

  it('takes % and _ in the search literally', async () => {
    const { access } = await signedInUser()
    const tag = unique()
    const literal = await createDoctor(access, { name: `Dr. ${tag} 100%_sure` })
    await createDoctor(access, { name: `Dr. ${tag} 100xxsure` })
    const response = await send('GET', `/api/doctors/?search=${encodeURIComponent(`${tag} 100%_`)}`, { token: access })
    expect(response.body.results.map((d: { id: number }) => d.id)).toEqual([literal.id])
  })

  it('filters by exact specialization in any letter case', async () => {
    const { access } = await signedInUser()
    const specialization = unique('Spec')
    const exact = await createDoctor(access, { specialization })
    const otherCase = await createDoctor(access, { specialization: specialization.toUpperCase() })
    await createDoctor(access, { specialization: `${specialization} Surgery` })
    const response = await send('GET', `/api/doctors/?specialization=${specialization.toLowerCase()}&ordering=created_at`, { token: access })
    expect(response.status).toBe(200)
    expect(response.body.results.map((d: { id: number }) => d.id)).toEqual([exact.id, otherCase.id])
  })

  it('filters by is_available', async () => {
    const { access } = await signedInUser()
    const specialization = unique('Avail')
    const available = await createDoctor(access, { specialization, is_available: true })
    const away = await createDoctor(access, { specialization, is_available: false })
    const yes = await send('GET', `/api/doctors/?specialization=${specialization}&is_available=true`, { token: access })
    expect(yes.body.results.map((d: { id: number }) => d.id)).toEqual([available.id])
    const no = await send('GET', `/api/doctors/?specialization=${specialization}&is_available=false`, { token: access })
    expect(no.body.results.map((d: { id: number }) => d.id)).toEqual([away.id])
  })

  it.each(['yes', '1', 'maybe'])('refuses is_available=%s with details.is_available', async (value) => {
    const { access } = await signedInUser()
    const response = await send('GET', `/api/doctors/?is_available=${value}`, { token: access })
    expect(response.status).toBe(400)
    expect(Object.keys(response.body.details)).toEqual(['is_available'])
  })

  it('refuses an unknown ordering with details.ordering', async () => {
    const { access } = await signedInUser()
    for (const ordering of ['email', '--name', 'consultation_fee_cents', 'id']) {
      const response = await send('GET', `/api/doctors/?ordering=${ordering}`, { token: access })
      expect(response.status).toBe(400)
      expect(Object.keys(response.body.details)).toEqual(['ordering'])
    }
  })

  describe('ordering', () => {
    const ids = (body: { results: { id: number }[] }) => body.results.map((d) => d.id)

    it('defaults to newest first, ties broken by id', async () => {
      const { access } = await signedInUser()
      const specialization = unique('Order')
      const first = await createDoctor(access, { specialization })
      const second = await createDoctor(access, { specialization })
      const third = await createDoctor(access, { specialization })
      const response = await send('GET', `/api/doctors/?specialization=${specialization}`, { token: access })
      expect(ids(response.body)).toEqual([third.id, second.id, first.id])
      const ascending = await send('GET', `/api/doctors/?specialization=${specialization}&ordering=created_at`, { token: access })
      expect(ids(ascending.body)).toEqual([first.id, second.id, third.id])
    })

    it('orders by name, with equal names by id in the same direction', async () => {
      const { access } = await signedInUser()
      const specialization = unique('Order')
      const bravo = await createDoctor(access, { specialization, name: 'Bravo' })
      const alpha1 = await createDoctor(access, { specialization, name: 'Alpha' })
      const alpha2 = await createDoctor(access, { specialization, name: 'Alpha' })
      const up = await send('GET', `/api/doctors/?specialization=${specialization}&ordering=name`, { token: access })
      expect(ids(up.body)).toEqual([alpha1.id, alpha2.id, bravo.id])
      const down = await send('GET', `/api/doctors/?specialization=${specialization}&ordering=-name`, { token: access })
      expect(ids(down.body)).toEqual([bravo.id, alpha2.id, alpha1.id])
    })

    it('orders by experience_years', async () => {
      const { access } = await signedInUser()
      const specialization = unique('Order')
      const ten = await createDoctor(access, { specialization, experience_years: 10 })
      const two = await createDoctor(access, { specialization, experience_years: 2 })
      const thirty = await createDoctor(access, { specialization, experience_years: 30 })
      const up = await send('GET', `/api/doctors/?specialization=${specialization}&ordering=experience_years`, { token: access })
      expect(ids(up.body)).toEqual([two.id, ten.id, thirty.id])
      const down = await send('GET', `/api/doctors/?specialization=${specialization}&ordering=-experience_years`, { token: access })
      expect(ids(down.body)).toEqual([thirty.id, ten.id, two.id])
    })

    it('orders by consultation_fee as a number, not as text', async () => {
      const { access } = await signedInUser()
      const specialization = unique('Order')
      const hundred = await createDoctor(access, { specialization, consultation_fee: '100.00' })
      const nine = await createDoctor(access, { specialization, consultation_fee: 9.5 })
      const ten = await createDoctor(access, { specialization, consultation_fee: '10' })
      const up = await send('GET', `/api/doctors/?specialization=${specialization}&ordering=consultation_fee`, { token: access })
      expect(ids(up.body)).toEqual([nine.id, ten.id, hundred.id])
      const down = await send('GET', `/api/doctors/?specialization=${specialization}&ordering=-consultation_fee`, { token: access })
      expect(ids(down.body)).toEqual([hundred.id, ten.id, nine.id])
    })
  })

  describe('pagination', () => {
    it('pages with absolute next and previous links that keep the filters', async () => {
      const { access } = await signedInUser()
      const specialization = unique('Page')
      const made = []
      for (let i = 0; i < 5; i++) made.push(await createDoctor(access, { specialization }))
      const base = `/api/doctors/?specialization=${specialization}&ordering=created_at&page_size=2`
      const first = await send('GET', base, { token: access })
      expect(first.body.count).toBe(5)
      expect(first.body.results.map((d: { id: number }) => d.id)).toEqual([made[0].id, made[1].id])
      expect(first.body.previous).toBeNull()
      const next = new URL(first.body.next)
      expect(next.origin).toBe('http://api.test')
      expect(next.searchParams.get('page')).toBe('2')
      expect(next.searchParams.get('specialization')).toBe(specialization)

      const last = await send('GET', `${base}&page=3`, { token: access })
      expect(last.body.results.map((d: { id: number }) => d.id)).toEqual([made[4].id])
      expect(last.body.next).toBeNull()
      expect(new URL(last.body.previous).searchParams.get('page')).toBe('2')

      const beyond = await send('GET', `${base}&page=9`, { token: access })
      expect(beyond.status).toBe(200)
      expect(beyond.body).toMatchObject({ count: 5, results: [], next: null })
    })

    it.each([
      ['page_size=101', 'page_size'],
      ['page_size=0', 'page_size'],
      ['page=0', 'page'],
      ['page=abc', 'page'],
    ])('refuses %s', async (query, field) => {
      const { access } = await signedInUser()
      const response = await send('GET', `/api/doctors/?${query}`, { token: access })
      expect(response.status).toBe(400)
      expect(Object.keys(response.body.details)).toEqual([field])
    })

    it('accepts page_size=100', async () => {
      const { access } = await signedInUser()
      const response = await send('GET', '/api/doctors/?page_size=100', { token: access })
      expect(response.status).toBe(200)
    })
  })
})

describe('GET /api/doctors/{id}/', () => {
  it('shows any doctor to any user, with and without a trailing slash', async () => {
    const alice = await signedInUser()
    const bob = await signedInUser()
    const doctor = await createDoctor(alice.access, { consultation_fee: 75 })
    for (const path of [`/api/doctors/${doctor.id}/`, `/api/doctors/${doctor.id}`]) {
      const response = await send('GET', path, { token: bob.access })
      expect(response.status).toBe(200)
      expect(response.body).toEqual(doctor)
    }
  })

  it('answers 404 for a missing doctor and 401 without a token', async () => {
    const { access } = await signedInUser()
    const doctor = await createDoctor(access)
    expect((await send('GET', `/api/doctors/${doctor.id + 100000}/`, { token: access })).status).toBe(404)
    expect((await send('GET', `/api/doctors/${doctor.id}/`)).status).toBe(401)
  })
})

describe('PUT /api/doctors/{id}/', () => {
  it('replaces the doctor; optional fields left out become empty', async () => {
    const owner = await signedInUser()
    const doctor = await createDoctor(owner.access, { email: uniqueEmail('put'), consultation_fee: 10, is_available: false, qualification: 'MD' })
    const licence = uniqueLicence()
    const response = await send('PUT', `/api/doctors/${doctor.id}/`, {
      token: owner.access,
      body: { name: 'Dr. New', specialization: 'Oncology', license_number: licence, consultation_fee: '200.1' },
    })
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({
      id: doctor.id,
      name: 'Dr. New',
      specialization: 'Oncology',
      email: null,
      qualification: null,
      license_number: licence,
      consultation_fee: '200.10',
      is_available: true,
      created_by: owner.id,
      created_at: doctor.created_at,
    })
    const row = await doctorRow(doctor.id)
    expect(row).toMatchObject({ consultation_fee_cents: 20010, version: 2, email: null })
  })

  it('requires every required field', async () => {
    const owner = await signedInUser()
    const doctor = await createDoctor(owner.access)
    const response = await send('PUT', `/api/doctors/${doctor.id}/`, { token: owner.access, body: { name: 'Dr. Half' } })
    expect(response.status).toBe(400)
    expect(Object.keys(response.body.details)).toEqual(['specialization'])
    expect((await doctorRow(doctor.id))!.name).toBe(doctor.name)
  })

  it('keeps its own email and licence number without a conflict', async () => {
    const owner = await signedInUser()
    const email = uniqueEmail('own')
    const licence = uniqueLicence()
    const doctor = await createDoctor(owner.access, { email, license_number: licence })
    const response = await send('PUT', `/api/doctors/${doctor.id}`, {
      token: owner.access,
      body: { name: 'Dr. Same', specialization: 'ENT', email: email.toUpperCase(), license_number: licence.toLowerCase() },
    })
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ email, license_number: licence.toLowerCase() })
  })

  it("refuses another doctor's email or licence in another case with 409, changing nothing", async () => {
    const owner = await signedInUser()
    const taken = await createDoctor(owner.access, { email: uniqueEmail('taken'), license_number: uniqueLicence() })
    const doctor = await createDoctor(owner.access, { name: 'Dr. Before' })
    const email = await send('PUT', `/api/doctors/${doctor.id}/`, {
      token: owner.access,
      body: { name: 'Dr. After', specialization: 'ENT', email: taken.email!.toUpperCase() },
    })
    expect(email.status).toBe(409)
    expect(Object.keys(email.body.details)).toEqual(['email'])
    const licence = await send('PUT', `/api/doctors/${doctor.id}/`, {
      token: owner.access,
      body: { name: 'Dr. After', specialization: 'ENT', license_number: taken.license_number!.toLowerCase() },
    })
    expect(licence.status).toBe(409)
    expect(Object.keys(licence.body.details)).toEqual(['license_number'])
    expect(await doctorRow(doctor.id)).toMatchObject({ name: 'Dr. Before', email: null, license_number: null, version: 1 })
  })

  it("refuses a user who did not add the doctor with 403, changing nothing", async () => {
    const owner = await signedInUser()
    const other = await signedInUser()
    const doctor = await createDoctor(owner.access, { name: 'Dr. Mine' })
    const response = await send('PUT', `/api/doctors/${doctor.id}/`, {
      token: other.access,
      body: { name: 'Dr. Stolen', specialization: 'ENT' },
    })
    expect(response.status).toBe(403)
    expect(response.body.code).toBe('permission_denied')
    expect(await doctorRow(doctor.id)).toMatchObject({ name: 'Dr. Mine', created_by: owner.id, version: 1 })
  })

  it('answers 404 for a missing doctor and 401 without a token', async () => {
    const owner = await signedInUser()
    const doctor = await createDoctor(owner.access)
    const body = { name: 'Dr. Ghost', specialization: 'ENT' }
    expect((await send('PUT', `/api/doctors/${doctor.id + 100000}/`, { token: owner.access, body })).status).toBe(404)
    expect((await send('PUT', `/api/doctors/${doctor.id}/`, { body })).status).toBe(401)
  })
})

describe('PATCH /api/doctors/{id}/', () => {
  it('changes only the fields sent and bumps updated state', async () => {
    const owner = await signedInUser()
    const doctor = await createDoctor(owner.access, { qualification: 'MD', consultation_fee: 50, experience_years: 3 })
    const response = await send('PATCH', `/api/doctors/${doctor.id}/`, {
      token: owner.access,
      body: { consultation_fee: '75.25', is_available: false, id: 1, created_by: 999999 },
    })
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ ...doctor, consultation_fee: '75.25', is_available: false, updated_at: expect.stringMatching(TIMESTAMP) })
    expect(await doctorRow(doctor.id)).toMatchObject({ consultation_fee_cents: 7525, is_available: 0, version: 2, created_by: owner.id })
  })

  it('clears optional fields sent as null or blank', async () => {
    const owner = await signedInUser()
    const doctor = await createDoctor(owner.access, { qualification: 'MD', consultation_fee: 50, email: uniqueEmail('clear') })
    const response = await send('PATCH', `/api/doctors/${doctor.id}/`, {
      token: owner.access,
      body: { qualification: null, consultation_fee: null, email: '' },
    })
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({ qualification: null, consultation_fee: null, email: null })
    expect(await doctorRow(doctor.id)).toMatchObject({ consultation_fee_cents: null, email: null })
  })

  it('returns the doctor unchanged for an empty body', async () => {
    const owner = await signedInUser()
    const doctor = await createDoctor(owner.access)
    const response = await send('PATCH', `/api/doctors/${doctor.id}/`, { token: owner.access, body: {} })
    expect(response.status).toBe(200)
    expect(response.body).toEqual(doctor)
    expect((await doctorRow(doctor.id))!.version).toBe(1)
  })

  it('validates the fields sent', async () => {
    const owner = await signedInUser()
    const doctor = await createDoctor(owner.access)
    for (const [field, value] of [
      ['name', ''],
      ['consultation_fee', '12.345'],
      ['experience_years', 81],
      ['nickname', 'Doc'],
    ] as const) {
      const response = await send('PATCH', `/api/doctors/${doctor.id}/`, { token: owner.access, body: { [field]: value } })
      expect(response.status).toBe(400)
      expect(Object.keys(response.body.details)).toEqual([field])
    }
    expect((await doctorRow(doctor.id))!.version).toBe(1)
  })

  it("refuses another doctor's licence with 409 but accepts its own in another case", async () => {
    const owner = await signedInUser()
    const licence = uniqueLicence()
    const taken = await createDoctor(owner.access, { license_number: uniqueLicence() })
    const doctor = await createDoctor(owner.access, { license_number: licence })
    const clash = await send('PATCH', `/api/doctors/${doctor.id}/`, { token: owner.access, body: { license_number: taken.license_number!.toLowerCase() } })
    expect(clash.status).toBe(409)
    expect(Object.keys(clash.body.details)).toEqual(['license_number'])
    expect((await doctorRow(doctor.id))!.license_number).toBe(licence)
    const own = await send('PATCH', `/api/doctors/${doctor.id}/`, { token: owner.access, body: { license_number: licence.toLowerCase() } })
    expect(own.status).toBe(200)
  })

  it('refuses a user who did not add the doctor with 403, even for an empty body', async () => {
    const owner = await signedInUser()
    const other = await signedInUser()
    const doctor = await createDoctor(owner.access, { consultation_fee: 10 })
    for (const body of [{ consultation_fee: 0 }, {}]) {
      const response = await send('PATCH', `/api/doctors/${doctor.id}/`, { token: other.access, body })
      expect(response.status).toBe(403)
      expect(response.body.code).toBe('permission_denied')
    }
    expect(await doctorRow(doctor.id)).toMatchObject({ consultation_fee_cents: 1000, version: 1 })
  })

  it('answers 404 for a missing doctor, even for an empty body', async () => {
    const owner = await signedInUser()
    const doctor = await createDoctor(owner.access)
    for (const body of [{ name: 'Dr. Ghost' }, {}]) {
      expect((await send('PATCH', `/api/doctors/${doctor.id + 100000}/`, { token: owner.access, body })).status).toBe(404)
    }
  })
})

describe('DELETE /api/doctors/{id}/', () => {
  it('deletes a doctor its creator added, with 204 and no body', async () => {
    const owner = await signedInUser()
    const doctor = await createDoctor(owner.access)
    const response = await send('DELETE', `/api/doctors/${doctor.id}/`, { token: owner.access })
    expect(response.status).toBe(204)
    expect(response.body).toBeNull()
    expect(await doctorRow(doctor.id)).toBeNull()
    expect((await send('GET', `/api/doctors/${doctor.id}/`, { token: owner.access })).status).toBe(404)
  })

  it('refuses a user who did not add the doctor with 403, deleting nothing', async () => {
    const owner = await signedInUser()
    const other = await signedInUser()
    const doctor = await createDoctor(owner.access)
    const response = await send('DELETE', `/api/doctors/${doctor.id}`, { token: other.access })
    expect(response.status).toBe(403)
    expect(response.body.code).toBe('permission_denied')
    expect(await doctorRow(doctor.id)).not.toBeNull()
  })

  it('answers 404 for a missing doctor and 401 without a token', async () => {
    const owner = await signedInUser()
    const doctor = await createDoctor(owner.access)
    expect((await send('DELETE', `/api/doctors/${doctor.id + 100000}/`, { token: owner.access })).status).toBe(404)
    expect((await send('DELETE', `/api/doctors/${doctor.id}/`)).status).toBe(401)
    expect(await doctorRow(doctor.id)).not.toBeNull()
  })

  it('refuses a doctor with assignments with 409, leaving the doctor and its mappings', async () => {
    const owner = await signedInUser()
    const doctor = await createDoctor(owner.access)
    const assignment = await assign(owner.id, doctor.id)
    const one = await send('DELETE', `/api/doctors/${doctor.id}/`, { token: owner.access })
    expect(one.status).toBe(409)
    expect(one.body.code).toBe('conflict')
    expect(one.body.error).toContain('remove its 1 assignment first')
    await assign(owner.id, doctor.id)
    const two = await send('DELETE', `/api/doctors/${doctor.id}/`, { token: owner.access })
    expect(two.status).toBe(409)
    expect(two.body.error).toContain('remove its 2 assignments first')
    expect(await doctorRow(doctor.id)).not.toBeNull()
    expect(await assignmentCount(doctor.id)).toBe(2)
    expect(await assignmentRow(assignment)).not.toBeNull()
  })

  it("answers 403, not 409, to a user who did not add an assigned doctor", async () => {
    const owner = await signedInUser()
    const other = await signedInUser()
    const doctor = await createDoctor(owner.access)
    await assign(owner.id, doctor.id)
    const response = await send('DELETE', `/api/doctors/${doctor.id}/`, { token: other.access })
    expect(response.status).toBe(403)
    expect(await assignmentCount(doctor.id)).toBe(1)
  })

  it('deletes the doctor once its assignments are gone', async () => {
    const owner = await signedInUser()
    const doctor = await createDoctor(owner.access)
    const assignment = await assign(owner.id, doctor.id)
    await deleteAssignment(assignment)
    expect((await send('DELETE', `/api/doctors/${doctor.id}/`, { token: owner.access })).status).toBe(204)
  })
})

describe('OpenAPI document', () => {
  it('describes the doctor routes and the Doctor schema without internal columns', async () => {
    const response = await send('GET', '/api/openapi.json')
    expect(response.status).toBe(200)
    const { paths, components } = response.body
    expect(Object.keys(paths['/api/doctors'] ?? paths['/api/doctors/']).sort()).toEqual(['get', 'post'])
    expect(Object.keys(paths['/api/doctors/{id}'] ?? paths['/api/doctors/{id}/']).sort()).toEqual(['delete', 'get', 'patch', 'put'])
    const doctor = components.schemas.Doctor
    expect(Object.keys(doctor.properties)).not.toContain('version')
    expect(Object.keys(doctor.properties)).not.toContain('consultation_fee_cents')
    expect(doctor.properties.consultation_fee.example).toBe('150.00')
  })
})
