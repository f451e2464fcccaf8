import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { call, createPatient, GOOD_PASSWORD, login, signedInUser } from './helpers'

async function signedInAdmin() {
  const user = await signedInUser({ name: 'Ada Admin' })
  await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(user.id).run()
  return user
}

const userRow = (id: number) => env.DB.prepare('SELECT role, is_active FROM users WHERE id = ?').bind(id).first<{ role: string; is_active: number }>()
const liveRefreshTokens = async (id: number) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM refresh_tokens WHERE user_id = ? AND revoked_at IS NULL').bind(id).first<{ n: number }>())!.n

describe('GET /api/admin/users/', () => {
  it('lists and searches accounts for an admin, with role and state', async () => {
    const admin = await signedInAdmin()
    const target = await signedInUser({ name: 'Searchable Sam' })
    const response = await call('GET', `/api/admin/users/?search=${encodeURIComponent('searchable sam')}`, { token: admin.access })
    expect(response.status).toBe(200)
    expect(response.body.results).toEqual([{ ...target.user, role: 'user', is_active: true }])
    const all = await call('GET', '/api/admin/users/?page_size=1', { token: admin.access })
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
      const response = await call(method, path, { token: user.access, body })
      expect(response.status).toBe(403)
      expect(response.body.code).toBe('permission_denied')
    }
    expect(await userRow(user.id)).toEqual({ role: 'user', is_active: 1 })
  })
})

describe('PATCH /api/admin/users/{id}/', () => {
  it('promotes a user, audited', async () => {
    const admin = await signedInAdmin()
    const target = await signedInUser()
    const response = await call('PATCH', `/api/admin/users/${target.id}/`, { token: admin.access, body: { role: 'admin' } })
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ ...target.user, role: 'admin', is_active: true })
    expect(await userRow(target.id)).toEqual({ role: 'admin', is_active: 1 })
    const audit = await env.DB.prepare("SELECT * FROM audit_events WHERE action = 'admin.user_update' AND resource_id = ?").bind(target.id).all()
    expect(audit.results).toEqual([expect.objectContaining({ actor_id: admin.id, outcome: 'ok', resource_type: 'user' })])
  })

  it('deactivates a user: no login, refresh tokens revoked, access tokens dead at the next request', async () => {
    const admin = await signedInAdmin()
    const target = await signedInUser()
    await createPatient(target.access)
    const response = await call('PATCH', `/api/admin/users/${target.id}`, { token: admin.access, body: { is_active: false } })
    expect(response.status).toBe(200)
    expect(response.body.is_active).toBe(false)
    expect(await liveRefreshTokens(target.id)).toBe(0)
    const stale = await call('GET', '/api/patients/', { token: target.access })
    expect(stale.status).toBe(401)
    expect(stale.body.code).toBe('token_not_valid')
    const write = await call('POST', '/api/patients/', { token: target.access, body: { name: 'Ghost', date_of_birth: '2000-01-01', gender: 'other' } })
    expect(write.status).toBe(401)
    const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM patients WHERE name = 'Ghost' AND created_by = ?").bind(target.id).first<{ n: number }>())!
    expect(n).toBe(0)
    const refused = await call('POST', '/api/auth/login/', { body: { email: target.email, password: GOOD_PASSWORD } })
    expect(refused.status).toBe(401)
    expect(refused.body.code).toBe('invalid_credentials')
    expect((await call('POST', '/api/auth/refresh/', { body: { refresh: target.refresh } })).status).toBe(401)

    await call('PATCH', `/api/admin/users/${target.id}/`, { token: admin.access, body: { is_active: true } })
    expect((await login(target.email, GOOD_PASSWORD)).access).toEqual(expect.any(String))
  })

  it('refuses changes to oneself, unknown fields and missing users', async () => {
    const admin = await signedInAdmin()
    expect((await call('PATCH', `/api/admin/users/${admin.id}/`, { token: admin.access, body: { role: 'user' } })).status).toBe(400)
    expect(await userRow(admin.id)).toEqual({ role: 'admin', is_active: 1 })
    const unknown = await call('PATCH', `/api/admin/users/${admin.id}/`, { token: admin.access, body: { password: 'x' } })
    expect(unknown.status).toBe(400)
    expect(Object.keys(unknown.body.details)).toEqual(['password'])
    expect((await call('PATCH', '/api/admin/users/99999999/', { token: admin.access, body: { is_active: false } })).status).toBe(404)
  })
})

