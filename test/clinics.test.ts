import { beforeAll, describe, expect, it } from 'vitest'
import { PERMISSIONS, type ClinicRole, type Permission } from '../src/core/permissions'
import { auditEventsOfRequest, ownClinicOf, patientRow, testDb } from './db'
import {
  clinicIdOf,
  routeKeys,
  createAssignment,
  createDoctor,
  createPatient,
  expectEveryRoute,
  GOOD_PASSWORD,
  invite,
  joinedMember,
  login,
  send,
  signedInUser,
  uniqueEmail,
  type SignedIn,
} from './helpers'
import { deliver, recordingQueue } from './audit-queue'

type Member = SignedIn & { clinicId: number }

/** Sends a request whose disclosures go through a recording queue, then delivers them to D1 as the consumer would. */
async function audited(method: string, path: string, options: Parameters<typeof send>[2] = {}) {
  const audit = recordingQueue()
  const answer = await send(method, path, { ...options, env: { ...options.env, AUDIT_QUEUE: audit.queue } })
  await deliver(audit.sent)
  return answer
}

/** A clinic with an admin, a clinician and a front desk, and a patient with a medical history assigned to a doctor. */
async function staffedClinic() {
  const admin = await signedInUser({ name: 'Clinic Admin' })
  const clinicId = await clinicIdOf(admin.access)
  const clinician = await joinedMember(admin.access, 'clinician', { name: 'Carla Clinician' })
  const frontDesk = await joinedMember(admin.access, 'front_desk', { name: 'Fred Frontdesk' })
  const patient = await createPatient(clinician.access, { name: 'Hannah Shared', medical_history: 'Penicillin allergy.' })
  const doctor = await createDoctor(admin.access)
  const assignment = await createAssignment(frontDesk.access, patient.id, doctor.id)
  // A doctor is changed only by whoever added it: one per role, so the walk below meets the role rule, not that one.
  const doctorOf = {
    admin: doctor,
    clinician: await createDoctor(clinician.access, { name: 'Dr. Clinician Added' }),
    front_desk: await createDoctor(frontDesk.access, { name: 'Dr. Front Desk Added' }),
  }
  return { admin, clinicId, clinician, frontDesk, patient, doctor, doctorOf, assignment }
}

let staff: Awaited<ReturnType<typeof staffedClinic>>

beforeAll(async () => {
  staff = await staffedClinic()
})

describe('a clinic of one', () => {
  it('is what registering opens: the new user is its admin, and two clinics never see each other', async () => {
    const ada = await signedInUser({ name: 'Ada Solo' })
    const grace = await signedInUser({ name: 'Grace Solo' })
    const me = await send('GET', '/api/auth/me/', { token: ada.access })
    expect(me.body).toMatchObject({ clinic: { name: "Ada Solo's clinic" }, clinic_role: 'admin', clinics: [{ clinic: { name: "Ada Solo's clinic" }, role: 'admin' }] })
    const patient = await createPatient(ada.access)
    expect((await patientRow(patient.id))?.clinic_id).toBe(me.body.clinic.id)
    expect((await send('GET', `/api/patients/${patient.id}/`, { token: grace.access })).status).toBe(404)
    expect((await send('GET', '/api/patients/', { token: grace.access })).body.count).toBe(0)
  })

  it('takes a clinic name at registration', async () => {
    const email = uniqueEmail()
    await send('POST', '/api/auth/register/', { body: { name: 'Named', email, password: GOOD_PASSWORD, clinic_name: 'Harbour Road Clinic' } })
    expect((await login(email, GOOD_PASSWORD)).clinic).toMatchObject({ clinic: { name: 'Harbour Road Clinic' }, role: 'admin' })
  })
})

describe('staff who share patients', () => {
  it('lets every member find a colleague’s patient, each under their own name on the audit record', async () => {
    for (const member of [staff.admin, staff.clinician, staff.frontDesk]) {
      const listed = await send('GET', '/api/patients/?search=hannah', { token: member.access })
      expect(listed.body.results.map((patient: { id: number }) => patient.id)).toEqual([staff.patient.id])
      const read = await audited('GET', `/api/patients/${staff.patient.id}/`, { token: member.access })
      expect(read.status).toBe(200)
      const [event] = await auditEventsOfRequest(read.headers.get('x-request-id')!)
      expect(event).toMatchObject({ actor_id: member.id, clinic_id: staff.clinicId, action: 'patient.read', outcome: 'ok' })
    }
    const events = await testDb.selectFrom('audit_events').select('actor_role').where('resource_id', '=', staff.patient.id).where('action', '=', 'patient.read').execute()
    expect(new Set(events.map((event) => event.actor_role))).toEqual(new Set(['admin', 'clinician', 'front_desk']))
  })
})

