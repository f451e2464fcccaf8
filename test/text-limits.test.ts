import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { connect } from '../src/db/client'
import { storeDeadLetter } from '../src/db/audit-dead-letters'
import { TEXT_MESSAGES } from '../src/schemas/common'
import { auditEventsOfRequest, countPatientsOf, doctorRow, patientRow, testDb } from './db'
import { clinicIdOf, createAssignment, createDoctor, createPatient, send, signedInAdmin, signedInUser, uniqueEmail, type LooseBody } from './helpers'

/** A 400 in the envelope, naming `field` with `message` (or any message). */
function expectRefused(answer: { status: number; body: LooseBody }, field: string, message?: string): void {
  expect(answer.status).toBe(400)
  expect(answer.body).toMatchObject({ code: 'validation_error', details: { [field]: [message ?? expect.any(String)] } })
}

describe('text fields refuse control characters', () => {
  it('keeps names on one line: a tab, a line break, ESC or a C1 control is a 400 and nothing is written', async () => {
    const user = await signedInUser()
    for (const name of ['Grace\tHopper', 'Grace\nHopper', 'Grace\u001bHopper', 'Grace\u0085Hopper', 'Grace\u007fHopper']) {
      expectRefused(await send('POST', '/api/patients/', { token: user.access, body: { name, date_of_birth: '1980-03-15', gender: 'female' } }), 'name', TEXT_MESSAGES.oneLine)
    }
    expect(await countPatientsOf(user.id)).toBe(0)
    const doctor = await send('POST', '/api/doctors/', { token: user.access, body: { name: 'Dr. Who', specialization: 'Time\nTravel' } })
    expectRefused(doctor, 'specialization', TEXT_MESSAGES.oneLine)
    expect(await testDb.selectFrom('doctors').select('id').where('created_by', '=', user.id).execute()).toEqual([])
  })

  it('lets addresses, notes and the medical history span lines, and refuses their other control characters', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, { address: '12 Harbour Road\r\nArlington', medical_history: 'Allergies:\tpenicillin\nAsthma.' })
    expect(await patientRow(patient.id)).toMatchObject({ address: '12 Harbour Road\r\nArlington', medical_history: 'Allergies:\tpenicillin\nAsthma.' })
    const bell = await send('PATCH', `/api/patients/${patient.id}/`, { token: user.access, body: { address: 'Ring\u0007twice' } })
    expectRefused(bell, 'address', TEXT_MESSAGES.lines)
    expect((await patientRow(patient.id))?.address).toBe('12 Harbour Road\r\nArlington')

    const doctor = await createDoctor(user.access, { clinic_address: '221B Baker Street\nLondon' })
    const escaped = await send('PATCH', `/api/doctors/${doctor.id}/`, { token: user.access, body: { clinic_address: 'Baker\u001b[31mStreet' } })
    expectRefused(escaped, 'clinic_address', TEXT_MESSAGES.lines)
    expect((await doctorRow(doctor.id))?.clinic_address).toBe('221B Baker Street\nLondon')

    const assignment = await createAssignment(user.access, patient.id, doctor.id, { notes: 'Every three months.\nFasting.' })
    expect(assignment.notes).toBe('Every three months.\nFasting.')
    expectRefused(await send('PATCH', `/api/mappings/${assignment.id}/`, { token: user.access, body: { notes: 'Form\ffeed' } }), 'notes', TEXT_MESSAGES.lines)
  })

  it('keeps account and clinic names and searches on one line', async () => {
    const email = uniqueEmail('controls')
    const register = await send('POST', '/api/auth/register/', { body: { name: 'Ada\nLovelace', email, password: 'Sturdy-Kettle-42' } })
    expectRefused(register, 'name', TEXT_MESSAGES.oneLine)
    expect(await testDb.selectFrom('users').select('id').where('email', '=', email).execute()).toEqual([])

    const user = await signedInUser()
    const clinic = await clinicIdOf(user.access)
    const before = await testDb.selectFrom('clinics').select('name').where('id', '=', clinic).executeTakeFirstOrThrow()
    expectRefused(await send('PATCH', `/api/clinics/${clinic}/`, { token: user.access, body: { name: 'Harbour\tRoad' } }), 'name', TEXT_MESSAGES.oneLine)
    expect(await testDb.selectFrom('clinics').select('name').where('id', '=', clinic).executeTakeFirstOrThrow()).toEqual(before)

    expectRefused(await send('GET', '/api/patients/?search=a%0Ab', { token: user.access }), 'search', TEXT_MESSAGES.oneLine)
    expectRefused(await send('GET', '/api/doctors/?search=a%09b', { token: user.access }), 'search', TEXT_MESSAGES.oneLine)
    expectRefused(await send('GET', '/api/doctors/?specialization=a%1Bb', { token: user.access }), 'specialization', TEXT_MESSAGES.oneLine)
  })
})

