import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import app from '../src/app'
import { countingContext, isDeferredAudit, recordingD1, type RoundTrip } from './d1-wrapper'
import { BASE, createDoctor, createMapping, createPatient, signedInUser } from './helpers'

interface Probe {
  method: string
  path: string
  body?: unknown
  token?: 'access' | 'none'
  headers?: Record<string, string>
  /** Most D1 round trips allowed: 1 for reads, 2 for writes, 0 when refused before any work. */
  budget: number
  status: number
}

/**
 * Sends one request through a recording D1 binding; returns the status and the round trips that
 * held up the answer. Audit events of reads and refusals are written after it through `waitUntil`:
 * those lone audit INSERTs are left out of the count, and must each have gone through `waitUntil`.
 */
async function measure(probe: Probe, access: string): Promise<{ status: number; trips: RoundTrip[] }> {
  const d1 = recordingD1()
  const headers: Record<string, string> = { ...probe.headers }
  if (probe.token !== 'none') headers.authorization = `Bearer ${access}`
  if (probe.body !== undefined) headers['content-type'] = 'application/json'
  const counting = countingContext()
  const response = await app.request(
    `${BASE}${probe.path}`,
    { method: probe.method, headers, body: probe.body === undefined ? undefined : JSON.stringify(probe.body) },
    { ...env, DB: d1.binding },
    counting.ctx,
  )
  const answered = d1.trips.length
  await response.arrayBuffer()
  await counting.settle()
  expect(d1.trips.filter(isDeferredAudit).length).toBeLessThanOrEqual(counting.deferred())
  return { status: response.status, trips: d1.trips.slice(0, answered).filter((trip) => !isDeferredAudit(trip)) }
}

let access = ''
let refresh = ''
let ids: { patient: number; spare: number; doctor: number; spareDoctor: number; mapping: number; email: string } = {} as never
/** Accounts whose sessions the probes end (logout-all, change-password), and an administrator. */
let others: { leaving: string; changing: string; admin: string; adminTarget: number } = {} as never

beforeAll(async () => {
  const user = await signedInUser()
  access = user.access
  refresh = user.refresh
  const patient = await createPatient(access, { email: 'budget@example.com' })
  const spare = await createPatient(access, { name: 'Spare' })
  const doctor = await createDoctor(access)
  const spareDoctor = await createDoctor(access, { name: 'Dr. Spare' })
  const mapping = await createMapping(access, patient.id, doctor.id)
  ids = { patient: patient.id, spare: spare.id, doctor: doctor.id, spareDoctor: spareDoctor.id, mapping: mapping.id, email: user.email }
  const [leaving, changing, admin] = await Promise.all([signedInUser(), signedInUser(), signedInUser()])
  await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(admin.id).run()
  others = { leaving: leaving.access, changing: changing.access, admin: admin.access, adminTarget: leaving.id }
})

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