describe('the front desk and medical history', () => {
  it('never receives the field: reads, lists, searches, writes and assignment details', async () => {
    const token = staff.frontDesk.access
    const answers = [
      await send('GET', `/api/patients/${staff.patient.id}/`, { token }),
      await send('GET', '/api/patients/?search=hannah', { token }),
      await send('PATCH', `/api/patients/${staff.patient.id}/`, { token, body: { address: '1 Quay Street' } }),
      await send('GET', `/api/mappings/${staff.assignment.id}/`, { token }),
    ]
    for (const answer of answers) {
      expect(answer.status).toBe(200)
      expect(answer.text).not.toContain('medical_history')
      expect(answer.text).not.toContain('Penicillin')
    }
    const clinician = await send('GET', `/api/patients/${staff.patient.id}/`, { token: staff.clinician.access })
    expect(clinician.body).toMatchObject({ address: '1 Quay Street', medical_history: 'Penicillin allergy.' })
  })

  it('is refused with 403 naming the field when sending it, writes nothing, and is on the audit record', async () => {
    const before = await patientRow(staff.patient.id)
    for (const [method, path, body] of [
      ['PATCH', `/api/patients/${staff.patient.id}/`, { medical_history: 'Overwritten' }],
      ['PUT', `/api/patients/${staff.patient.id}/`, { name: 'Hannah Shared', date_of_birth: '1980-01-01', gender: 'female', medical_history: null }],
      ['POST', '/api/patients/', { name: 'New', date_of_birth: '1980-01-01', gender: 'female', medical_history: 'x' }],
    ] as const) {
      const answer = await audited(method, path, { token: staff.frontDesk.access, body })
      expect(answer.status).toBe(403)
      expect(answer.body).toMatchObject({ code: 'permission_denied', details: { medical_history: [expect.any(String)] } })
      expect(await auditEventsOfRequest(answer.headers.get('x-request-id')!)).toMatchObject([
        { action: 'access.denied', outcome: 'denied', actor_id: staff.frontDesk.id, clinic_id: staff.clinicId, actor_role: 'front_desk' },
      ])
    }
    expect(await patientRow(staff.patient.id)).toEqual(before)
    expect(await testDb.selectFrom('patients').select('id').where('clinic_id', '=', staff.clinicId).where('name', '=', 'New').execute()).toEqual([])
  })

  it('keeps the history it never saw through a PUT that leaves it out; a clinician’s PUT clears it', async () => {
    const patient = await createPatient(staff.clinician.access, { name: 'Put Kept', medical_history: 'Asthma.' })
    const replacement = { name: 'Put Kept', date_of_birth: patient.date_of_birth, gender: patient.gender, phone_number: '+15550001111' }
    expect((await send('PUT', `/api/patients/${patient.id}/`, { token: staff.frontDesk.access, body: replacement })).status).toBe(200)
    expect(await patientRow(patient.id)).toMatchObject({ phone_number: '+15550001111', medical_history: 'Asthma.' })
    expect((await send('PUT', `/api/patients/${patient.id}/`, { token: staff.clinician.access, body: replacement })).status).toBe(200)
    expect(await patientRow(patient.id)).toMatchObject({ medical_history: null })
  })
})

/** A request that exercises one route in the staffed clinic, and the permission the table says it needs (null: signed in is enough). */
type Probe = { permission: Permission | null; method: string; path: () => string; body?: () => unknown }

