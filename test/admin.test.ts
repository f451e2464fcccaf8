import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { adminAccountSql } from '../scripts/admin-account.mjs'
import { hashPassword } from '../src/auth/password'
import { auditEventsFor, liveRefreshTokens, patientsOf, testDb, userByEmail, userRow as fullUserRow } from './db'
import { createPatient, GOOD_PASSWORD, login, send, signedInAdmin, signedInUser, uniqueEmail } from './helpers'

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
    expect(response.body.results).toEqual([{ ...target.user, role: 'user', is_active: true }])
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
    expect(response.body).toEqual({ ...target.user, role: 'admin', is_active: true })
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
