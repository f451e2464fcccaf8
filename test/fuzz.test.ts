import { env } from 'cloudflare:workers'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { call, createDoctor, createMapping, createPatient, signedInUser } from './helpers'

/** Runs per family and route; with the routes below this file sends several hundred generated requests. */
const RUNS = 20
let casesRun = 0

/** Tables whose contents a refused request must leave exactly as they were. */
const GUARDED_TABLES = ['users', 'patients', 'doctors', 'mappings', 'refresh_tokens']

async function snapshot(): Promise<string> {
  const rows = await env.DB.batch(GUARDED_TABLES.map((table) => env.DB.prepare(`SELECT * FROM ${table} ORDER BY 1`)))
  return JSON.stringify(rows.map((result) => result.results))
}

const NASTY_TEXT = [
  "'; DROP TABLE patients; --",
  '1 OR 1=1',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  '\u0000',
  '\u202eevil',
  'zero\u200bwidth',
  '💉🩺👩🏽‍⚕️',
  '9'.repeat(400),
  '1e309',
  'NaN',
  '-0',
  '2026-02-30',
  ' ',
  '',
]

/** Any JSON value a careless or hostile client might send for one field. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...NASTY_TEXT),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ minLength: 1000, maxLength: 3000 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
)

/** A JSON body: the route's fields with junk values, unknown or prototype keys, or no object at all. */
const bodyFor = (fields: string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.dictionary(fc.constantFrom(...fields), junk, { maxKeys: fields.length }) },
    { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...fields, '__proto__', 'constructor', 'id', 'is_admin', 'role'), junk, { maxKeys: 4 }) },
    { weight: 1, arbitrary: junk },
  )

/** Raw bodies that are not valid JSON, or JSON that JSON.stringify would never write. */
const rawBody = fc.oneof(
  fc.constantFrom('{', '{"name": }', '[1, 2', 'null', '"text"', '{"a":1,"a":2}', '{"n": 1e309}', '{"s": "\\ud800"}', '\u0000', 'x'.repeat(70_000)),
  fc.string({ maxLength: 60 }),
)

interface Target {
  method: 'POST' | 'PUT' | 'PATCH'
  path: string
  token?: string
  fields: string[]
  /** A body the route accepts; junk in one of its fields gets past every other check. */
  valid?: () => Record<string, unknown>
}

/** A valid body with one field replaced by junk. */
const oneFieldOff = (valid: () => Record<string, unknown>, fields: string[]) =>
  fc.tuple(fc.constantFrom(...fields), junk).map(([field, value]) => ({ ...valid(), [field]: value }))