/** Routes whose answer does not depend on a clinic role: why each is left out of the walk. */
const OUTSIDE_CLINICS = {
  'GET /api/health': 'no account',
  'GET /api/health/live': 'no account',
  'GET /api/openapi.json': 'no account',
  'GET /api/docs': 'no account',
  'GET /console/*': 'no account',
  'POST /api/auth/register': 'no account',
  'POST /api/auth/login': 'no account',
  'POST /api/auth/refresh': 'a refresh token, not a role',
  'POST /api/auth/token/refresh': 'a refresh token, not a role',
  'POST /api/auth/logout': 'a refresh token, not a role',
  'POST /api/auth/session': 'no account',
  'POST /api/auth/session/refresh': "the console's refresh cookie, not a role",
  'DELETE /api/auth/session': "the console's refresh cookie, not a role",
  'POST /api/auth/session/switch-clinic': 'any active membership (console-session.test.ts)',
  'POST /api/auth/logout-all': 'the account itself (accounts.test.ts)',
  'POST /api/auth/change-password': 'the account itself (accounts.test.ts)',
  'POST /api/auth/switch-clinic': 'any active membership (invitations, below)',
  'POST /api/invitations/accept': 'an invitation to the account (invitations, below)',
  'GET /api/admin/users': "the platform's administrators (admin.test.ts)",
  'GET /api/admin/users/:id': "the platform's administrators (admin.test.ts)",
  'PATCH /api/admin/users/:id': "the platform's administrators (admin.test.ts)",
  'POST /api/admin/users/:id/unlock': "the platform's administrators (admin.test.ts)",
  'GET /api/admin/audit': "the platform's administrators (admin.test.ts)",
  'GET /api/admin/audit/dead-letters': "the platform's administrators (audit-dead-letters.test.ts)",
  'POST /api/admin/audit/dead-letters/:id/replay': "the platform's administrators (audit-dead-letters.test.ts)",
  'GET /api/health/audit': "the platform's administrators (audit-dead-letters.test.ts)",
  'GET /api/patients/:id/access-report': "the history's rule and permission, patient.read (access-report.test.ts)",
} as const

const probes = (role: ClinicRole = 'admin'): Record<string, Probe> => {
  const s = staff
  const patient = () => `/api/patients/${s.patient.id}/`
  const assignment = () => `/api/mappings/${s.assignment.id}/`
  const doctor = () => `/api/doctors/${s.doctorOf[role].id}/`
  const clinic = () => `/api/clinics/${s.clinicId}/`
  const newPatient = () => ({ name: 'Walk', date_of_birth: '1990-01-01', gender: 'other' })
  return {
    'GET /api/auth/me': { permission: null, method: 'GET', path: () => '/api/auth/me/' },
    'GET /api/patients': { permission: 'patient.read', method: 'GET', path: () => '/api/patients/' },
    'POST /api/patients': { permission: 'patient.write', method: 'POST', path: () => '/api/patients/', body: newPatient },
    'GET /api/patients/:id': { permission: 'patient.read', method: 'GET', path: patient },
    'PUT /api/patients/:id': { permission: 'patient.write', method: 'PUT', path: patient, body: () => ({ name: 'Hannah Shared', date_of_birth: s.patient.date_of_birth, gender: s.patient.gender }) },
    'PATCH /api/patients/:id': { permission: 'patient.write', method: 'PATCH', path: patient, body: () => ({}) },
    // A 409 (its assignment) when allowed: refused by role first, the patient is never at risk.
    'DELETE /api/patients/:id': { permission: 'patient.delete', method: 'DELETE', path: patient },
    'GET /api/patients/:id/history': { permission: 'patient.read', method: 'GET', path: () => `${patient()}history/` },
    'GET /api/patients/:id/access-report': {
      permission: 'patient.read',
      method: 'GET',
      path: () => `${patient()}access-report/?from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z`,
    },
    'GET /api/patients/:patient_id/doctors': { permission: 'assignment.read', method: 'GET', path: () => `${patient()}doctors/` },
    'GET /api/mappings': { permission: 'assignment.read', method: 'GET', path: () => '/api/mappings/' },
    'POST /api/mappings': { permission: 'assignment.write', method: 'POST', path: () => '/api/mappings/', body: () => ({ patient: s.patient.id, doctor: s.doctor.id }) },
    'GET /api/mappings/:id': { permission: 'assignment.read', method: 'GET', path: assignment },
    'GET /api/mappings/patient/:patient_id': { permission: 'assignment.read', method: 'GET', path: () => `/api/mappings/patient/${s.patient.id}/` },
    'PUT /api/mappings/:id': { permission: 'assignment.write', method: 'PUT', path: assignment, body: () => ({ notes: 'Walked' }) },
    'PATCH /api/mappings/:id': { permission: 'assignment.write', method: 'PATCH', path: assignment, body: () => ({}) },
    'DELETE /api/mappings/:id': { permission: 'assignment.write', method: 'DELETE', path: () => '/api/mappings/999999999/' },
    'GET /api/doctors': { permission: 'doctor.read', method: 'GET', path: () => '/api/doctors/' },
    'POST /api/doctors': { permission: 'doctor.write', method: 'POST', path: () => '/api/doctors/', body: () => ({ name: 'Dr. Walk', specialization: 'Walking' }) },
    'GET /api/doctors/:id': { permission: 'doctor.read', method: 'GET', path: doctor },
    'PUT /api/doctors/:id': { permission: 'doctor.write', method: 'PUT', path: doctor, body: () => ({ name: s.doctorOf[role].name, specialization: s.doctorOf[role].specialization }) },
    'PATCH /api/doctors/:id': { permission: 'doctor.write', method: 'PATCH', path: doctor, body: () => ({}) },
    'DELETE /api/doctors/:id': { permission: 'doctor.write', method: 'DELETE', path: () => '/api/doctors/999999999/' },
    'GET /api/clinics/:id': { permission: 'clinic.read', method: 'GET', path: clinic },
    'PATCH /api/clinics/:id': { permission: 'clinic.manage', method: 'PATCH', path: clinic, body: () => ({ name: 'Walked Clinic' }) },
    'GET /api/clinics/:id/members': { permission: 'clinic.manage', method: 'GET', path: () => `${clinic()}members/` },
    'PATCH /api/clinics/:id/members/:user_id': { permission: 'clinic.manage', method: 'PATCH', path: () => `${clinic()}members/${s.clinician.id}/`, body: () => ({ role: 'clinician' }) },
    'DELETE /api/clinics/:id/members/:user_id': { permission: 'clinic.manage', method: 'DELETE', path: () => `${clinic()}members/999999999/` },
    'GET /api/clinics/:id/invitations': { permission: 'clinic.manage', method: 'GET', path: () => `${clinic()}invitations/` },
    'POST /api/clinics/:id/invitations': { permission: 'clinic.manage', method: 'POST', path: () => `${clinic()}invitations/`, body: () => ({ email: uniqueEmail(), role: 'clinician' }) },
    'DELETE /api/clinics/:id/invitations/:invitation_id': { permission: 'clinic.manage', method: 'DELETE', path: () => `${clinic()}invitations/999999999/` },
    'GET /api/clinics/:id/audit': { permission: 'clinic.audit', method: 'GET', path: () => `${clinic()}audit/` },
  }
}

