import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import app from '../src/app'
import { BASE, call, GOOD_PASSWORD, randomIp, registerUser, signedInUser, uniqueEmail } from './helpers'

/** Sends `count` requests one after another and returns their statuses. */
async function statuses(count: number, send: (index: number) => Promise<{ status: number }>): Promise<number[]> {
  const result: number[] = []
  for (let index = 0; index < count; index++) result.push((await send(index)).status)
  return result
}

/**
 * Drives one limiter key past its limit. Limiters count in fixed windows, so a burst may straddle
 * two of them: `limit` requests are never refused, and 2 × limit + 1 requests within two windows
 * are always refused at least once.
 */
async function overLimit(limit: number, send: () => Promise<{ status: number }>, parallel = 1): Promise<number[]> {
  const result: number[] = []
  while (result.length < 2 * limit + 1) {
    const size = Math.min(parallel, 2 * limit + 1 - result.length)
    result.push(...(await Promise.all(Array.from({ length: size }, send))).map((response) => response.status))
  }
  expect(result.slice(0, limit)).not.toContain(429)
  expect(result).toContain(429)
  return result
}

const auditRows = (action: string, resourceId: number) =>
  env.DB.prepare('SELECT * FROM audit_events WHERE action = ? AND resource_id = ?').bind(action, resourceId).all<Record<string, unknown>>()