describe('GET /api/admin/audit/', () => {
  it('filters by actor, action, resource and time, newest first', async () => {
    const admin = await signedInAdmin()
    const target = await signedInUser()
    await call('PATCH', `/api/admin/users/${target.id}/`, { token: admin.access, body: { role: 'admin' } })
    await call('PATCH', `/api/admin/users/${target.id}/`, { token: admin.access, body: { role: 'user' } })
    const response = await call('GET', `/api/admin/audit/?actor=${admin.id}&action=admin.*&resource=user:${target.id}&since=2000-01-01T00:00:00Z`, { token: admin.access })
    expect(response.status).toBe(200)
    expect(response.body.count).toBe(2)
    expect(response.body.results[0].id).toBeGreaterThan(response.body.results[1].id)
    expect(response.body.results[0]).toMatchObject({ action: 'admin.user_update', actor_id: admin.id, resource_type: 'user', resource_id: target.id, outcome: 'ok' })
    const future = await call('GET', `/api/admin/audit/?actor=${admin.id}&since=2999-01-01T00:00:00Z`, { token: admin.access })
    expect(future.body.count).toBe(0)
    const logins = await call('GET', `/api/admin/audit/?action=auth.login&resource=user:${target.id}`, { token: admin.access })
    expect(logins.body.results).toEqual([expect.objectContaining({ actor_id: target.id, outcome: 'ok' })])
  })

  it('refuses malformed filters', async () => {
    const admin = await signedInAdmin()
    for (const query of ['since=yesterday', 'action=DROP TABLE', 'resource=patient:abc', 'actor=-1']) {
      const response = await call('GET', `/api/admin/audit/?${query}`, { token: admin.access })
      expect(response.status).toBe(400)
    }
  })
})

describe('POST /api/auth/change-password/', () => {
  it('changes the password and revokes every refresh token', async () => {
    const user = await signedInUser()
    const response = await call('POST', '/api/auth/change-password/', { token: user.access, body: { old_password: GOOD_PASSWORD, new_password: 'Another-Kettle-77' } })
    expect(response.status).toBe(204)
    expect(await liveRefreshTokens(user.id)).toBe(0)
    expect((await call('POST', '/api/auth/login/', { body: { email: user.email, password: GOOD_PASSWORD } })).status).toBe(401)
    expect((await login(user.email, 'Another-Kettle-77')).access).toEqual(expect.any(String))
    const audit = await env.DB.prepare("SELECT * FROM audit_events WHERE action = 'auth.password_change' AND resource_id = ?").bind(user.id).all()
    expect(audit.results).toHaveLength(1)
  })

  it('refuses a wrong old password and a new one against the policy, changing nothing', async () => {
    const user = await signedInUser()
    const before = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?').bind(user.id).first()
    const wrongOld = await call('POST', '/api/auth/change-password/', { token: user.access, body: { old_password: 'Not-The-One-1', new_password: 'Another-Kettle-77' } })
    expect(wrongOld.status).toBe(400)
    expect(Object.keys(wrongOld.body.details)).toEqual(['old_password'])
    for (const weak of ['short', 'password1', '1234567890']) {
      const response = await call('POST', '/api/auth/change-password/', { token: user.access, body: { old_password: GOOD_PASSWORD, new_password: weak } })
      expect(response.status).toBe(400)
      expect(Object.keys(response.body.details)).toEqual(['new_password'])
    }
    expect(await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?').bind(user.id).first()).toEqual(before)
    expect(await liveRefreshTokens(user.id)).toBe(1)
  })
})