describe('the permissions table', () => {
  const roles: ClinicRole[] = ['admin', 'clinician', 'front_desk']
  const tokenOf = (role: ClinicRole) => ({ admin: staff.admin, clinician: staff.clinician, front_desk: staff.frontDesk })[role].access

  it('has a probe, or a reason for none, for every route of the app', () => {
    expectEveryRoute({ ...OUTSIDE_CLINICS, ...probes() })
    expect(routeKeys().length).toBeGreaterThan(40)
  })

  for (const role of roles) {
    it(`lets ${role} do exactly what the table says on every route, and refuses the rest with an audited 403`, async () => {
      for (const [route, probe] of Object.entries(probes(role))) {
        const answer = await audited(probe.method, probe.path(), { token: tokenOf(role), body: probe.body?.() })
        const allowed = probe.permission === null || (PERMISSIONS[probe.permission] as readonly ClinicRole[]).includes(role)
        if (allowed) {
          expect({ route, status: answer.status === 403 || answer.status >= 500 }).toEqual({ route, status: false })
        } else {
          expect({ route, status: answer.status, code: answer.body?.code }).toEqual({ route, status: 403, code: 'permission_denied' })
          const [event] = await auditEventsOfRequest(answer.headers.get('x-request-id')!)
          expect({ route, event }).toMatchObject({ route, event: { action: 'access.denied', actor_role: role, outcome: 'denied' } })
        }
      }
    })
  }

  it('refuses the front desk a delete, and writes nothing', async () => {
    const patient = await createPatient(staff.admin.access, { name: 'Not Deleted' })
    const answer = await send('DELETE', `/api/patients/${patient.id}/`, { token: staff.frontDesk.access })
    expect(answer.status).toBe(403)
    expect(await patientRow(patient.id)).not.toBeNull()
  })

  it('answers a member of another clinic with no 2xx for any record of this one, and shows it nothing in lists', async () => {
    const stranger = await signedInUser({ name: 'Stranger Danger' })
    for (const [route, probe] of Object.entries(probes())) {
      if (probe.permission === null || probe.permission.startsWith('doctor.')) continue
      const answer = await audited(probe.method, probe.path(), { token: stranger.access, body: probe.body?.() })
      if (route.includes(':') || probe.method !== 'GET') {
        if (route === 'POST /api/patients') continue
        expect({ route, ok: answer.status < 300 }).toEqual({ route, ok: false })
      } else {
        expect({ route, leaked: answer.text.includes('Hannah Shared') }).toEqual({ route, leaked: false })
      }
    }
  })
})