const probes = (): Probe[] => [
  { method: 'GET', path: '/api/health/live/', budget: 0, status: 200, token: 'none' },
  { method: 'GET', path: '/api/health/', budget: 1, status: 200, token: 'none' },
  { method: 'GET', path: '/api/auth/me/', budget: 1, status: 200 },
  { method: 'POST', path: '/api/auth/register/', body: { name: 'Budget', email: `budget.${crypto.randomUUID()}@example.com`, password: 'Sturdy-Kettle-42' }, budget: 2, status: 201, token: 'none' },
  { method: 'POST', path: '/api/auth/login/', body: { email: ids.email, password: 'Sturdy-Kettle-42' }, budget: 2, status: 200, token: 'none' },
  { method: 'POST', path: '/api/auth/refresh/', body: { refresh }, budget: 2, status: 200, token: 'none' },
  { method: 'GET', path: '/api/patients/?search=grace&gender=female&ordering=name', budget: 1, status: 200 },
  { method: 'POST', path: '/api/patients/', body: { name: 'New', date_of_birth: '2000-01-01', gender: 'male' }, budget: 2, status: 201 },
  { method: 'GET', path: `/api/patients/${ids.patient}/`, budget: 1, status: 200 },
  { method: 'PUT', path: `/api/patients/${ids.patient}/`, body: { name: 'Put', date_of_birth: '2000-01-01', gender: 'male', email: 'budget@example.com' }, budget: 2, status: 200 },
  { method: 'PATCH', path: `/api/patients/${ids.patient}/`, body: { name: 'Patched' }, budget: 2, status: 200 },
  { method: 'GET', path: `/api/patients/${ids.patient}/doctors/`, budget: 1, status: 200 },
  { method: 'GET', path: `/api/patients/${ids.patient}/history/`, budget: 1, status: 200 },
  { method: 'GET', path: `/api/patients/${ids.patient}/`, headers: { 'if-none-match': '*' }, budget: 1, status: 304 },
  { method: 'GET', path: '/api/patients/999999999/', budget: 1, status: 404 },
  { method: 'GET', path: '/api/patients/999999999/history/', budget: 1, status: 404 },
  { method: 'PATCH', path: `/api/patients/${ids.patient}/`, headers: { 'if-match': '"999"' }, body: { name: 'Stale' }, budget: 2, status: 412 },
  { method: 'DELETE', path: `/api/patients/${ids.patient}/`, budget: 2, status: 409 },
  { method: 'DELETE', path: `/api/patients/${ids.spare}/`, budget: 2, status: 204 },
  { method: 'GET', path: '/api/doctors/?search=dr&is_available=true&ordering=-consultation_fee', budget: 1, status: 200 },
  { method: 'POST', path: '/api/doctors/', body: { name: 'Dr. New', specialization: 'Surgery' }, budget: 2, status: 201 },
  { method: 'GET', path: `/api/doctors/${ids.doctor}/`, budget: 1, status: 200 },
  { method: 'PUT', path: `/api/doctors/${ids.doctor}/`, body: { name: 'Dr. Put', specialization: 'Surgery' }, budget: 2, status: 200 },
  { method: 'PATCH', path: `/api/doctors/${ids.doctor}/`, body: { is_available: false }, budget: 2, status: 200 },
  { method: 'GET', path: `/api/doctors/${ids.doctor}/`, headers: { 'if-none-match': '*' }, budget: 1, status: 304 },
  { method: 'PATCH', path: `/api/doctors/${ids.doctor}/`, headers: { 'if-match': '"999"' }, body: { is_available: true }, budget: 2, status: 412 },
  { method: 'DELETE', path: `/api/doctors/${ids.doctor}/`, budget: 2, status: 409 },
  { method: 'POST', path: '/api/mappings/', body: { patient: ids.patient, doctor: ids.spareDoctor }, budget: 2, status: 201 },
  { method: 'GET', path: '/api/mappings/?is_active=true', budget: 1, status: 200 },
  { method: 'GET', path: `/api/mappings/${ids.mapping}/`, budget: 1, status: 200 },
  { method: 'PUT', path: `/api/mappings/${ids.mapping}/`, body: { notes: 'put' }, budget: 2, status: 200 },
  { method: 'PATCH', path: `/api/mappings/${ids.mapping}/`, body: { is_active: false }, budget: 2, status: 200 },
  { method: 'GET', path: `/api/mappings/${ids.mapping}/`, headers: { 'if-none-match': '*' }, budget: 1, status: 304 },
  { method: 'DELETE', path: `/api/mappings/${ids.mapping}/`, headers: { 'if-match': '"1.1.1"' }, budget: 2, status: 412 },
  { method: 'GET', path: `/api/mappings/patient/${ids.patient}/`, budget: 1, status: 200 },
  { method: 'DELETE', path: `/api/mappings/${ids.mapping}/`, budget: 2, status: 204 },
  { method: 'POST', path: '/api/auth/logout/', body: { refresh }, budget: 2, status: 204, token: 'none' },
  { method: 'POST', path: `/api/admin/users/${others.adminTarget}/unlock/`, headers: bearer(others.admin), budget: 1, status: 204, token: 'none' },
  { method: 'POST', path: '/api/auth/logout-all/', headers: bearer(others.leaving), budget: 1, status: 204, token: 'none' },
  // The old-password check reserves a login attempt and reads the account (1), then the change (2).
  {
    method: 'POST',
    path: '/api/auth/change-password/',
    headers: bearer(others.changing),
    body: { old_password: 'Sturdy-Kettle-42', new_password: 'Another-Kettle-77' },
    budget: 2,
    status: 204,
    token: 'none',
  },
  { method: 'GET', path: '/api/patients/', budget: 0, status: 401, token: 'none' },
  { method: 'GET', path: '/api/patients/?page_size=1000', budget: 0, status: 400 },
  { method: 'POST', path: '/api/patients/', body: { name: '' }, budget: 0, status: 400 },
  { method: 'POST', path: '/api/mappings/', body: { patient: 'x' }, budget: 0, status: 400 },
  { method: 'PATCH', path: `/api/doctors/${ids.doctor}/`, body: { experience_years: -1 }, budget: 0, status: 400 },
]

describe('D1 round trips per request', () => {
  it('stays within 1 for reads, 2 for writes, 0 for refused requests', async () => {
    const report: string[] = []
    for (const probe of probes()) {
      const { status, trips } = await measure(probe, access)
      report.push(`${probe.method} ${probe.path} → ${status}, ${trips.length} round trip(s)`)
      expect({ request: `${probe.method} ${probe.path}`, status }).toEqual({ request: `${probe.method} ${probe.path}`, status: probe.status })
      expect({ request: `${probe.method} ${probe.path}`, trips: trips.length <= probe.budget }).toEqual({ request: `${probe.method} ${probe.path}`, trips: true })
    }
    expect(report).toHaveLength(probes().length)
  })
})
