import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { recordingD1 } from './d1-wrapper'
import { consoleSession, everyRouteFixture, expectEveryRoute, type EveryRouteFixture, FROM_CONSOLE, GOOD_PASSWORD, login, send, withRefreshCookie } from './helpers'

/** One request whose SQL is planned: the path (with `{patient}`-style placeholders), its body, and who sends it. */
interface PlannedRequest {
  path: string
  body?: unknown
  as?: 'user' | 'admin' | 'nobody' | 'other' | 'joiner'
  /** Headers, with `{name}` placeholders too (the console's refresh cookie). */
  headers?: Record<string, string>
  /** A walk of a whole table or index this request may make, and why that is the best plan there is. */
  walks?: Walk
}

interface Walk {
  detail: RegExp
  why: string
}

/**
 * The doctor directory is shared by every user. With no filter, or a substring search that no
 * b-tree can answer, the page walks one index in the order asked for and stops at the page's
 * LIMIT, and the count walks the narrowest covering index: SQLite keeps no row count to read instead.
 */
const DIRECTORY: Walk = { detail: /^SCAN doctors USING (COVERING )?INDEX doctors_\w+$/, why: 'the shared directory, unfiltered or substring-searched' }

/**
 * The administrators' views of every account and of the whole trail, newest first: the page walks
 * the table in id order (the rowid b-tree, or an index by id) and stops at its LIMIT, and the count
 * walks the narrowest covering index. A substring search of names and emails has no b-tree to use.
 */
const ADMIN_USERS: Walk = { detail: /^SCAN users( USING COVERING INDEX \w+)?$/, why: 'every account, newest first' }
const ADMIN_TRAIL: Walk = { detail: /^SCAN audit_events( USING COVERING INDEX audit_events_\w+)?$/, why: 'the whole trail, newest first' }

/**
 * `INSERT ... SELECT` into a parent table is a multi-row write, so SQLite codes the child-key
 * lookups of every foreign key that references users; they run only while a foreign-key violation
 * is outstanding (OP_FkIfZero skips them), which never happens between statements.
 * mappings.assigned_by, clinic_members.added_by and clinic_invitations.invited_by and accepted_by
 * have no index of their own, hence the SCANs in the plan.
 */
/** The hash chain's last link: the manifest's rowid b-tree read from its end, stopped at LIMIT 1. */
const LAST_LINK: Walk = { detail: /^SCAN audit_archive_manifest$/, why: "the chain's last row, by seq descending, LIMIT 1" }

/** Every dead letter, oldest first: the table in id order, stopped at the page's LIMIT; the count walks its narrowest index. */
const DEAD_LETTERS: Walk = { detail: /^SCAN audit_dead_letters( USING COVERING INDEX (audit_dead_letters_\w+|sqlite_autoindex_audit_dead_letters_1))?$/, why: 'every dead letter, oldest first' }

/** A replayed dead letter is one JSON message that SQLite unpacks with json_each: a walk of that one value, never of a table. */
const JSON_MESSAGE: Walk = { detail: /^SCAN (message|patient) VIRTUAL TABLE INDEX \d+:/, why: "json_each over the dead letter's one message" }

const PARENT_INSERT: Walk = { detail: /^SCAN (mappings|clinic_members|clinic_invitations)$/, why: 'child-key lookups of a parent INSERT ... SELECT, never run' }

let f: EveryRouteFixture & { refreshes: string[]; cookies: string[] }

beforeAll(async () => {
  const { user, ...shared } = await everyRouteFixture({ email: 'plans@example.com', blood_group: 'O+' })
  const cookies = [(await consoleSession(user.email, GOOD_PASSWORD)).cookie, (await consoleSession(user.email, GOOD_PASSWORD)).cookie, (await consoleSession(user.email, GOOD_PASSWORD)).cookie]
  f = { ...shared, refreshes: [user.refresh, (await login(user.email, GOOD_PASSWORD)).refresh], cookies }
})

const lists = (base: string, queries: string[], walks?: Walk): PlannedRequest[] => queries.map((query) => ({ path: `${base}${query}`, walks }))

/**
 * Every route the app serves, keyed as Hono names it: the requests whose SQL is planned, or why
 * the route runs none. Run in this order (the deletes come after the reads of the same records).
 */