describe('members', () => {
  let admin: SignedIn
  let clinicId: number
  let colleague: Member

  beforeAll(async () => {
    admin = await signedInUser({ name: 'Members Admin' })
    clinicId = await clinicIdOf(admin.access)
    colleague = await joinedMember(admin.access, 'clinician', { name: 'Colleague' })
  })

  it('lists the members with their roles', async () => {
    const listed = await send('GET', `/api/clinics/${clinicId}/members/`, { token: admin.access })
    expect(listed.body.results).toEqual([
      expect.objectContaining({ user_id: admin.id, role: 'admin', status: 'active', added_by: admin.id }),
      expect.objectContaining({ user_id: colleague.id, role: 'clinician', status: 'active', added_by: admin.id }),
    ])
  })

  it('changes a role, audited with the role before and after, and the member holds the new role at the next request', async () => {
    const changed = await send('PATCH', `/api/clinics/${clinicId}/members/${colleague.id}/`, { token: admin.access, body: { role: 'front_desk' } })
    expect(changed.status).toBe(200)
    expect(changed.body).toMatchObject({ user_id: colleague.id, role: 'front_desk' })
    const [event] = await auditEventsOfRequest(changed.headers.get('x-request-id')!)
    expect(event).toMatchObject({ action: 'clinic.member_update', resource_type: 'user', resource_id: colleague.id, actor_id: admin.id, actor_role: 'admin', clinic_id: clinicId })
    expect(JSON.parse(event.detail!)).toEqual({ role_before: 'clinician', role_after: 'front_desk' })
    const patient = await createPatient(admin.access, { medical_history: 'Hidden now.' })
    const read = await send('GET', `/api/patients/${patient.id}/`, { token: colleague.access })
    expect(read.status).toBe(200)
    expect(read.body).not.toHaveProperty('medical_history')
  })

  it('keeps an active admin: demoting or removing the last one is a 409 that changes nothing', async () => {
    for (const [method, body] of [['PATCH', { role: 'clinician' }], ['DELETE', undefined]] as const) {
      const answer = await send(method, `/api/clinics/${clinicId}/members/${admin.id}/`, { token: admin.access, body })
      expect(answer.status).toBe(409)
      expect(answer.body.code).toBe('conflict')
    }
    expect(await testDb.selectFrom('clinic_members').select(['role', 'status']).where('clinic_id', '=', clinicId).where('user_id', '=', admin.id).executeTakeFirst()).toEqual({
      role: 'admin',
      status: 'active',
    })
    expect(await testDb.selectFrom('audit_events').select('id').where('clinic_id', '=', clinicId).where('resource_id', '=', admin.id).where('action', 'like', 'clinic.member%').execute()).toEqual([])
  })

  it('removes a member, who loses access at their next request', async () => {
    const leaving = await joinedMember(admin.access, 'clinician')
    expect((await send('GET', '/api/patients/', { token: leaving.access })).status).toBe(200)
    const removed = await send('DELETE', `/api/clinics/${clinicId}/members/${leaving.id}/`, { token: admin.access })
    expect(removed.status).toBe(204)
    const [event] = await auditEventsOfRequest(removed.headers.get('x-request-id')!)
    expect(JSON.parse(event.detail!)).toEqual({ role_before: 'clinician', status_after: 'removed' })
    expect((await send('GET', '/api/patients/', { token: leaving.access })).status).toBe(401)
    expect((await send('POST', '/api/auth/refresh/', { body: { refresh: leaving.refresh } })).status).toBe(401)
  })

  it('filters by role and by status, and refuses a role or status it does not know', async () => {
    const owner = await signedInUser({ name: 'Filtering Admin' })
    const clinic = await clinicIdOf(owner.access)
    const clinician = await joinedMember(owner.access, 'clinician')
    const desk = await joinedMember(owner.access, 'front_desk')
    const gone = await joinedMember(owner.access, 'front_desk')
    expect((await send('DELETE', `/api/clinics/${clinic}/members/${gone.id}/`, { token: owner.access })).status).toBe(204)
    const members = async (query: string) => {
      const answer = await send('GET', `/api/clinics/${clinic}/members/?${query}`, { token: owner.access })
      expect(answer.status, query).toBe(200)
      return answer.body.results.map((member: { user_id: number; role: string; status: string }) => [member.user_id, member.role, member.status])
    }
    expect(await members('role=front_desk')).toEqual([[desk.id, 'front_desk', 'active']])
    expect(await members('role=front_desk&status=all')).toEqual([
      [desk.id, 'front_desk', 'active'],
      [gone.id, 'front_desk', 'removed'],
    ])
    expect(await members('status=removed')).toEqual([[gone.id, 'front_desk', 'removed']])
    expect(await members('role=clinician&status=')).toEqual([[clinician.id, 'clinician', 'active']])
    for (const [query, field] of [['role=doctor', 'role'], ['status=gone', 'status'], ['role=Admin', 'role']]) {
      const refused = await send('GET', `/api/clinics/${clinic}/members/?${query}`, { token: owner.access })
      expect(refused.status, query).toBe(400)
      expect(refused.body).toEqual({ error: expect.any(String), code: 'validation_error', details: { [field]: [expect.stringMatching(/^Choose one of /)] } })
    }
  })

  it('answers 404 for a clinic the token does not act in, even one the caller belongs to', async () => {
    const other = await signedInUser()
    const otherClinic = await clinicIdOf(other.access)
    expect((await send('GET', `/api/clinics/${otherClinic}/members/`, { token: admin.access })).status).toBe(404)
  })
})

