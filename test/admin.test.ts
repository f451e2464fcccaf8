import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { adminAccountSql } from '../scripts/admin-account.mjs'
import { hashPassword } from '../src/auth/password'
import { utcTextAt } from '../src/core/clock'
import { auditEventsFor, liveRefreshTokens, loginAttempts, patientsOf, testDb, userByEmail, userRow as fullUserRow } from './db'
import { clinicIdOf, createPatient, GOOD_PASSWORD, login, randomIp, registerUser, send, signedInAdmin, signedInUser, uniqueEmail } from './helpers'

/** No lock: what every account's lockout fields say until it fails to sign in. */
const UNLOCKED = { locked_until: null, locked_everywhere: false }

const loginFrom = (ip: string, email: string, password: string) => send('POST', '/api/auth/login/', { headers: { 'cf-connecting-ip': ip }, body: { email, password } })

/** Fails `times` logins of `email` from one address, as a guesser would. */
async function failLogins(email: string, ip: string, times: number) {
  for (let index = 0; index < times; index++) expect((await loginFrom(ip, email, 'Wrong-Password-9')).status).toBe(401)
}

/** The accounts an admin's list answers for `query`, as `[id, ...fields]` rows. */
async function listed(admin: { access: string }, query: string) {
  const response = await send('GET', `/api/admin/users/?${query}`, { token: admin.access })
  expect(response.status, query).toBe(200)
  return response.body.results.map((user: { id: number; role: string; is_active: boolean; locked_until: string | null }) => [user.id, user.role, user.is_active, user.locked_until !== null])
}

/** The two columns an administrator changes. */
const userRow = async (id: number) => {
  const row = await fullUserRow(id)
  return row && { role: row.role, is_active: row.is_active }
}

describe('GET /api/admin/users/', () => {
  it('lists and searches accounts for an admin, with role and state', async () => {
    const admin = await signedInAdmin()
    const target = await signedInUser({ name: 'Searchable Sam' })
    const response = await send('GET', `/api/admin/users/?search=${encodeURIComponent('searchable sam')}`, { token: admin.access })
    expect(response.status).toBe(200)
    expect(response.body.results).toEqual([{ ...target.user, role: 'user', is_active: true, ...UNLOCKED }])
    const all = await send('GET', '/api/admin/users/?page_size=1', { token: admin.access })
    expect(all.body.count).toBeGreaterThanOrEqual(2)
    expect(all.body.next).toContain('page=2')
  })

  it('refuses everyone else with 403', async () => {
    const user = await signedInUser()
    for (const [method, path, body] of [
      ['GET', '/api/admin/users/', undefined],
      ['GET', '/api/admin/audit/', undefined],
      ['PATCH', `/api/admin/users/${user.id}/`, { role: 'admin' }],
    ] as const) {
      const response = await send(method, path, { token: user.access, body })
      expect(response.status).toBe(403)
      expect(response.body.code).toBe('permission_denied')
    }
    expect(await userRow(user.id)).toEqual({ role: 'user', is_active: 1 })
  })
})