describe('rate limits', () => {
  it('limits logins per client IP, and not other IPs', async () => {
    const ip = randomIp()
    const login = () => call('POST', '/api/auth/login/', { headers: { 'cf-connecting-ip': ip }, body: { email: uniqueEmail(), password: 'whatever-123' } })
    await overLimit(20, login)
    const refused = await login()
    expect(refused.status).toBe(429)
    expect(refused.body).toEqual({ error: expect.any(String), code: 'rate_limited' })
    expect(refused.headers.get('retry-after')).toBe('60')
    const otherIp = await call('POST', '/api/auth/login/', { body: { email: uniqueEmail(), password: 'whatever-123' } })
    expect(otherIp.status).toBe(401)
  })

  it('refuses floods of one email from one network, and not that email from elsewhere', async () => {
    const email = uniqueEmail('target')
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`
    // Many addresses of one IPv6 /64: one network. The lockout answers 429 first (after 10), the limiters after 20.
    const flood = await statuses(25, () =>
      call('POST', '/api/auth/login/', { headers: { 'cf-connecting-ip': `${prefix}::${Math.floor(Math.random() * 0xffff).toString(16)}` }, body: { email, password: 'whatever-123' } }),
    )
    expect(flood.slice(0, 10)).toEqual(Array(10).fill(401))
    expect(flood.slice(10)).toEqual(Array(15).fill(429))
    expect((await call('POST', '/api/auth/login/', { body: { email, password: 'whatever-123' } })).status).toBe(401)
  })

  it('limits registrations per client IP', async () => {
    const ip = randomIp()
    const register = () => call('POST', '/api/auth/register/', { headers: { 'cf-connecting-ip': ip }, body: { name: 'Flood', email: uniqueEmail('flood'), password: GOOD_PASSWORD } })
    const results = await overLimit(10, register)
    expect(results.filter((status) => status !== 429)).toEqual(Array(results.filter((status) => status !== 429).length).fill(201))
    expect((await call('POST', '/api/auth/register/', { body: { name: 'Other', email: uniqueEmail(), password: GOOD_PASSWORD } })).status).toBe(201)
  })

  it('limits refreshes per client IP', async () => {
    const ip = randomIp()
    await overLimit(30, () => call('POST', '/api/auth/refresh/', { headers: { 'cf-connecting-ip': ip }, body: { refresh: 'not-a-token' } }))
  })

  it('limits API requests per user, and not other users', async () => {
    const busy = await signedInUser()
    const calm = await signedInUser()
    const me = (access: string) =>
      app.request(`${BASE}/api/auth/me/`, { headers: { authorization: `Bearer ${access}` } }, { ...env, API_USER_LIMITER: env.SMALL_LIMITER })
    const statuses = await overLimit(5, async () => {
      const response = await me(busy.access)
      await response.arrayBuffer()
      return response
    })
    expect(statuses.filter((status) => status !== 429)).toEqual(Array(statuses.filter((status) => status !== 429).length).fill(200))
    const other = await me(calm.access)
    expect(other.status).toBe(200)
    await other.arrayBuffer()
  })
})

describe('account lockout after failed logins', () => {
  it('refuses even the right password after 10 failures from one network, and audits it', async () => {
    const { email, password, user } = await registerUser()
    const headers = { 'cf-connecting-ip': randomIp() }
    const failures = await statuses(10, () => call('POST', '/api/auth/login/', { headers, body: { email, password: 'Wrong-Password-9' } }))
    expect(failures).toEqual(Array(10).fill(401))
    const locked = await call('POST', '/api/auth/login/', { headers, body: { email, password } })
    expect(locked.status).toBe(429)
    expect(locked.body.code).toBe('rate_limited')
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800)
    const { results: failed } = await auditRows('auth.login_failed', user.id)
    expect(failed).toHaveLength(10)
    await vi.waitFor(async () => expect((await auditRows('auth.login_locked', user.id)).results).toHaveLength(1))
    const other = await registerUser()
    expect((await call('POST', '/api/auth/login/', { body: { email: other.email, password: other.password } })).status).toBe(200)
  })

  it("forgets the network's failures after a successful login", async () => {
    const { email, password, user } = await registerUser()
    const headers = { 'cf-connecting-ip': randomIp() }
    await statuses(9, () => call('POST', '/api/auth/login/', { headers, body: { email, password: 'Wrong-Password-9' } }))
    expect((await call('POST', '/api/auth/login/', { headers, body: { email, password } })).status).toBe(200)
    const row = await env.DB.prepare('SELECT count(*) AS n FROM login_attempts WHERE account = ?').bind(email).first<{ n: number }>()
    expect(row?.n).toBe(0)
    expect((await auditRows('auth.login', user.id)).results).toEqual([expect.objectContaining({ actor_id: user.id, outcome: 'ok' })])
  })
})

describe('headers on every response', () => {
  it('sets secure headers and a request id, even on errors', async () => {
    for (const path of ['/api/health/', '/api/nowhere/']) {
      const response = await call('GET', path)
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN')
      expect(response.headers.get('strict-transport-security')).toContain('max-age=')
      expect(response.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/)
    }
  })

  it("takes the caller's request id when well-formed", async () => {
    expect((await call('GET', '/api/health/', { headers: { 'x-request-id': 'trace-123' } })).headers.get('x-request-id')).toBe('trace-123')
    expect((await call('GET', '/api/health/', { headers: { 'x-request-id': 'bad id <script>' } })).headers.get('x-request-id')).not.toContain('<')
  })

  it('allows only the origins in CORS_ORIGINS', async () => {
    const preflight = (origin: string, bindings: Record<string, unknown>) =>
      app.request(`${BASE}/api/patients/`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } }, { ...env, ...bindings })
    const allowed = await preflight('https://clinic.example', { CORS_ORIGINS: 'https://clinic.example, https://other.example' })
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://clinic.example')
    const refused = await preflight('https://evil.example', { CORS_ORIGINS: 'https://clinic.example' })
    expect(refused.headers.get('access-control-allow-origin')).toBeNull()
    const unset = await preflight('https://clinic.example', {})
    expect(unset.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('structured logs', () => {
  it('logs one JSON line per request with the route pattern, and no secrets', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      const { access, email, password, id } = await signedInUser()
      log.mockClear()
      await call('GET', `/api/patients/999999/`, { token: access, headers: { 'x-request-id': 'log-check-1' } })
      const lines = log.mock.calls.map((args) => JSON.parse(String(args[0])))
      expect(lines).toEqual([
        {
          level: 'info',
          method: 'GET',
          route: '/api/patients/:id',
          status: 404,
          duration_ms: expect.any(Number),
          user_id: id,
          request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          client_request_id: 'log-check-1',
        },
      ])
      log.mockClear()
      await call('POST', '/api/auth/login/', { body: { email, password } })
      const text = log.mock.calls.flat().join('\n')
      expect(text).not.toContain(password)
      expect(text).not.toContain(email)
      expect(text).not.toContain(access.split('.')[2])
    } finally {
      log.mockRestore()
    }
  })
})
