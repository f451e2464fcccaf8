import { describe, expect, it, vi } from 'vitest'
import { recordingQueue } from './audit-queue'
import { insertDeadLetter, patientRow } from './db'
import { clinicIdOf, createAssignment, createDoctor, createPatient, invite, joinedMember, send, signedInAdmin, signedInUser, uniqueEmail, type LooseBody, type Sent } from './helpers'

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

async function document() {
  const { status, body } = await send('GET', '/api/openapi.json')
  expect(status).toBe(200)
  return body
}

function operations(doc: LooseBody) {
  return Object.entries(doc.paths).flatMap(([path, item]: [string, LooseBody]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ path, method, operation: item[method] })),
  )
}

describe('OpenAPI document says what the API does', () => {
  it('gives every operation a unique operationId and a declared tag', async () => {
    const doc = await document()
    const ops = operations(doc)
    const ids = ops.map(({ operation }) => operation.operationId)
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(expect.arrayContaining(['listPatients', 'createPatient', 'getPatient', 'replacePatient', 'updatePatient', 'deletePatient', 'login', 'health']))
    const declared = doc.tags.map((tag: { name: string; description: string }) => (expect(tag.description).toBeTruthy(), tag.name))
    for (const { operation } of ops) expect(declared).toEqual(expect.arrayContaining(operation.tags))
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })])
  })

  it('marks public routes with security: [] and documents Retry-After on every 429', async () => {
    const doc = await document()
    for (const path of ['/api/auth/register', '/api/auth/login', '/api/auth/refresh', '/api/auth/logout', '/api/auth/session']) {
      expect(doc.paths[path].post.security).toEqual([])
    }
    expect(doc.paths['/api/health'].get.security).toEqual([])
    expect(doc.paths['/api/patients'].get.responses['429']).toBeDefined()
    for (const { operation } of operations(doc)) {
      if (!operation.security?.length && !operation.responses['429']) continue
      if (operation.security?.length) expect(operation.responses['429']).toBeDefined()
      if (operation.responses['429']) expect(operation.responses['429'].headers['Retry-After']).toBeDefined()
    }
  })

  it('declares a 500 in the error envelope on every operation that uses the error catalogue', async () => {
    const doc = await document()
    const cataloged = operations(doc).filter(({ operation }) => Object.keys(operation.responses).some((status) => status.startsWith('4')))
    expect(cataloged.length).toBeGreaterThan(20)
    for (const { path, method, operation } of cataloged) {
      expect(operation.responses['500'], `${method} ${path}`).toMatchObject({
        description: expect.stringContaining('internal_error'),
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      })
    }
  })

  it('states the limits in the schemas: the fee, page sizes, lengths and null', async () => {
    const { components } = await document()
    const s = components.schemas
    expect(s.DoctorWrite.properties.consultation_fee.anyOf).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'number', minimum: 0, maximum: 1_000_000, multipleOf: 0.01 }), { type: 'null' }]),
    )
    for (const page of ['PatientPage', 'DoctorPage', 'AssignmentPage', 'PatientHistoryPage', 'AdminUserPage', 'AuditEventPage']) {
      expect(s[page].properties.results.maxItems).toBe(100)
    }
    for (const schema of ['DoctorWrite', 'DoctorPatch', 'PatientWrite', 'PatientPatch']) {
      expect(s[schema].properties.phone_number.type).toEqual(['string', 'null'])
      expect(s[schema].properties.email.type).toEqual(['string', 'null'])
    }
    expect(s.PatientWrite.properties.name.maxLength).toBe(120)
    expect(s.Patient.properties.medical_history.maxLength).toBe(10_000)
  })
})

/** A schema of the document with its `$ref` followed and its `allOf` parts merged into one. */
function resolved(doc: LooseBody, schema: LooseBody): LooseBody {
  if (schema?.$ref) return resolved(doc, doc.components.schemas[schema.$ref.split('/').pop()])
  if (!schema?.allOf) return schema
  const parts = schema.allOf.map((part: LooseBody) => resolved(doc, part))
  return { ...Object.assign({}, ...parts), properties: Object.assign({}, ...parts.map((part: LooseBody) => part.properties)) }
}