describe('the lockout on GET /api/admin/users/ and /api/admin/users/{id}/', () => {
  it('shows a lock from failed logins until its end, for that network only, and null once unlocked', async () => {
    const admin = await signedInAdmin()
    const target = await registerUser()
    const ip = randomIp()
    const before = Math.floor(Date.now() / 1000)
    await failLogins(target.email, ip, 9)
    expect((await send('GET', `/api/admin/users/${target.user.id}/`, { token: admin.access })).body).toMatchObject(UNLOCKED)
    await failLogins(target.email, ip, 1)
    const after = Math.floor(Date.now() / 1000)
    expect((await loginFrom(ip, target.email, target.password)).status).toBe(429)

    const locked = await send('GET', `/api/admin/users/?status=locked&search=${encodeURIComponent(target.email)}`, { token: admin.access })
    expect(locked.status).toBe(200)
    expect(locked.body).toMatchObject({ count: 1, results: [{ id: target.user.id, is_active: true, locked_everywhere: false }] })
    // The lock ends 15 minutes after the first of the ten failures.
    const ends = Date.parse(locked.body.results[0].locked_until) / 1000
    expect(ends).toBeGreaterThanOrEqual(before + 15 * 60)
    expect(ends).toBeLessThanOrEqual(after + 15 * 60)
    const one = await send('GET', `/api/admin/users/${target.user.id}/`, { token: admin.access })
    expect(one.status).toBe(200)
    expect(one.body).toEqual(locked.body.results[0])

    expect((await send('POST', `/api/admin/users/${target.user.id}/unlock/`, { token: admin.access })).status).toBe(204)
    expect(await loginAttempts(target.email)).toBe(0)
    expect((await send('GET', `/api/admin/users/?status=locked&search=${encodeURIComponent(target.email)}`, { token: admin.access })).body).toMatchObject({ count: 0, results: [] })
    expect((await send('GET', `/api/admin/users/${target.user.id}/`, { token: admin.access })).body).toEqual({ ...target.user, role: 'user', is_active: true, ...UNLOCKED })
    expect((await loginFrom(ip, target.email, target.password)).status).toBe(200)
  })

  it('says when the account is locked everywhere: 100 failures within the hour, from any networks', async () => {
    const admin = await signedInAdmin()
    const target = await registerUser()
    const now = Math.floor(Date.now() / 1000)
    await env.DB.batch(
      Array.from({ length: 100 }, (_, index) =>
        env.DB.prepare('INSERT INTO login_attempts (account, network, attempted_at) VALUES (?, ?, ?)').bind(target.email, `192.0.2.${index}`, now - 30 * index),
      ),
    )
    const answer = await send('GET', `/api/admin/users/${target.user.id}/`, { token: admin.access })
    // The oldest of the hundred leaves the hour's window at its end.
    expect(answer.body).toMatchObject({ locked_everywhere: true, locked_until: utcTextAt(now - 30 * 99 + 60 * 60) })
    expect((await loginFrom(randomIp(), target.email, target.password)).status).toBe(429)
  })

  it('refuses everyone else with 403, and an unknown account with 404', async () => {
    const user = await signedInUser()
    const refused = await send('GET', `/api/admin/users/${user.id}/`, { token: user.access })
    expect(refused.status).toBe(403)
    expect(refused.body.code).toBe('permission_denied')
    const admin = await signedInAdmin()
    expect((await send('GET', '/api/admin/users/99999999/', { token: admin.access })).status).toBe(404)
  })
})

describe('the role and status filters of GET /api/admin/users/', () => {
  it('filter by platform role, by active or inactive, and by a lock holding now, together with the search', async () => {
    const admin = await signedInAdmin()
    const tag = `Filtered ${crypto.randomUUID().slice(0, 8)}`
    const plain = await signedInUser({ name: `${tag} Plain` })
    const promoted = await signedInUser({ name: `${tag} Promoted` })
    const deactivated = await signedInUser({ name: `${tag} Deactivated` })
    const locked = await signedInUser({ name: `${tag} Locked` })
    expect((await send('PATCH', `/api/admin/users/${promoted.id}/`, { token: admin.access, body: { role: 'admin' } })).status).toBe(200)
    expect((await send('PATCH', `/api/admin/users/${deactivated.id}/`, { token: admin.access, body: { is_active: false } })).status).toBe(200)
    await failLogins(locked.email, randomIp(), 10)
    const search = `search=${encodeURIComponent(tag)}`
    expect(await listed(admin, search)).toHaveLength(4)
    expect(await listed(admin, `${search}&role=admin`)).toEqual([[promoted.id, 'admin', true, false]])
    expect(await listed(admin, `${search}&status=inactive`)).toEqual([[deactivated.id, 'user', false, false]])
    expect(await listed(admin, `${search}&status=active&role=user`)).toEqual([
      [locked.id, 'user', true, true],
      [plain.id, 'user', true, false],
    ])
    expect(await listed(admin, `${search}&status=locked`)).toEqual([[locked.id, 'user', true, true]])
    // A cleared filter form sends empty values: no filter.
    expect(await listed(admin, `${search}&status=&role=`)).toHaveLength(4)
    const page = await send('GET', `/api/admin/users/?${search}&status=active&page_size=1`, { token: admin.access })
    expect(page.body.count).toBe(3)
    expect(page.body.next).toContain('status=active')
  })

  it('refuses a role or status it does not know with the 400 envelope, naming the field', async () => {
    const admin = await signedInAdmin()
    for (const [query, field, message] of [
      ['status=stuck', 'status', 'Choose one of active, inactive, locked.'],
      ['status=LOCKED', 'status', 'Choose one of active, inactive, locked.'],
      ['role=superuser', 'role', 'Choose one of user, admin.'],
      ['role=front_desk', 'role', 'Choose one of user, admin.'],
    ]) {
      const response = await send('GET', `/api/admin/users/?${query}`, { token: admin.access })
      expect(response.status, query).toBe(400)
      expect(response.body).toEqual({ error: expect.any(String), code: 'validation_error', details: { [field]: [message] } })
    }
  })
})

