import { beforeAll, describe, expect, it } from 'vitest'
import { changes, isAuditInsert, recordingD1, type RoundTrip } from './d1-wrapper'
import { consoleSession, everyRouteFixture, expectEveryRoute, type EveryRouteFixture, FROM_CONSOLE, GOOD_PASSWORD, login, send, signedInUser, withRefreshCookie } from './helpers'

interface Probe {
  path: string
  body?: unknown
  /** The access token to send; none when left out. */
  token?: string
  headers?: Record<string, string>
  /** Most D1 round trips allowed: 1 for reads, 2 for writes, 0 when refused before any work. */
  budget: number
  status: number
  /** The table a write changes, whose batch must carry the write's audit INSERT. */
  audited?: 'patients' | 'doctors' | 'mappings' | 'users' | 'refresh_tokens' | 'clinics' | 'clinic_members' | 'clinic_invitations'
}

/**
 * Sends one request through a recording D1 binding; returns the status and every round trip it
 * made. Nothing is left for after the answer: audit events ride in their write's batch, or (reads)
 * go to the audit queue, so no request hands D1 work to `waitUntil`.
 */
async function measure(method: string, probe: Probe): Promise<{ status: number; trips: RoundTrip[] }> {
  const d1 = recordingD1()
  const response = await send(method, probe.path, { token: probe.token, headers: probe.headers, body: probe.body, env: { DB: d1.binding } })
  expect({ request: `${method} ${probe.path}`, deferred: response.deferred }).toEqual({ request: `${method} ${probe.path}`, deferred: 0 })
  return { status: response.status, trips: d1.trips }
}

/** What the probes need: users, records and tokens made once for this file. */
interface Fixture extends EveryRouteFixture {
  refresh: string
  aliasRefresh: string
  logoutRefresh: string
  leaving: string
  /** Refresh tokens of console sessions (the cookie), one per route that uses one up. */
  cookies: { renew: string; end: string; switch: string; access: string }
}

let fixture: Fixture

beforeAll(async () => {
  const { user, ...shared } = await everyRouteFixture({ email: 'budget@example.com' })
  fixture = {
    ...shared,
    refresh: user.refresh,
    aliasRefresh: (await login(user.email, GOOD_PASSWORD)).refresh,
    logoutRefresh: (await login(user.email, GOOD_PASSWORD)).refresh,
    leaving: (await signedInUser()).access,
    cookies: await (async () => {
      const [renew, end, moving] = [await consoleSession(user.email, GOOD_PASSWORD), await consoleSession(user.email, GOOD_PASSWORD), await consoleSession(user.email, GOOD_PASSWORD)]
      return { renew: renew.cookie, end: end.cookie, switch: moving.cookie, access: moving.access }
    })(),
  }
})

/**
 * The probes of every route the app serves, keyed as Hono names the route, run in this order
 * (later probes may depend on earlier ones, such as a delete after the reads).
 */