/** Sends generated bodies to one route and checks the invariants on every answer. */
async function fuzz(target: Target) {
  const send = async (request: { body?: unknown; raw?: string }) => {
    casesRun++
    const before = await snapshot()
    const response = await call(target.method, target.path, {
      token: target.token,
      ...(request.raw === undefined ? { body: request.body } : { rawBody: request.raw, headers: { 'content-type': 'application/json' } }),
    })
    expect(response.status).toBeLessThan(500)
    if (response.status >= 400) {
      expect(response.body).toEqual({
        error: expect.any(String),
        code: expect.any(String),
        ...(response.body?.details ? { details: expect.any(Object) } : {}),
      })
      for (const messages of Object.values(response.body.details ?? {})) expect(messages).toEqual(expect.arrayContaining([expect.any(String)]))
      expect(JSON.stringify(response.body)).not.toMatch(/SELECT|INSERT|SQLITE|at \w+ \(|stack/i)
      expect(await snapshot()).toBe(before)
    }
  }
  await fc.assert(fc.asyncProperty(bodyFor(target.fields), (body) => send({ body })), { numRuns: RUNS, seed: 20261122 })
  await fc.assert(fc.asyncProperty(rawBody, (raw) => send({ raw })), { numRuns: Math.ceil(RUNS / 2), seed: 20261122 })
  if (target.valid) {
    await fc.assert(fc.asyncProperty(oneFieldOff(target.valid, target.fields), (body) => send({ body })), { numRuns: RUNS, seed: 20261122 })
  }
}

const PATIENT_FIELDS = ['name', 'date_of_birth', 'gender', 'email', 'phone_number', 'address', 'blood_group', 'medical_history']
const DOCTOR_FIELDS = ['name', 'specialization', 'email', 'phone_number', 'qualification', 'experience_years', 'license_number', 'clinic_address', 'consultation_fee', 'is_available']
const MAPPING_FIELDS = ['patient', 'doctor', 'patient_id', 'doctor_id', 'notes', 'is_active']
const VALID_PATIENT = () => ({ name: 'Fuzzy Patient', date_of_birth: '1980-03-15', gender: 'female', phone_number: '+1 555 123 4567', blood_group: 'O+' })
const VALID_DOCTOR = () => ({ name: 'Dr. Fuzz', specialization: 'Cardiology', experience_years: 3, consultation_fee: '10.50', is_available: true })

/** A signed-in user with one patient, one doctor and one assignment of their own. */
async function clinic() {
  const user = await signedInUser()
  const patient = await createPatient(user.access, { email: 'fuzz@example.com' })
  const doctor = await createDoctor(user.access, { license_number: `FUZZ-${user.id}` })
  const mapping = await createMapping(user.access, patient.id, doctor.id)
  return { user, patient, doctor, mapping }
}

let log: ReturnType<typeof vi.spyOn>

beforeAll(() => {
  // Thousands of access-log lines would only slow the run down.
  log = vi.spyOn(console, 'log').mockImplementation(() => {})
})

afterAll(() => {
  log.mockRestore()
  console.info(`fuzz.test.ts sent ${casesRun} generated requests`)
})

describe('generated junk never gets a 500, always gets the envelope, and changes nothing when refused', () => {
  it('on the auth routes', async () => {
    const { user } = await clinic()
    await fuzz({
      method: 'POST',
      path: '/api/auth/register/',
      fields: ['name', 'email', 'password', 'password2'],
      valid: () => ({ name: 'Fuzzy Clinician', email: `fuzz.${crypto.randomUUID()}@example.com`, password: 'Sturdy-Kettle-42' }),
    })
    await fuzz({ method: 'POST', path: '/api/auth/login/', fields: ['email', 'password'] })
    await fuzz({ method: 'POST', path: '/api/auth/refresh/', fields: ['refresh'] })
    await fuzz({ method: 'POST', path: '/api/auth/logout/', fields: ['refresh'] })
    await fuzz({ method: 'POST', path: '/api/auth/change-password/', token: user.access, fields: ['old_password', 'new_password'] })
  }, 180_000)

  it('on the patient routes', async () => {
    for (const method of ['POST', 'PUT', 'PATCH'] as const) {
      const { user, patient } = await clinic()
      const path = method === 'POST' ? '/api/patients/' : `/api/patients/${patient.id}/`
      await fuzz({ method, path, token: user.access, fields: PATIENT_FIELDS, valid: VALID_PATIENT })
    }
  }, 180_000)

  it('on the doctor routes', async () => {
    for (const method of ['POST', 'PUT', 'PATCH'] as const) {
      const { user, doctor } = await clinic()
      const path = method === 'POST' ? '/api/doctors/' : `/api/doctors/${doctor.id}/`
      await fuzz({ method, path, token: user.access, fields: DOCTOR_FIELDS, valid: VALID_DOCTOR })
    }
  }, 180_000)

  it('on the assignment routes', async () => {
    for (const method of ['POST', 'PUT', 'PATCH'] as const) {
      const { user, mapping } = await clinic()
      await fuzz({ method, path: method === 'POST' ? '/api/mappings/' : `/api/mappings/${mapping.id}/`, token: user.access, fields: MAPPING_FIELDS })
    }
  }, 180_000)

  it('on the admin route', async () => {
    const admin = await signedInUser()
    await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(admin.id).run()
    const target = await signedInUser()
    await fuzz({ method: 'PATCH', path: `/api/admin/users/${target.id}/`, token: admin.access, fields: ['is_active', 'role'] })
  }, 180_000)
})