describe('PATCH /api/admin/users/{id}/', () => {
  it('records each change with the fields it changed and their old and new values', async () => {
    const admin = await signedInAdmin()
    const target = await signedInUser()
    for (const body of [{ role: 'admin' }, { is_active: false }, { is_active: true, role: 'user' }]) {
      expect((await send('PATCH', `/api/admin/users/${target.id}/`, { token: admin.access, body })).status).toBe(200)
    }
    const events = await auditEventsFor('admin.user_update', target.id)
    expect(events.map((event) => [event.actor_id, event.outcome, JSON.parse(event.detail!)])).toEqual([
      [admin.id, 'ok', { changes: { role: { old: 'user', new: 'admin' } } }],
      [admin.id, 'ok', { changes: { is_active: { old: true, new: false } } }],
      [admin.id, 'ok', { changes: { role: { old: 'admin', new: 'user' }, is_active: { old: false, new: true } } }],
    ])
    expect(await userRow(target.id)).toEqual({ role: 'user', is_active: 1 })
  })

  it('promotes a user, audited', async () => {
    const admin = await signedInAdmin()
    const target = await signedInUser()
    const response = await send('PATCH', `/api/admin/users/${target.id}/`, { token: admin.access, body: { role: 'admin' } })
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ ...target.user, role: 'admin', is_active: true, ...UNLOCKED })
    expect(await userRow(target.id)).toEqual({ role: 'admin', is_active: 1 })
    expect(await auditEventsFor('admin.user_update', target.id)).toEqual([expect.objectContaining({ actor_id: admin.id, outcome: 'ok', resource_type: 'user' })])
  })

  it('deactivates a user: no login, refresh tokens revoked, access tokens dead at the next request', async () => {
    const admin = await signedInAdmin()
    const target = await signedInUser()
    await createPatient(target.access)
    const response = await send('PATCH', `/api/admin/users/${target.id}`, { token: admin.access, body: { is_active: false } })
    expect(response.status).toBe(200)
    expect(response.body.is_active).toBe(false)
    expect(await liveRefreshTokens(target.id)).toBe(0)
    const stale = await send('GET', '/api/patients/', { token: target.access })
    expect(stale.status).toBe(401)
    expect(stale.body.code).toBe('token_not_valid')
    const write = await send('POST', '/api/patients/', { token: target.access, body: { name: 'Ghost', date_of_birth: '2000-01-01', gender: 'other' } })
    expect(write.status).toBe(401)
    expect((await patientsOf(target.id)).map((patient) => patient.name)).not.toContain('Ghost')
    const refused = await send('POST', '/api/auth/login/', { body: { email: target.email, password: GOOD_PASSWORD } })
    expect(refused.status).toBe(401)
    expect(refused.body.code).toBe('invalid_credentials')
    expect((await send('POST', '/api/auth/refresh/', { body: { refresh: target.refresh } })).status).toBe(401)

    await send('PATCH', `/api/admin/users/${target.id}/`, { token: admin.access, body: { is_active: true } })
    expect((await login(target.email, GOOD_PASSWORD)).access).toEqual(expect.any(String))
  })

  it("refuses a non-admin's deactivation before it revokes anything: the target keeps its sessions", async () => {
    const user = await signedInUser()
    const target = await signedInUser()
    expect(await liveRefreshTokens(target.id)).toBe(1)
    const response = await send('PATCH', `/api/admin/users/${target.id}/`, { token: user.access, body: { is_active: false } })
    expect(response.status).toBe(403)
    expect(response.body.code).toBe('permission_denied')
    expect(await liveRefreshTokens(target.id)).toBe(1)
    expect(await userRow(target.id)).toEqual({ role: 'user', is_active: 1 })
    expect(await auditEventsFor('admin.user_update', target.id)).toEqual([])
    expect((await send('POST', '/api/auth/refresh/', { body: { refresh: target.refresh } })).status).toBe(200)
  })

  it('refuses changes to oneself, unknown fields and missing users', async () => {
    const admin = await signedInAdmin()
    expect((await send('PATCH', `/api/admin/users/${admin.id}/`, { token: admin.access, body: { role: 'user' } })).status).toBe(400)
    expect(await userRow(admin.id)).toEqual({ role: 'admin', is_active: 1 })
    const unknown = await send('PATCH', `/api/admin/users/${admin.id}/`, { token: admin.access, body: { password: 'x' } })
    expect(unknown.status).toBe(400)
    expect(Object.keys(unknown.body.details)).toEqual(['password'])
    expect((await send('PATCH', '/api/admin/users/99999999/', { token: admin.access, body: { is_active: false } })).status).toBe(404)
  })
})