const PLANNED: Record<string, PlannedRequest[] | string> = {
  'GET /api/health/live': 'answers without the database',
  'GET /api/openapi.json': 'answers without the database',
  'GET /api/docs': 'answers without the database',
  'GET /console/*': 'answers without the database',
  'GET /api/health': [{ path: '/api/health/', as: 'nobody' }],
  'GET /api/health/audit': [{ path: '/api/health/audit/', as: 'admin', walks: LAST_LINK }],
  'GET /api/auth/me': [{ path: '/api/auth/me/' }],
  'POST /api/auth/register': [
    { path: '/api/auth/register/', as: 'nobody', body: { name: 'Planner', email: 'planner.{uuid}@example.com', password: GOOD_PASSWORD }, walks: PARENT_INSERT },
  ],
  'POST /api/auth/login': [
    { path: '/api/auth/login/', as: 'nobody', body: { email: '{email}', password: GOOD_PASSWORD } },
    { path: '/api/auth/login/', as: 'nobody', body: { email: '{email}', password: 'Wrong-Password-1' } },
  ],
  'POST /api/auth/session': [{ path: '/api/auth/session/', as: 'nobody', body: { email: '{email}', password: GOOD_PASSWORD }, headers: FROM_CONSOLE }],
  'POST /api/auth/session/refresh': [{ path: '/api/auth/session/refresh/', as: 'nobody', headers: withRefreshCookie('{cookie0}') }],
  'DELETE /api/auth/session': [{ path: '/api/auth/session/', as: 'nobody', headers: withRefreshCookie('{cookie1}') }],
  'POST /api/auth/session/switch-clinic': [{ path: '/api/auth/session/switch-clinic/', body: { clinic: '{clinic}' }, headers: withRefreshCookie('{cookie2}') }],
  'POST /api/auth/refresh': [{ path: '/api/auth/refresh/', as: 'nobody', body: { refresh: '{refresh0}' } }],
  'POST /api/auth/token/refresh': [{ path: '/api/auth/token/refresh/', as: 'nobody', body: { refresh: '{refresh0}' } }],
  'POST /api/auth/logout': [{ path: '/api/auth/logout/', as: 'nobody', body: { refresh: '{refresh1}' } }],
  'POST /api/auth/logout-all': [{ path: '/api/auth/logout-all/', as: 'other' }],
  'POST /api/auth/change-password': [{ path: '/api/auth/change-password/', as: 'other', body: { old_password: GOOD_PASSWORD, new_password: 'Another-Kettle-77' } }],
  'GET /api/patients': lists('/api/patients/', [
    '',
    '?ordering=name',
    '?ordering=-name',
    '?ordering=created_at',
    '?ordering=date_of_birth',
    '?ordering=-date_of_birth',
    '?gender=female',
    '?gender=male&ordering=name',
    '?blood_group=O%2B',
    '?blood_group=O%2B&ordering=-date_of_birth',
    '?search=ada',
    '?search=555&gender=other&blood_group=A-&ordering=name',
  ]),
  'POST /api/patients': [{ path: '/api/patients/', body: { name: 'Planned', date_of_birth: '1990-01-01', gender: 'other' } }],
  'GET /api/patients/:id': [{ path: '/api/patients/{patient}/' }],
  'PUT /api/patients/:id': [{ path: '/api/patients/{patient}/', body: { name: 'Put', date_of_birth: '1990-01-01', gender: 'other', email: 'plans@example.com' } }],
  'PATCH /api/patients/:id': [{ path: '/api/patients/{patient}/', body: { name: 'Patched' } }],
  'GET /api/patients/:id/history': [{ path: '/api/patients/{patient}/history/' }, { path: '/api/patients/{patient}/history/?reads=false' }],
  'GET /api/patients/:id/access-report': [{ path: '/api/patients/{patient}/access-report/?from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z' }],
  'GET /api/patients/:patient_id/doctors': [{ path: '/api/patients/{patient}/doctors/' }],
  'DELETE /api/patients/:id': [{ path: '/api/patients/{spare}/' }, { path: '/api/patients/{patient}/' }],
  'GET /api/doctors': [
    ...lists('/api/doctors/', ['', '?ordering=name', '?ordering=-experience_years', '?ordering=consultation_fee', '?ordering=created_at', '?search=card'], DIRECTORY),
    ...lists('/api/doctors/', [
      '?specialization=cardiology',
      '?is_available=true',
      '?is_available=false&ordering=name',
      '?search=card&specialization=cardiology&is_available=true&ordering=-consultation_fee',
    ]),
  ],
  'POST /api/doctors': [{ path: '/api/doctors/', body: { name: 'Dr. Planned', specialization: 'Surgery', email: 'dr.planned@example.com', license_number: 'PLAN-1' } }],
  'GET /api/doctors/:id': [{ path: '/api/doctors/{doctor}/' }],
  'PUT /api/doctors/:id': [{ path: '/api/doctors/{doctor}/', body: { name: 'Dr. Put', specialization: 'Surgery', email: 'dr.put@example.com', license_number: 'PLAN-2' } }],
  'PATCH /api/doctors/:id': [{ path: '/api/doctors/{doctor}/', body: { is_available: false } }],
  'DELETE /api/doctors/:id': [{ path: '/api/doctors/{doctor}/' }],
  'GET /api/mappings': lists('/api/mappings/', ['', '?is_active=true', '?patient={patient}', '?doctor={doctor}', '?patient={patient}&doctor={doctor}&is_active=false']),
  'POST /api/mappings': [{ path: '/api/mappings/', body: { patient: '{patient}', doctor: '{spareDoctor}' } }],
  'GET /api/mappings/:id': [{ path: '/api/mappings/{assignment}/' }],
  'PUT /api/mappings/:id': [{ path: '/api/mappings/{assignment}/', body: { notes: 'put' } }],
  'PATCH /api/mappings/:id': [{ path: '/api/mappings/{assignment}/', body: { is_active: false } }],
  'GET /api/mappings/patient/:patient_id': [{ path: '/api/mappings/patient/{patient}/' }],
  'DELETE /api/mappings/:id': [{ path: '/api/mappings/{assignment}/' }],
  'GET /api/admin/users': [
    { path: '/api/admin/users/', as: 'admin', walks: ADMIN_USERS },
    { path: '/api/admin/users/?search=ada', as: 'admin', walks: ADMIN_USERS },
    { path: '/api/admin/users/?role=admin', as: 'admin', walks: ADMIN_USERS },
    { path: '/api/admin/users/?status=inactive', as: 'admin', walks: ADMIN_USERS },
    // Locked accounts are found from the recent failed logins, by index, never by walking every account.
    { path: '/api/admin/users/?status=locked', as: 'admin' },
    { path: '/api/admin/users/?status=locked&role=user&search=plans', as: 'admin' },
  ],
  'GET /api/admin/users/:id': [{ path: '/api/admin/users/{target}/', as: 'admin' }],
  'POST /api/auth/switch-clinic': [{ path: '/api/auth/switch-clinic/', body: { clinic: '{clinic}' } }],
  'POST /api/invitations/accept': [{ path: '/api/invitations/accept/', as: 'joiner', body: { token: '{welcome}' }, walks: PARENT_INSERT }],
  'GET /api/clinics/:id': [{ path: '/api/clinics/{clinic}/' }],
  'PATCH /api/clinics/:id': [{ path: '/api/clinics/{clinic}/', body: { name: 'Planned Clinic' } }],
  'GET /api/clinics/:id/members': [
    { path: '/api/clinics/{clinic}/members/' },
    { path: '/api/clinics/{clinic}/members/?status=all' },
    { path: '/api/clinics/{clinic}/members/?status=removed&role=front_desk' },
  ],
  'PATCH /api/clinics/:id/members/:user_id': [{ path: '/api/clinics/{clinic}/members/{colleague}/', body: { role: 'front_desk' } }],
  'DELETE /api/clinics/:id/members/:user_id': [{ path: '/api/clinics/{clinic}/members/{leaver}/' }],
  'POST /api/clinics/:id/invitations': [{ path: '/api/clinics/{clinic}/invitations/', body: { email: 'planned@example.com', role: 'clinician' } }],
  'GET /api/clinics/:id/invitations': [{ path: '/api/clinics/{clinic}/invitations/' }],
  'DELETE /api/clinics/:id/invitations/:invitation_id': [{ path: '/api/clinics/{clinic}/invitations/{invitation}/' }],
  'GET /api/clinics/:id/audit': [{ path: '/api/clinics/{clinic}/audit/' }, { path: '/api/clinics/{clinic}/audit/?action=patient.read' }],
  'PATCH /api/admin/users/:id': [
    { path: '/api/admin/users/{target}/', as: 'admin', body: { role: 'admin' } },
    { path: '/api/admin/users/{target}/', as: 'admin', body: { is_active: false } },
  ],
  'POST /api/admin/users/:id/unlock': [{ path: '/api/admin/users/{target}/unlock/', as: 'admin' }],
  'GET /api/admin/audit/dead-letters': [
    { path: '/api/admin/audit/dead-letters/?pending=true', as: 'admin' },
    { path: '/api/admin/audit/dead-letters/', as: 'admin', walks: DEAD_LETTERS },
  ],
  'POST /api/admin/audit/dead-letters/:id/replay': [{ path: '/api/admin/audit/dead-letters/{deadLetter}/replay/', as: 'admin', walks: JSON_MESSAGE }],
  'GET /api/admin/audit': [
    // Unfiltered, or filtered by a family of actions or a start time that most of the trail matches.
    { path: '/api/admin/audit/', as: 'admin', walks: ADMIN_TRAIL },
    { path: '/api/admin/audit/?action=patient.*', as: 'admin', walks: ADMIN_TRAIL },
    { path: '/api/admin/audit/?since=2000-01-01T00:00:00Z', as: 'admin', walks: ADMIN_TRAIL },
    // Filters that name one actor, one action or one resource must find their rows by index.
    { path: '/api/admin/audit/?actor=1', as: 'admin' },
    { path: '/api/admin/audit/?action=patient.read', as: 'admin' },
    { path: '/api/admin/audit/?resource=patient:{patient}', as: 'admin' },
    { path: '/api/admin/audit/?resource=patient', as: 'admin' },
    { path: '/api/admin/audit/?request_id={uuid}', as: 'admin' },
    { path: '/api/admin/audit/?client_request_id=ticket-42', as: 'admin' },
    { path: '/api/admin/audit/?actor=1&action=patient.*&resource=patient:{patient}&since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z', as: 'admin' },
  ],
}