describe('the limits the document states are the limits the API enforces', () => {
  it('refuses a phone number or a fee written longer than 64 characters, and changes nothing', async () => {
    const user = await signedInUser()
    const padded = `+1${' '.repeat(60)}4155550123`
    expectRefused(await send('POST', '/api/patients/', { token: user.access, body: { name: 'Padded', date_of_birth: '1980-03-15', gender: 'other', phone_number: padded } }), 'phone_number')
    expect(await countPatientsOf(user.id)).toBe(0)
    const doctor = await createDoctor(user.access, { consultation_fee: '150.00' })
    expectRefused(await send('PATCH', `/api/doctors/${doctor.id}/`, { token: user.access, body: { consultation_fee: `${'0'.repeat(70)}99.50` } }), 'consultation_fee')
    expect((await doctorRow(doctor.id))?.consultation_fee_cents).toBe(15_000)
  })

  it('refuses an If-Match or If-None-Match longer than 256 characters', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const long = Array(60).fill('"1"').join(', ')
    expect(long.length).toBeGreaterThan(256)
    expectRefused(await send('PATCH', `/api/patients/${patient.id}/`, { token: user.access, headers: { 'if-match': long }, body: { name: 'Changed' } }), 'if-match')
    expect((await patientRow(patient.id))?.name).toBe(patient.name)
    expectRefused(await send('GET', `/api/patients/${patient.id}/`, { token: user.access, headers: { 'if-none-match': long } }), 'if-none-match')
  })

  it('refuses a specialization filter over 120 characters, and an audit action over 128 or a time over 64', async () => {
    const user = await signedInUser()
    expectRefused(await send('GET', `/api/doctors/?specialization=${'a'.repeat(121)}`, { token: user.access }), 'specialization')
    const admin = await signedInAdmin()
    expectRefused(await send('GET', `/api/admin/audit/?since=2026-01-05T10:35:00.${'1'.repeat(60)}Z`, { token: admin.access }), 'since')
    expectRefused(await send('GET', `/api/admin/audit/?action=${'a'.repeat(127)}.*`, { token: admin.access }), 'action')
  })

  it('refuses an invitation token that cannot be one, before any lookup', async () => {
    const user = await signedInUser()
    expectRefused(await send('POST', '/api/invitations/accept/', { token: user.access, body: { token: 'not a token!' } }), 'token')
  })

  // As Django's token endpoints answer: text that is no token, or no account's email, is the same 401 as an expired token or an unknown email.
  it('answers a refresh token that cannot be one, and a login email that is no address, with the 401 of a wrong one', async () => {
    expect((await send('POST', '/api/auth/refresh/', { body: { refresh: 'not-a-token' } })).body.code).toBe('token_not_valid')
    expect((await send('POST', '/api/auth/logout/', { body: { refresh: `${'a'.repeat(2040)}.b.c` } })).status).toBe(401)
    expectRefused(await send('POST', '/api/auth/refresh/', { body: { refresh: 'a'.repeat(2049) } }), 'refresh')
    const answer = await send('POST', '/api/auth/login/', { body: { email: 'nobody', password: 'whatever-123' } })
    expect(answer.status).toBe(401)
    expect(answer.body.code).toBe('invalid_credentials')
  })
})

describe('what the audit record keeps of a client', () => {
  it('keeps a CF-Connecting-IP only when it is shaped like an address', async () => {
    const user = await signedInUser()
    const forged = await send('POST', '/api/patients/', {
      token: user.access,
      headers: { 'cf-connecting-ip': '<script>alert(1)</script>', 'x-request-id': `forged-${crypto.randomUUID()}` },
      body: { name: 'Forged Address', date_of_birth: '1980-03-15', gender: 'other' },
    })
    expect(forged.status).toBe(201)
    const honest = await send('POST', '/api/patients/', {
      token: user.access,
      headers: { 'cf-connecting-ip': '2001:db8::7', 'x-request-id': `honest-${crypto.randomUUID()}` },
      body: { name: 'Honest Address', date_of_birth: '1980-03-15', gender: 'other' },
    })
    expect(honest.status).toBe(201)
    const [forgedEvent] = await auditEventsOfRequest(forged.headers.get('x-request-id')!)
    const [honestEvent] = await auditEventsOfRequest(honest.headers.get('x-request-id')!)
    expect(forgedEvent).toMatchObject({ action: 'patient.create', client_ip: null })
    expect(honestEvent).toMatchObject({ action: 'patient.create', client_ip: '2001:db8::7' })
  })

  it('keeps the error of a dead letter on one line and within 4096 characters', async () => {
    const messageId = `letter-${crypto.randomUUID()}`
    await storeDeadLetter(connect(env.DB), { message_id: messageId, body: '{}', error: `D1_ERROR: first line\n\tsecond line\u0000${'x'.repeat(5000)}` })
    const { error } = await testDb.selectFrom('audit_dead_letters').select('error').where('message_id', '=', messageId).executeTakeFirstOrThrow()
    expect(error).toHaveLength(4096)
    expect(error.startsWith('D1_ERROR: first line second line xxx')).toBe(true)
    expect(error).not.toMatch(/\p{Cc}/u)
  })
})