describe('GET /api/admin/audit/', () => {
  it('filters by actor, action, resource and time, newest first', async () => {
    const admin = await signedInAdmin()
    const target = await signedInUser()
    await send('PATCH', `/api/admin/users/${target.id}/`, { token: admin.access, body: { role: 'admin' } })
    await send('PATCH', `/api/admin/users/${target.id}/`, { token: admin.access, body: { role: 'user' } })
    const response = await send('GET', `/api/admin/audit/?actor=${admin.id}&action=admin.*&resource=user:${target.id}&since=2000-01-01T00:00:00Z`, { token: admin.access })
    expect(response.status).toBe(200)
    expect(response.body.count).toBe(2)
    expect(response.body.results[0].id).toBeGreaterThan(response.body.results[1].id)
    expect(response.body.results[0]).toMatchObject({ action: 'admin.user_update', actor_id: admin.id, resource_type: 'user', resource_id: target.id, outcome: 'ok' })
    const future = await send('GET', `/api/admin/audit/?actor=${admin.id}&since=2999-01-01T00:00:00Z`, { token: admin.access })
    expect(future.body.count).toBe(0)
    const logins = await send('GET', `/api/admin/audit/?action=auth.login&resource=user:${target.id}`, { token: admin.access })
    expect(logins.body.results).toEqual([expect.objectContaining({ actor_id: target.id, outcome: 'ok' })])
  })

  it('answers an action family filter of any length up to 128 characters, with _ taken literally', async () => {
    const admin = await signedInAdmin()
    const target = await signedInUser()
    await send('PATCH', `/api/admin/users/${target.id}/`, { token: admin.access, body: { role: 'admin' } })
    const family = async (action: string) => {
      const response = await send('GET', `/api/admin/audit/?actor=${admin.id}&action=${action}`, { token: admin.access })
      expect(response.status, action).toBe(200)
      return response.body.results.map((event: { action: string }) => event.action)
    }
    expect(await family('admin.*')).toEqual(['admin.user_update'])
    expect(await family('a_min.*')).toEqual([])
    expect(await family(`${'a'.repeat(100)}.*`)).toEqual([])
    expect(await family(`${'_'.repeat(60)}.*`)).toEqual([])
  })

  it('answers an account search up to the 100-character maximum against an account it matches', async () => {
    const admin = await signedInAdmin()
    const name = 'Searchable%_Account '.repeat(6).trim()
    const target = await signedInUser({ name })
    for (const term of [name.slice(0, 100).toUpperCase(), '%'.repeat(100)]) {
      const response = await send('GET', `/api/admin/users/?search=${encodeURIComponent(term)}`, { token: admin.access })
      expect(response.status, `a search of ${term.length} characters`).toBe(200)
      expect(response.body.results.map((user: { id: number }) => user.id)).toEqual(term === '%'.repeat(100) ? [] : [target.id])
    }
  })

  it("finds one request's events by the server's request id or by the X-Request-Id the client sent", async () => {
    const admin = await signedInAdmin()
    const user = await signedInUser()
    const ticket = `ticket-${crypto.randomUUID()}`
    const created = await send('POST', '/api/patients/', { token: user.access, headers: { 'x-request-id': ticket }, body: { name: 'Ticketed', date_of_birth: '1980-01-01', gender: 'other' } })
    expect(created.status).toBe(201)
    await send('POST', '/api/patients/', { token: user.access, body: { name: 'Other Request', date_of_birth: '1980-01-01', gender: 'other' } })
    const byClient = await send('GET', `/api/admin/audit/?client_request_id=${ticket}`, { token: admin.access })
    expect(byClient.status).toBe(200)
    expect(byClient.body).toMatchObject({ count: 1, results: [{ action: 'patient.create', resource_id: created.body.id, client_request_id: ticket, actor_id: user.id }] })
    const serverId = byClient.body.results[0].request_id
    const byServer = await send('GET', `/api/admin/audit/?request_id=${serverId}`, { token: admin.access })
    expect(byServer.body).toMatchObject({ count: 1, results: [{ id: byClient.body.results[0].id, request_id: serverId }] })
    const none = await send('GET', `/api/admin/audit/?request_id=${crypto.randomUUID()}`, { token: admin.access })
    expect(none.body).toMatchObject({ count: 0, results: [] })
  })

  it("names each event's actor, and never a patient: the trail spans clinics the admin is not in", async () => {
    const admin = await signedInAdmin({ name: 'Trail Reader' })
    const clinician = await signedInUser({ name: 'Named Actor' })
    const patient = await createPatient(clinician.access, { name: 'Unmistakable Patientname' })
    const changed = await send('PATCH', `/api/patients/${patient.id}/`, { token: clinician.access, body: { phone_number: '+15550001234' } })
    expect(changed.status).toBe(200)
    const response = await send('GET', `/api/admin/audit/?resource=patient:${patient.id}`, { token: admin.access })
    expect(response.status).toBe(200)
    expect(response.body.results.map((event: { action: string; actor_id: number; actor_name: string }) => [event.action, event.actor_id, event.actor_name])).toEqual([
      ['patient.update', clinician.id, 'Named Actor'],
      ['patient.create', clinician.id, 'Named Actor'],
    ])
    expect(response.body.results[0]).toMatchObject({ resource_type: 'patient', resource_id: patient.id, clinic_id: await clinicIdOf(clinician.access) })
    expect(response.text).not.toContain('Unmistakable')
    expect(Object.keys(response.body.results[0]).sort()).toEqual(
      ['id', 'occurred_at', 'actor_id', 'actor_name', 'action', 'resource_type', 'resource_id', 'outcome', 'request_id', 'client_ip', 'client_request_id', 'event_id', 'detail', 'clinic_id', 'actor_role'].sort(),
    )
    // The admin's own reads of the trail are named too.
    const own = await send('GET', `/api/admin/audit/?actor=${admin.id}&action=admin.user_update`, { token: admin.access })
    expect(own.body).toMatchObject({ count: 0 })
    const target = await signedInUser()
    await send('PATCH', `/api/admin/users/${target.id}/`, { token: admin.access, body: { role: 'admin' } })
    const named = await send('GET', `/api/admin/audit/?actor=${admin.id}&action=admin.user_update`, { token: admin.access })
    expect(named.body.results).toEqual([expect.objectContaining({ actor_id: admin.id, actor_name: 'Trail Reader', resource_type: 'user', resource_id: target.id })])
  })

  it('refuses malformed filters', async () => {
    const admin = await signedInAdmin()
    for (const query of ['since=yesterday', 'action=DROP TABLE', 'resource=patient:abc', 'actor=-1', 'request_id=a%20b', `client_request_id=${'x'.repeat(256)}`]) {
      const response = await send('GET', `/api/admin/audit/?${query}`, { token: admin.access })
      expect(response.status).toBe(400)
    }
  })
})

