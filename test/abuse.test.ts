import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { auditEventsFor, loginAttempts } from './db'
import { GOOD_PASSWORD, login, randomIp, registerUser, send, signedInUser, uniqueEmail, type Sent } from './helpers'

/** Sends `count` requests one after another and returns their statuses. */
async function statuses(count: number, request: (index: number) => Promise<{ status: number }>): Promise<number[]> {
  const result: number[] = []
  for (let index = 0; index < count; index++) result.push((await request(index)).status)
  return result
}

/**
 * Drives one fresh limiter key past its limit, and returns the statuses and the first refusal.
 * Limiters count in fixed windows, so a burst may straddle two of them: `limit` requests are never
 * refused, and 2 × limit + 1 requests within two windows are always refused at least once. Nothing
 * here depends on where the wall clock's window boundary falls.
 */
async function overLimit(limit: number, request: () => Promise<Sent>): Promise<{ statuses: number[]; refused: Sent }> {
  const responses: Sent[] = []
  while (responses.length < 2 * limit + 1) responses.push(await request())
  const statuses = responses.map((response) => response.status)
  expect(statuses.slice(0, limit)).not.toContain(429)
  expect(statuses).toContain(429)
  return { statuses, refused: responses.find((response) => response.status === 429)! }
}

/** A limiter that lets `limit` requests a key through whatever the clock says, and records the keys it was asked about. */
function countingLimiter(limit: number) {
  const counts = new Map<string, number>()
  const keys: string[] = []
  const binding: RateLimit = {
    limit: async ({ key }) => {
      keys.push(key)
      counts.set(key, (counts.get(key) ?? 0) + 1)
      return { success: counts.get(key)! <= limit }
    },
  }
  return { binding, keys }
}