const budgets = (f: Fixture): Record<string, Probe[]> => ({
  'GET /api/health/live': [{ path: '/api/health/live/', budget: 0, status: 200 }],
  'GET /api/health': [{ path: '/api/health/', budget: 1, status: 200 }],
  'GET /api/openapi.json': [{ path: '/api/openapi.json', budget: 0, status: 200 }],
  'GET /api/docs': [{ path: '/api/docs', budget: 0, status: 302 }],
  'GET /console/*': [{ path: '/console/patients/7', budget: 0, status: 200 }],
  'GET /api/auth/me': [{ path: '/api/auth/me/', budget: 1, status: 200, token: f.access }],
  'POST /api/auth/register': [
    { path: '/api/auth/register/', body: { name: 'Budget', email: `budget.${crypto.randomUUID()}@example.com`, password: GOOD_PASSWORD }, budget: 2, status: 201 },
  ],
  'POST /api/auth/login': [
    { path: '/api/auth/login/', body: { email: f.email, password: GOOD_PASSWORD }, budget: 2, status: 200, audited: 'refresh_tokens' },
  ],
  'POST /api/auth/session': [
    { path: '/api/auth/session/', body: { email: f.email, password: GOOD_PASSWORD }, headers: FROM_CONSOLE, budget: 2, status: 200, audited: 'refresh_tokens' },
  ],
  'POST /api/auth/session/refresh': [{ path: '/api/auth/session/refresh/', headers: withRefreshCookie(f.cookies.renew), budget: 2, status: 200 }],
  'DELETE /api/auth/session': [{ path: '/api/auth/session/', headers: withRefreshCookie(f.cookies.end), budget: 1, status: 204 }],
  'POST /api/auth/session/switch-clinic': [
    { path: '/api/auth/session/switch-clinic/', body: { clinic: f.clinic }, token: f.cookies.access, headers: withRefreshCookie(f.cookies.switch), budget: 2, status: 200, audited: 'refresh_tokens' },
  ],
  'POST /api/auth/refresh': [{ path: '/api/auth/refresh/', body: { refresh: f.refresh }, budget: 2, status: 200 }],
  'POST /api/auth/token/refresh': [{ path: '/api/auth/token/refresh/', body: { refresh: f.aliasRefresh }, budget: 2, status: 200 }],
  'POST /api/auth/logout-all': [{ path: '/api/auth/logout-all/', token: f.leaving, budget: 1, status: 204 }],
  'POST /api/auth/logout': [{ path: '/api/auth/logout/', body: { refresh: f.logoutRefresh }, budget: 2, status: 204 }],
  'POST /api/auth/change-password': [
    { path: '/api/auth/change-password/', body: { old_password: GOOD_PASSWORD, new_password: 'Another-Kettle-77' }, token: f.other, budget: 2, status: 204, audited: 'users' },
  ],
  'GET /api/patients': [
    { path: '/api/patients/?search=grace&gender=female&ordering=name', token: f.access, budget: 1, status: 200 },
    { path: '/api/patients/', budget: 0, status: 401 },
    { path: '/api/patients/?page_size=1000', token: f.access, budget: 0, status: 400 },
  ],
  'POST /api/patients': [
    { path: '/api/patients/', body: { name: 'New', date_of_birth: '2000-01-01', gender: 'male' }, token: f.access, budget: 2, status: 201, audited: 'patients' },
    { path: '/api/patients/', body: { name: '' }, token: f.access, budget: 0, status: 400 },
  ],
  'GET /api/patients/:id': [
    { path: `/api/patients/${f.patient}/`, token: f.access, budget: 1, status: 200 },
    { path: `/api/patients/${f.patient}/`, token: f.access, headers: { 'if-none-match': '*' }, budget: 1, status: 304 },
    { path: '/api/patients/999999999/', token: f.access, budget: 1, status: 404 },
  ],
  'PUT /api/patients/:id': [
    {
      path: `/api/patients/${f.patient}/`,
      body: { name: 'Put', date_of_birth: '2000-01-01', gender: 'male', email: 'budget@example.com' },
      token: f.access,
      budget: 2,
      status: 200,
      audited: 'patients',
    },
  ],
  'PATCH /api/patients/:id': [
    { path: `/api/patients/${f.patient}/`, body: { name: 'Patched' }, token: f.access, budget: 2, status: 200, audited: 'patients' },
    { path: `/api/patients/${f.patient}/`, headers: { 'if-match': '"999"' }, body: { name: 'Stale' }, token: f.access, budget: 2, status: 412, audited: 'patients' },
  ],
  'GET /api/patients/:patient_id/doctors': [{ path: `/api/patients/${f.patient}/doctors/`, token: f.access, budget: 1, status: 200 }],
  'GET /api/patients/:id/history': [
    { path: `/api/patients/${f.patient}/history/`, token: f.access, budget: 1, status: 200 },
    { path: `/api/patients/${f.patient}/history/?reads=false`, token: f.access, budget: 1, status: 200 },
    { path: '/api/patients/999999999/history/', token: f.access, budget: 1, status: 404 },
  ],
  'DELETE /api/patients/:id': [
    { path: `/api/patients/${f.patient}/`, token: f.access, budget: 2, status: 409, audited: 'patients' },
    { path: `/api/patients/${f.spare}/`, token: f.access, budget: 2, status: 204, audited: 'patients' },
  ],
  'GET /api/doctors': [{ path: '/api/doctors/?search=dr&is_available=true&ordering=-consultation_fee', token: f.access, budget: 1, status: 200 }],
  'POST /api/doctors': [
    { path: '/api/doctors/', body: { name: 'Dr. New', specialization: 'Surgery' }, token: f.access, budget: 2, status: 201, audited: 'doctors' },
  ],
  'GET /api/doctors/:id': [
    { path: `/api/doctors/${f.doctor}/`, token: f.access, budget: 1, status: 200 },
    { path: `/api/doctors/${f.doctor}/`, token: f.access, headers: { 'if-none-match': '*' }, budget: 1, status: 304 },
  ],
  'PUT /api/doctors/:id': [
    { path: `/api/doctors/${f.doctor}/`, body: { name: 'Dr. Put', specialization: 'Surgery' }, token: f.access, budget: 2, status: 200, audited: 'doctors' },
  ],
  'PATCH /api/doctors/:id': [
    { path: `/api/doctors/${f.doctor}/`, body: { is_available: false }, token: f.access, budget: 2, status: 200, audited: 'doctors' },
    { path: `/api/doctors/${f.doctor}/`, headers: { 'if-match': '"999"' }, body: { is_available: true }, token: f.access, budget: 2, status: 412, audited: 'doctors' },
    { path: `/api/doctors/${f.doctor}/`, body: { experience_years: -1 }, token: f.access, budget: 0, status: 400 },
  ],
  'DELETE /api/doctors/:id': [{ path: `/api/doctors/${f.doctor}/`, token: f.access, budget: 2, status: 409, audited: 'doctors' }],
  'POST /api/mappings': [
    { path: '/api/mappings/', body: { patient: f.patient, doctor: f.spareDoctor }, token: f.access, budget: 2, status: 201, audited: 'mappings' },
    { path: '/api/mappings/', body: { patient: 'x' }, token: f.access, budget: 0, status: 400 },
  ],
  'GET /api/mappings': [{ path: '/api/mappings/?is_active=true', token: f.access, budget: 1, status: 200 }],
  'GET /api/mappings/:id': [
    { path: `/api/mappings/${f.assignment}/`, token: f.access, budget: 1, status: 200 },
    { path: `/api/mappings/${f.assignment}/`, token: f.access, headers: { 'if-none-match': '*' }, budget: 1, status: 304 },
  ],
  'PUT /api/mappings/:id': [{ path: `/api/mappings/${f.assignment}/`, body: { notes: 'put' }, token: f.access, budget: 2, status: 200, audited: 'mappings' }],
  'PATCH /api/mappings/:id': [
    { path: `/api/mappings/${f.assignment}/`, body: { is_active: false }, token: f.access, budget: 2, status: 200, audited: 'mappings' },
  ],
  'GET /api/mappings/patient/:patient_id': [{ path: `/api/mappings/patient/${f.patient}/`, token: f.access, budget: 1, status: 200 }],
  'DELETE /api/mappings/:id': [
    { path: `/api/mappings/${f.assignment}/`, headers: { 'if-match': '"1.1.1"' }, token: f.access, budget: 2, status: 412, audited: 'mappings' },
    { path: `/api/mappings/${f.assignment}/`, token: f.access, budget: 2, status: 204, audited: 'mappings' },
  ],
  'GET /api/admin/users': [
    { path: '/api/admin/users/?search=a', token: f.admin, budget: 1, status: 200 },
    { path: '/api/admin/users/?status=locked&role=user', token: f.admin, budget: 1, status: 200 },
    { path: '/api/admin/users/?status=stuck', token: f.admin, budget: 0, status: 400 },
  ],
  'GET /api/admin/users/:id': [{ path: `/api/admin/users/${f.target}/`, token: f.admin, budget: 1, status: 200 }],
  'POST /api/auth/switch-clinic': [{ path: '/api/auth/switch-clinic/', body: { clinic: f.clinic }, token: f.access, budget: 2, status: 200, audited: 'refresh_tokens' }],
  'POST /api/invitations/accept': [{ path: '/api/invitations/accept/', body: { token: f.welcomeToken }, token: f.joiner, budget: 2, status: 200, audited: 'clinic_members' }],
  'GET /api/clinics/:id': [{ path: `/api/clinics/${f.clinic}/`, token: f.access, budget: 1, status: 200 }],
  'PATCH /api/clinics/:id': [{ path: `/api/clinics/${f.clinic}/`, body: { name: 'Budget Clinic' }, token: f.access, budget: 2, status: 200, audited: 'clinics' }],
  'GET /api/clinics/:id/members': [{ path: `/api/clinics/${f.clinic}/members/?role=clinician&status=all`, token: f.access, budget: 1, status: 200 }],
  'PATCH /api/clinics/:id/members/:user_id': [
    { path: `/api/clinics/${f.clinic}/members/${f.colleague}/`, body: { role: 'front_desk' }, token: f.access, budget: 2, status: 200, audited: 'clinic_members' },
  ],
  'DELETE /api/clinics/:id/members/:user_id': [{ path: `/api/clinics/${f.clinic}/members/${f.leaver}/`, token: f.access, budget: 2, status: 204, audited: 'clinic_members' }],
  'POST /api/clinics/:id/invitations': [
    { path: `/api/clinics/${f.clinic}/invitations/`, body: { email: 'invitee@example.com', role: 'clinician' }, token: f.access, budget: 2, status: 201, audited: 'clinic_invitations' },
  ],
  'GET /api/clinics/:id/invitations': [{ path: `/api/clinics/${f.clinic}/invitations/`, token: f.access, budget: 1, status: 200 }],
  'DELETE /api/clinics/:id/invitations/:invitation_id': [
    { path: `/api/clinics/${f.clinic}/invitations/${f.invitation}/`, token: f.access, budget: 2, status: 204, audited: 'clinic_invitations' },
  ],
  'GET /api/clinics/:id/audit': [{ path: `/api/clinics/${f.clinic}/audit/`, token: f.access, budget: 1, status: 200 }],
  'PATCH /api/admin/users/:id': [{ path: `/api/admin/users/${f.target}/`, body: { role: 'admin' }, token: f.admin, budget: 1, status: 200, audited: 'users' }],
  'POST /api/admin/users/:id/unlock': [{ path: `/api/admin/users/${f.target}/unlock/`, token: f.admin, budget: 1, status: 204 }],
  'GET /api/admin/audit': [{ path: `/api/admin/audit/?action=patient.*&resource=patient:${f.patient}`, token: f.admin, budget: 1, status: 200 }],
  'GET /api/patients/:id/access-report': [
    { path: `/api/patients/${f.patient}/access-report/?from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z`, token: f.access, budget: 1, status: 200 },
    { path: `/api/patients/${f.patient}/access-report/?from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z&format=fhir`, token: f.admin, budget: 1, status: 404 },
  ],
  'GET /api/health/audit': [{ path: '/api/health/audit/', token: f.admin, budget: 1, status: 200 }],
  'GET /api/admin/audit/dead-letters': [{ path: '/api/admin/audit/dead-letters/?pending=true', token: f.admin, budget: 1, status: 200 }],
  'POST /api/admin/audit/dead-letters/:id/replay': [{ path: `/api/admin/audit/dead-letters/${f.deadLetter}/replay/`, token: f.admin, budget: 1, status: 200 }],
})