describe('POST /api/auth/change-password/', () => {
  it('changes the password and revokes every refresh token', async () => {
    const user = await signedInUser()
    const response = await send('POST', '/api/auth/change-password/', { token: user.access, body: { old_password: GOOD_PASSWORD, new_password: 'Another-Kettle-77' } })
    expect(response.status).toBe(204)
    expect(await liveRefreshTokens(user.id)).toBe(0)
    expect((await send('POST', '/api/auth/login/', { body: { email: user.email, password: GOOD_PASSWORD } })).status).toBe(401)
    expect((await login(user.email, 'Another-Kettle-77')).access).toEqual(expect.any(String))
    expect(await auditEventsFor('auth.password_change', user.id)).toMatchObject([{ actor_id: user.id, outcome: 'ok' }])
  })

  it('refuses a wrong old password and a new one against the policy, changing nothing', async () => {
    const user = await signedInUser()
    const before = (await fullUserRow(user.id))!.password_hash
    const wrongOld = await send('POST', '/api/auth/change-password/', { token: user.access, body: { old_password: 'Not-The-One-1', new_password: 'Another-Kettle-77' } })
    expect(wrongOld.status).toBe(400)
    expect(Object.keys(wrongOld.body.details)).toEqual(['old_password'])
    for (const weak of ['short', 'password1', '1234567890']) {
      const response = await send('POST', '/api/auth/change-password/', { token: user.access, body: { old_password: GOOD_PASSWORD, new_password: weak } })
      expect(response.status).toBe(400)
      expect(Object.keys(response.body.details)).toEqual(['new_password'])
    }
    expect((await fullUserRow(user.id))!.password_hash).toBe(before)
    expect(await liveRefreshTokens(user.id)).toBe(1)
  })
})