describe('invitations', () => {
  let admin: SignedIn
  let clinicId: number

  beforeAll(async () => {
    admin = await signedInUser({ name: 'Inviting Admin' })
    clinicId = await clinicIdOf(admin.access)
  })

  it('shows the token once, stores only its hash, and lists pending invitations without tokens', async () => {
    const email = uniqueEmail()
    const created = await invite(admin.access, clinicId, email, 'front_desk')
    expect(created).toMatchObject({ email, role: 'front_desk', token: expect.stringMatching(/^[\w-]{43}$/), accept_url: `/console/invitations/accept#token=${created.token}` })
    const stored = await testDb.selectFrom('clinic_invitations').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow()
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(stored)).not.toContain(created.token)
    expect(Date.parse(stored.expires_at) - Date.parse(stored.created_at)).toBe(7 * 24 * 3600 * 1000)
    const pending = await send('GET', `/api/clinics/${clinicId}/invitations/`, { token: admin.access })
    expect(pending.body.results).toContainEqual(expect.objectContaining({ id: created.id, email }))
    expect(pending.text).not.toContain(created.token)
  })

  it('lets a signed-in account with that email accept it once; then switch-clinic acts there', async () => {
    const joiner = await signedInUser({ name: 'Joiner' })
    const { token } = await invite(admin.access, clinicId, joiner.email, 'clinician')
    const accepted = await send('POST', '/api/invitations/accept/', { token: joiner.access, body: { token } })
    expect(accepted.status).toBe(200)
    expect(accepted.body).toEqual({ clinic: { id: clinicId, name: expect.any(String) }, role: 'clinician' })
    const [event] = await auditEventsOfRequest(accepted.headers.get('x-request-id')!)
    expect(event).toMatchObject({ action: 'clinic.invitation_accept', actor_id: joiner.id, clinic_id: clinicId, resource_id: clinicId })
    expect((await send('POST', '/api/invitations/accept/', { token: joiner.access, body: { token } })).status).toBe(404)
    const switched = await send('POST', '/api/auth/switch-clinic/', { token: joiner.access, body: { clinic: clinicId } })
    expect(switched.status).toBe(200)
    expect(switched.body.clinic).toEqual({ clinic: { id: clinicId, name: expect.any(String) }, role: 'clinician' })
    const me = await send('GET', '/api/auth/me/', { token: switched.body.access })
    expect(me.body).toMatchObject({ clinic: { id: clinicId }, clinic_role: 'clinician' })
    expect(me.body.clinics).toHaveLength(2)
    // The refresh token of the new pair stays bound to that clinic.
    const refreshed = await send('POST', '/api/auth/refresh/', { body: { refresh: switched.body.refresh } })
    expect((await send('GET', '/api/auth/me/', { token: refreshed.body.access })).body.clinic.id).toBe(clinicId)
    // The clinic used last is the one the next login picks; another may be named.
    expect((await login(joiner.email, GOOD_PASSWORD)).clinic?.clinic.id).toBe(clinicId)
    const own = await ownClinicOf(joiner.id)
    const named = await send('POST', '/api/auth/login/', { body: { email: joiner.email, password: GOOD_PASSWORD, clinic: own } })
    expect(named.body.clinic.clinic.id).toBe(own)
  })

  it('refuses an invitation for another email, a revoked one and an unknown one with 404, joining nobody', async () => {
    const outsider = await signedInUser()
    const forSomeoneElse = await invite(admin.access, clinicId, uniqueEmail(), 'clinician')
    const revoked = await invite(admin.access, clinicId, outsider.email, 'clinician')
    expect((await send('DELETE', `/api/clinics/${clinicId}/invitations/${revoked.id}/`, { token: admin.access })).status).toBe(204)
    for (const token of [forSomeoneElse.token, revoked.token, 'not-a-real-token']) {
      expect((await send('POST', '/api/invitations/accept/', { token: outsider.access, body: { token } })).status).toBe(404)
    }
    expect(await testDb.selectFrom('clinic_members').select('user_id').where('clinic_id', '=', clinicId).where('user_id', '=', outsider.id).execute()).toEqual([])
  })

  it('lets a new account register with it and join that clinic instead of opening its own; an unusable one writes nothing', async () => {
    const email = uniqueEmail()
    const { token } = await invite(admin.access, clinicId, email, 'front_desk')
    const refused = await send('POST', '/api/auth/register/', { body: { name: 'Wrong Email', email: uniqueEmail(), password: GOOD_PASSWORD, invitation: token } })
    expect(refused.status).toBe(404)
    expect(await testDb.selectFrom('users').select('id').where('email', '=', refused.body?.email ?? '').execute()).toEqual([])
    const registered = await send('POST', '/api/auth/register/', { body: { name: 'Invited', email, password: GOOD_PASSWORD, invitation: token } })
    expect(registered.status).toBe(201)
    const signedIn = await login(email, GOOD_PASSWORD)
    expect(signedIn.clinic).toEqual({ clinic: { id: clinicId, name: expect.any(String) }, role: 'front_desk' })
    expect(await testDb.selectFrom('clinic_members').select('clinic_id').where('user_id', '=', registered.body.user.id).execute()).toEqual([{ clinic_id: clinicId }])
  })

  it('answers switch-clinic to a clinic the caller is not a member of with 404', async () => {
    const outsider = await signedInUser()
    expect((await send('POST', '/api/auth/switch-clinic/', { token: outsider.access, body: { clinic: clinicId } })).status).toBe(404)
    expect((await send('POST', '/api/auth/login/', { body: { email: outsider.email, password: GOOD_PASSWORD, clinic: clinicId } })).status).toBe(404)
  })
})

