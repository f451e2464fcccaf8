import { describe, expect, it } from 'vitest'
import { send, type LooseBody } from './helpers'

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