describe('npm run create-admin (its SQL, run as wrangler runs it)', () => {
  const run = async (account: { name: string; email: string; password: string }) => {
    const sql = adminAccountSql({ ...account, hash: await hashPassword(account.password, 1000), runId: crypto.randomUUID() })
    let rows: unknown[] = []
    for (const statement of sql.split('\n')) rows = (await env.DB.prepare(statement).all()).results
    return rows
  }

  it('says whether it created or promoted the account, audits it without the password, and refuses a common password', async () => {
    const email = uniqueEmail('ops')
    expect(await run({ name: 'Ops Admin', email, password: 'Long-Enough-Kettle-42' })).toEqual([{ account: 'created' }])
    const created = await userByEmail(email)
    expect(created).toMatchObject({ role: 'admin', is_active: 1, token_generation: 0 })
    expect(await run({ name: 'Ops Admin', email, password: '1qaz2wsx3edc' })).toEqual([])
    expect((await userByEmail(email))!.password_hash).toBe(created!.password_hash)
    await testDb.updateTable('users').set({ role: 'user', is_active: 0 }).where('id', '=', created!.id).execute()
    expect(await run({ name: 'Ops Admin', email, password: 'Another-Long-Kettle-43' })).toEqual([{ account: 'promoted' }])
    expect(await userByEmail(email)).toMatchObject({ role: 'admin', is_active: 1, token_generation: 1 })
    const events = await auditEventsFor('admin.create_admin', created!.id)
    expect(events.map((event) => [event.actor_id, event.outcome, JSON.parse(event.detail!)])).toEqual([
      [null, 'ok', { account: 'created', changes: { role: 'admin', is_active: true, password: 'set' } }],
      [null, 'ok', { account: 'promoted', changes: { role: 'admin', is_active: true, password: 'set' } }],
    ])
    expect(events.map((event) => event.detail).join()).not.toMatch(/Kettle|pbkdf2/)
  })
})