describe("a clinic's audit log", () => {
  it('shows its admins their clinic’s events only, and the read is itself on the record', async () => {
    const list = await audited('GET', `/api/clinics/${staff.clinicId}/audit/?resource=patient:${staff.patient.id}`, { token: staff.admin.access })
    expect(list.status).toBe(200)
    expect(list.body.results.length).toBeGreaterThan(0)
    expect(list.body.results.every((event: { clinic_id: number }) => event.clinic_id === staff.clinicId)).toBe(true)
    const [read] = await auditEventsOfRequest(list.headers.get('x-request-id')!)
    expect(read).toMatchObject({ action: 'clinic.audit_read', actor_id: staff.admin.id, clinic_id: staff.clinicId })
  })

  it("names each event's actor, and no patient", async () => {
    const list = await audited('GET', `/api/clinics/${staff.clinicId}/audit/?resource=patient:${staff.patient.id}`, { token: staff.admin.access })
    const names = { [staff.admin.id]: 'Clinic Admin', [staff.clinician.id]: 'Carla Clinician', [staff.frontDesk.id]: 'Fred Frontdesk' }
    const actors = list.body.results.map((event: { actor_id: number; actor_name: string }) => [event.actor_name, names[event.actor_id]])
    expect(actors).toContainEqual(['Carla Clinician', 'Carla Clinician'])
    expect(actors.every(([name, expected]: string[]) => name === expected)).toBe(true)
    expect(list.text).not.toContain(staff.patient.name)
  })
})