/** Fills `{name}` placeholders with this file's ids and tokens. */
function fill(text: string): string {
  const values: Record<string, string> = {
    uuid: crypto.randomUUID(),
    email: f.email,
    refresh0: f.refreshes[0],
    refresh1: f.refreshes[1],
    cookie0: f.cookies[0],
    cookie1: f.cookies[1],
    cookie2: f.cookies[2],
    patient: String(f.patient),
    spare: String(f.spare),
    doctor: String(f.doctor),
    spareDoctor: String(f.spareDoctor),
    assignment: String(f.assignment),
    target: String(f.target),
    deadLetter: String(f.deadLetter),
    clinic: String(f.clinic),
    colleague: String(f.colleague),
    leaver: String(f.leaver),
    invitation: String(f.invitation),
    welcome: f.welcomeToken,
  }
  return text.replace(/\{(\w+)\}/g, (_, name: string) => values[name])
}

const fillBody = (body: unknown) => (body === undefined ? undefined : JSON.parse(fill(JSON.stringify(body)), (_, value) => (typeof value === 'string' && /^\d+$/.test(value) && value.length < 12 ? Number(value) : value)))

/**
 * A plan row that visits every row of a table: `SCAN <table>` walks the table, and
 * `SCAN <table> USING [COVERING] INDEX <index>` walks all of an index. `SEARCH` rows seek
 * a range; `SCAN CONSTANT ROW` reads no table.
 */