describe('D1 round trips per request', () => {
  it('has probes for every route the app serves, and for no other', () => {
    expectEveryRoute(budgets(fixture))
  })

  it('stays within 1 for reads, which write nothing, 2 for writes, 0 for refused requests; a write and its audit event share one batch', async () => {
    for (const [route, probes] of Object.entries(budgets(fixture))) {
      const method = route.split(' ')[0]
      for (const probe of probes) {
        const request = `${method} ${probe.path}`
        const { status, trips } = await measure(method, probe)
        expect({ request, status }).toEqual({ request, status: probe.status })
        expect({ request, trips: trips.length }).toEqual({ request, trips: Math.min(trips.length, probe.budget) })
        if (probe.audited) {
          const writes = trips.filter((trip) => trip.sql.some(changes(probe.audited!)))
          expect({ request, writes: writes.length > 0 }).toEqual({ request, writes: true })
          expect({ request, auditedInBatch: writes.every((trip) => trip.kind === 'batch' && trip.sql.some(isAuditInsert)) }).toEqual({ request, auditedInBatch: true })
        }
        if (method === 'GET') {
          // A read a replica can serve: nothing it sends to D1 writes (its audit event goes to the queue).
          const writes = trips.flatMap((trip) => trip.sql).filter((sql) => /^\s*(insert|update|delete)\b/i.test(sql))
          expect({ request, writes }).toEqual({ request, writes: [] })
          expect({ request, trips: trips.length }).toEqual({ request, trips: Math.min(trips.length, 1) })
        }
      }
    }
  })
})