/** Every string of an answer, where it is, and the schema the document gives it (undefined: not in the document). */
function stringsOf(doc: LooseBody, given: LooseBody, value: unknown, at: string): { at: string; value: string; schema: LooseBody }[] {
  const schema = resolved(doc, given)
  if (typeof value === 'string') return [{ at, value, schema }]
  if (Array.isArray(value)) return value.flatMap((item, index) => stringsOf(doc, schema?.items, item, `${at}[${index}]`))
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => stringsOf(doc, schema?.properties?.[key] ?? schema?.additionalProperties, item, `${at}.${key}`))
  }
  return []
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A string holds to its schema: type, length, pattern, enum and the formats the API uses. `{}` (a query's values) says nothing. */
function expectDocumented({ at, value, schema }: { at: string; value: string; schema: LooseBody }): void {
  expect(schema, `${at} is answered but not in the document`).toBeDefined()
  if (Object.keys(schema).length === 0) return
  expect([schema.type].flat(), at).toContain('string')
  if (schema.enum || schema.const) expect([...(schema.enum ?? []), schema.const], at).toContain(value)
  else expect([...value].length, at).toBeLessThanOrEqual(schema.maxLength)
  if (schema.pattern) expect(value, at).toMatch(new RegExp(schema.pattern, 'u'))
  if (schema.format === 'uuid') expect(value, at).toMatch(UUID)
  if (schema.format === 'date-time') expect(Number.isNaN(Date.parse(value)), at).toBe(false)
  if (schema.format === 'email') expect(value, at).toMatch(/^[^@\s]+@[^@\s]+$/)
}

interface Probe {
  method: 'get' | 'post' | 'delete'
  /** The path as the document names it. */
  path: string
  url: string
  status: number
  token?: string
  body?: unknown
  headers?: Record<string, string>
}

describe('OpenAPI document against real answers', () => {
  it('declares every status answered, and every string of every body and header keeps to its schema', async () => {
    const doc = await document()
    const user = await signedInUser({ name: 'Ada Lovelace' })
    const admin = await signedInAdmin()
    const token = user.access
    const clinic = await clinicIdOf(token)
    const traced = { 'x-request-id': 'ticket-4711' }
    const created = await send('POST', '/api/patients/', {
      token,
      headers: traced,
      body: { name: 'Grace Hopper', date_of_birth: '1980-03-15', gender: 'female', address: '12 Harbour Road\nArlington', medical_history: 'Penicillin:\tallergy', phone_number: '+1 415 555 0101' },
    })
    expect(created.status).toBe(201)
    const patient = created.body.id
    const doctor = (await createDoctor(token, { clinic_address: '221B Baker Street\r\nLondon', license_number: `MED-${patient}` })).id
    const assignment = (await createAssignment(token, patient, doctor, { notes: 'Every three months.\nFasting.' })).id
    await invite(token, clinic, uniqueEmail('invited'), 'clinician')
    await insertDeadLetter({ event: 'malformed' }, 'D1_ERROR: CHECK constraint failed: outcome')
    const range = 'from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z'
    const probes: Probe[] = [
      { method: 'post', path: '/api/auth/login', url: '/api/auth/login/', status: 200, body: { email: user.email, password: user.password } },
      { method: 'post', path: '/api/auth/refresh', url: '/api/auth/refresh/', status: 200, body: { refresh: user.refresh } },
      { method: 'post', path: '/api/auth/login', url: '/api/auth/login/', status: 400, body: { email: 'ada@example.com' } },
      { method: 'post', path: '/api/auth/session', url: '/api/auth/session/', status: 200, body: { email: user.email, password: user.password }, headers: { 'sec-fetch-site': 'same-origin' } },
      { method: 'delete', path: '/api/auth/session', url: '/api/auth/session/', status: 204, headers: { 'sec-fetch-site': 'same-origin' } },
      { method: 'get', path: '/api/auth/me', url: '/api/auth/me/', status: 200, token },
      { method: 'get', path: '/api/auth/me', url: '/api/auth/me/', status: 401 },
      { method: 'post', path: '/api/patients', url: '/api/patients/', status: 201, token, body: { name: 'Alan Turing', date_of_birth: '1975-06-23', gender: 'male' } },
      { method: 'post', path: '/api/patients', url: '/api/patients/', status: 400, token, body: { name: 'Two\nlines', date_of_birth: 'soon', gender: 'x' } },
      { method: 'get', path: '/api/patients', url: '/api/patients/?search=grace', status: 200, token },
      { method: 'get', path: '/api/patients/{id}', url: `/api/patients/${patient}/`, status: 200, token, headers: traced },
      { method: 'get', path: '/api/patients/{id}', url: '/api/patients/999999999/', status: 404, token },
      { method: 'get', path: '/api/patients/{id}/history', url: `/api/patients/${patient}/history/`, status: 200, token },
      { method: 'get', path: '/api/patients/{id}/access-report', url: `/api/patients/${patient}/access-report/?${range}`, status: 200, token },
      { method: 'get', path: '/api/patients/{patient_id}/doctors', url: `/api/patients/${patient}/doctors/`, status: 200, token },
      { method: 'get', path: '/api/doctors', url: '/api/doctors/', status: 200, token },
      { method: 'get', path: '/api/doctors/{id}', url: `/api/doctors/${doctor}/`, status: 200, token },
      { method: 'get', path: '/api/mappings', url: '/api/mappings/', status: 200, token },
      { method: 'get', path: '/api/mappings/{id}', url: `/api/mappings/${assignment}/`, status: 200, token },
      { method: 'get', path: '/api/clinics/{id}', url: `/api/clinics/${clinic}/`, status: 200, token },
      { method: 'get', path: '/api/clinics/{id}/members', url: `/api/clinics/${clinic}/members/`, status: 200, token },
      { method: 'get', path: '/api/clinics/{id}/invitations', url: `/api/clinics/${clinic}/invitations/`, status: 200, token },
      { method: 'post', path: '/api/clinics/{id}/invitations', url: `/api/clinics/${clinic}/invitations/`, status: 201, token, body: { email: uniqueEmail('invited'), role: 'front_desk' } },
      { method: 'get', path: '/api/admin/users', url: '/api/admin/users/', status: 200, token: admin.access },
      { method: 'get', path: '/api/admin/audit', url: '/api/admin/audit/?request_id=', status: 400, token: admin.access },
      { method: 'get', path: '/api/admin/audit', url: '/api/admin/audit/', status: 200, token: admin.access },
      { method: 'get', path: '/api/admin/audit/dead-letters', url: '/api/admin/audit/dead-letters/', status: 200, token: admin.access },
      { method: 'get', path: '/api/health/audit', url: '/api/health/audit/', status: 200, token: admin.access },
      { method: 'get', path: '/api/health/live', url: '/api/health/live/?x=%00', status: 400 },
    ]
    let checked = 0
    const check = (probe: Probe, answer: Sent, media = 'application/json') => {
      const declared = doc.paths[probe.path][probe.method].responses[String(answer.status)]
      expect(declared, `${probe.method} ${probe.url} answered ${answer.status}, which its operation does not declare`).toBeDefined()
      const strings = [
        ...stringsOf(doc, declared.content?.[media]?.schema, media === 'application/json' ? answer.body : answer.text, '$'),
        ...Object.entries<LooseBody>(declared.headers ?? {}).flatMap(([name, header]) => stringsOf(doc, header.schema, answer.headers.get(name) ?? undefined, name)),
      ]
      for (const found of strings) expectDocumented({ ...found, at: `${probe.method} ${probe.url} ${found.at}` })
      checked += strings.length
    }
    check({ method: 'post', path: '/api/patients', url: '/api/patients/', status: 201 }, created)
    for (const probe of probes) {
      const answer = await send(probe.method.toUpperCase(), probe.url, { token: probe.token, body: probe.body, headers: probe.headers })
      expect(answer.status, `${probe.method} ${probe.url}: ${answer.text}`).toBe(probe.status)
      check(probe, answer)
    }
    const csvProbe: Probe = { method: 'get', path: '/api/patients/{id}/access-report', url: `/api/patients/${patient}/access-report/?${range}&format=csv`, status: 200, token }
    const csv = await send('GET', csvProbe.url, { token })
    expect(csv.status).toBe(200)
    check(csvProbe, csv, 'text/csv')
    expect(checked).toBeGreaterThan(200)
  })
})

describe('OpenAPI document: the rarer statuses it declares are real', () => {
  it('answers 503 for a refusal by role the audit trail cannot record, and changes nothing', async () => {
    const admin = await signedInUser()
    const frontDesk = await joinedMember(admin.access, 'front_desk')
    const patient = await createPatient(admin.access)
    const doc = await document()
    expect(Object.keys(doc.paths['/api/patients/{id}'].delete.responses)).toEqual(expect.arrayContaining(['403', '503']))
    const remove = (failing: boolean) => send('DELETE', `/api/patients/${patient.id}/`, { token: frontDesk.access, env: { AUDIT_QUEUE: recordingQueue({ failing }).queue } })
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const unrecorded = await remove(true)
    log.mockRestore()
    expect(unrecorded.status).toBe(503)
    expect(unrecorded.body).toEqual({ error: expect.any(String), code: 'audit_unavailable', request_id: expect.any(String) })
    expect((await remove(false)).status).toBe(403)
    expect(await patientRow(patient.id)).toMatchObject({ id: patient.id })
  })

  it('answers 415 to a body-less POST sent a body that is not JSON, and does nothing', async () => {
    const user = await signedInUser()
    const doc = await document()
    expect(Object.keys(doc.paths['/api/auth/logout-all'].post.responses)).toEqual(expect.arrayContaining(['413', '415']))
    const refused = await send('POST', '/api/auth/logout-all/', { token: user.access, rawBody: 'everything', headers: { 'content-type': 'text/plain' } })
    expect(refused.status).toBe(415)
    expect(refused.body).toMatchObject({ code: 'unsupported_media_type' })
    expect((await send('GET', '/api/auth/me/', { token: user.access })).status).toBe(200)
  })
})