describe('rate limits', () => {
  it('keys each limiter by what it counts: client IP, email, user', async () => {
    const ip = randomIp()
    const { email, password, access, id } = await signedInUser()
    const limiters = { LOGIN_IP_LIMITER: countingLimiter(1), LOGIN_EMAIL_LIMITER: countingLimiter(1), REGISTER_IP_LIMITER: countingLimiter(1), REFRESH_IP_LIMITER: countingLimiter(1), API_USER_LIMITER: countingLimiter(1) }
    const overrides = Object.fromEntries(Object.entries(limiters).map(([name, limiter]) => [name, limiter.binding]))
    const headers = { 'cf-connecting-ip': ip }
    const login = () => send('POST', '/api/auth/login/', { headers, env: overrides, body: { email: ` ${email.toUpperCase()}`, password } })
    const first = await login()
    expect(first.status).toBe(200)
    expect((await send('POST', '/api/auth/register/', { headers, env: overrides, body: { name: 'Keyed', email: uniqueEmail(), password: GOOD_PASSWORD } })).status).toBe(201)
    expect((await send('POST', '/api/auth/refresh/', { headers, env: overrides, body: { refresh: first.body.refresh } })).status).toBe(200)
    expect((await send('GET', '/api/auth/me/', { headers, env: overrides, token: access })).status).toBe(200)
    expect(Object.fromEntries(Object.entries(limiters).map(([name, limiter]) => [name, limiter.keys]))).toEqual({
      LOGIN_IP_LIMITER: [ip],
      // The email with the client's network: one email cannot be flooded shut from elsewhere.
      LOGIN_EMAIL_LIMITER: [`${email} ${ip}`],
      REGISTER_IP_LIMITER: [ip],
      REFRESH_IP_LIMITER: [ip],
      API_USER_LIMITER: [`${id}:0`],
    })
    const refused = await login()
    expect(refused.status).toBe(429)
    expect(refused.body).toEqual({ error: expect.any(String), code: 'rate_limited' })
    expect(refused.headers.get('retry-after')).toBe('60')
  })

  it('limits logins per client IP, and not other IPs', async () => {
    const ip = randomIp()
    const login = () => send('POST', '/api/auth/login/', { headers: { 'cf-connecting-ip': ip }, body: { email: uniqueEmail(), password: 'whatever-123' } })
    const { refused } = await overLimit(20, login)
    expect(refused.body).toEqual({ error: expect.any(String), code: 'rate_limited' })
    expect(refused.headers.get('retry-after')).toBe('60')
    const otherIp = await send('POST', '/api/auth/login/', { body: { email: uniqueEmail(), password: 'whatever-123' } })
    expect(otherIp.status).toBe(401)
  })

  it('refuses floods of one email from one network, and not that email from elsewhere', async () => {
    const email = uniqueEmail('target')
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`
    // Many addresses of one IPv6 /64: one network. The lockout answers 429 first (after 10), the limiters after 20.
    const flood = await statuses(25, () =>
      send('POST', '/api/auth/login/', { headers: { 'cf-connecting-ip': `${prefix}::${Math.floor(Math.random() * 0xffff).toString(16)}` }, body: { email, password: 'whatever-123' } }),
    )
    expect(flood.slice(0, 10)).toEqual(Array(10).fill(401))
    expect(flood.slice(10)).toEqual(Array(15).fill(429))
    expect((await send('POST', '/api/auth/login/', { body: { email, password: 'whatever-123' } })).status).toBe(401)
  })

  it('limits registrations per client IP', async () => {
    const ip = randomIp()
    const register = () => send('POST', '/api/auth/register/', { headers: { 'cf-connecting-ip': ip }, body: { name: 'Flood', email: uniqueEmail('flood'), password: GOOD_PASSWORD } })
    const { statuses: results } = await overLimit(10, register)
    expect(results.filter((status) => status !== 429)).toEqual(Array(results.filter((status) => status !== 429).length).fill(201))
    expect((await send('POST', '/api/auth/register/', { body: { name: 'Other', email: uniqueEmail(), password: GOOD_PASSWORD } })).status).toBe(201)
  })

  it('limits refreshes and logouts per client IP', async () => {
    // Shaped like a JWT, so it passes validation and reaches the limiter; not signed by us, so a 401 until then.
    const forged = 'eyJhbGciOiJIUzI1NiJ9.e30.bm90LXNpZ25lZA'
    for (const path of ['/api/auth/refresh/', '/api/auth/logout/']) {
      const ip = randomIp()
      const { statuses: results } = await overLimit(30, () => send('POST', path, { headers: { 'cf-connecting-ip': ip }, body: { refresh: forged } }))
      expect(results.filter((status) => status !== 429)).toEqual(Array(results.filter((status) => status !== 429).length).fill(401))
    }
  })

  it('counts a logout against the refresh budget of its network, and a refused logout revokes nothing', async () => {
    const ip = randomIp()
    const user = await signedInUser()
    const limiter = countingLimiter(1)
    const limited = { headers: { 'cf-connecting-ip': ip }, env: { REFRESH_IP_LIMITER: limiter.binding } }
    const rotated = await send('POST', '/api/auth/refresh/', { ...limited, body: { refresh: user.refresh } })
    expect(rotated.status).toBe(200)
    const refused = await send('POST', '/api/auth/logout/', { ...limited, body: { refresh: rotated.body.refresh } })
    expect(refused.status).toBe(429)
    expect(refused.body).toEqual({ error: expect.any(String), code: 'rate_limited' })
    expect(refused.headers.get('retry-after')).toBe('60')
    expect(limiter.keys).toEqual([ip, ip])
    expect((await send('POST', '/api/auth/refresh/', { body: { refresh: rotated.body.refresh } })).status).toBe(200)
  })

  it('limits API requests per user, and not other users', async () => {
    const busy = await signedInUser()
    const calm = await signedInUser()
    const me = (access: string) => send('GET', '/api/auth/me/', { token: access, env: { API_USER_LIMITER: env.SMALL_LIMITER } })
    const { statuses } = await overLimit(5, () => me(busy.access))
    expect(statuses.filter((status) => status !== 429)).toEqual(Array(statuses.filter((status) => status !== 429).length).fill(200))
    const other = await me(calm.access)
    expect(other.status).toBe(200)
  })
})

describe('the per-user limit and ended tokens', () => {
  it('lets no token ended by logout-all spend the budget of the tokens issued after it', async () => {
    const user = await signedInUser()
    const limited = { API_USER_LIMITER: env.SMALL_LIMITER }
    expect((await send('POST', '/api/auth/logout-all/', { token: user.access })).status).toBe(204)
    const dead = await statuses(8, () => send('GET', '/api/auth/me/', { token: user.access, env: limited }))
    expect(dead.every((status) => status === 401 || status === 429)).toBe(true)
    expect(dead).toContain(429)
    const fresh = await login(user.email, user.password)
    const live = await send('GET', '/api/auth/me/', { token: fresh.access, env: limited })
    expect(live.status).toBe(200)
    expect(live.body.id).toBe(user.id)
  })
})

describe('account lockout after failed logins', () => {
  it('refuses even the right password after 10 failures from one network, and audits it', async () => {
    const { email, password, user } = await registerUser()
    const headers = { 'cf-connecting-ip': randomIp() }
    const failures = await statuses(10, () => send('POST', '/api/auth/login/', { headers, body: { email, password: 'Wrong-Password-9' } }))
    expect(failures).toEqual(Array(10).fill(401))
    const locked = await send('POST', '/api/auth/login/', { headers, body: { email, password } })
    expect(locked.status).toBe(429)
    expect(locked.body.code).toBe('rate_limited')
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800)
    expect(await auditEventsFor('auth.login_failed', user.id)).toHaveLength(10)
    expect(await auditEventsFor('auth.login_locked', user.id)).toHaveLength(1)
    const other = await registerUser()
    expect((await send('POST', '/api/auth/login/', { body: { email: other.email, password: other.password } })).status).toBe(200)
  })

  it("forgets the network's failures after a successful login", async () => {
    const { email, password, user } = await registerUser()
    const headers = { 'cf-connecting-ip': randomIp() }
    await statuses(9, () => send('POST', '/api/auth/login/', { headers, body: { email, password: 'Wrong-Password-9' } }))
    expect((await send('POST', '/api/auth/login/', { headers, body: { email, password } })).status).toBe(200)
    expect(await loginAttempts(email)).toBe(0)
    expect(await auditEventsFor('auth.login', user.id)).toEqual([expect.objectContaining({ actor_id: user.id, outcome: 'ok' })])
  })
})

describe('headers on every response', () => {
  it('sets secure headers and a request id, even on errors', async () => {
    for (const path of ['/api/health/', '/api/nowhere/']) {
      const response = await send('GET', path)
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN')
      expect(response.headers.get('strict-transport-security')).toContain('max-age=')
      expect(response.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/)
    }
  })

  it("takes the caller's request id when well-formed", async () => {
    expect((await send('GET', '/api/health/', { headers: { 'x-request-id': 'trace-123' } })).headers.get('x-request-id')).toBe('trace-123')
    expect((await send('GET', '/api/health/', { headers: { 'x-request-id': 'bad id <script>' } })).headers.get('x-request-id')).not.toContain('<')
  })

  it('allows only the origins in CORS_ORIGINS', async () => {
    const preflight = (origin: string, bindings: { CORS_ORIGINS?: string }) =>
      send('OPTIONS', '/api/patients/', { headers: { origin, 'access-control-request-method': 'POST' }, env: bindings })
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
      await send('GET', `/api/patients/999999/`, { token: access, headers: { 'x-request-id': 'log-check-1' } })
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
      const again = await send('POST', '/api/auth/login/', { body: { email, password } })
      expect(again.status).toBe(200)
      const text = log.mock.calls.flat().join('\n')
      expect(text).toContain('"route":"/api/auth/login"')
      // The secrets this very request carried in and out: the credentials and the tokens it issued.
      for (const secret of [password, email, again.body.access.split('.')[2], again.body.refresh.split('.')[2]]) expect(text).not.toContain(secret)
    } finally {
      log.mockRestore()
    }
  })
})