const wholeWalk = (detail: string) => /^SCAN (?!CONSTANT ROW)\w+/.test(detail)

describe('query plans', () => {
  it('cover every route the app serves, and no other', () => {
    expectEveryRoute(PLANNED)
  })

  it.each(Object.entries(PLANNED).flatMap(([route, requests]) => (typeof requests === 'string' ? [] : requests.map((request) => [route, request.path, request] as const))))(
    '%s (%s) walks no whole table or index, beyond what it must',
    async (route, _path, request) => {
      const method = route.split(' ')[0]
      const d1 = recordingD1()
      const token = { user: f.access, admin: f.admin, other: f.other, joiner: f.joiner, nobody: undefined }[request.as ?? 'user']
      const headers = request.headers && Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, fill(value)]))
      const response = await send(method, fill(request.path), { token, headers, body: fillBody(request.body), env: { DB: d1.binding } })
      expect(response.status).toBeLessThan(500)
      const statements = d1.trips.flatMap((trip) => trip.sql.map((sql, index) => ({ sql, params: trip.params[index] })))
      expect(statements.length).toBeGreaterThan(0)
      for (const { sql, params } of statements) {
        // The one raw statement of this file: SQLite's own account of how it would run the request's SQL.
        const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .bind(...params)
          .all<{ detail: string }>()
        const walks = plan.results.map((row) => row.detail.trim()).filter(wholeWalk)
        const unexplained = walks.filter((detail) => !request.walks?.detail.test(detail))
        expect({ sql, unexplained }, request.walks ? `allowed: ${request.walks.why}` : 'no walk allowed').toEqual({ sql, unexplained: [] })
      }
    },
  )
})
