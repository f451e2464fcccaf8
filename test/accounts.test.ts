import { env } from 'cloudflare:workers'
import { sign } from 'hono/jwt'
import { describe, expect, it, vi } from 'vitest'
import { hashPassword } from '../src/auth/password'
import { PLACEHOLDER_SECRET } from '../src/core/config'
import { networkOf } from '../src/core/network'
import { recordingD1 } from './d1-wrapper'
import { BASE, createPatient, dispatch, GOOD_PASSWORD, send, signedInAdmin, type EnvOverrides, type LooseBody, login, randomIp, registerUser, signedInUser, uniqueEmail } from './helpers'

/** A Django 4.2 hash (600,000 iterations) made by `crypto.pbkdf2Sync(PASSWORD, SALT, 600000, 32, 'sha256')`, with its password. */
const DJANGO_PASSWORD = 'Django-Era-Passphrase-4.2'
const DJANGO_HASH = 'pbkdf2_sha256$600000$hJ3kQ9vLmN2pR5sT8wXy1z$ic+co3i6QB0HlCxHDKKJFw1HbniOF9+nP+U2Icygeso='

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const loginFrom = (ip: string, email: string, password: string) => send('POST', '/api/auth/login/', { headers: { 'cf-connecting-ip': ip }, body: { email, password } })

/** A random address in one IPv6 /64 (`prefix` is its first four groups). */
const ipv6In = (prefix: string) => `${prefix}:${Array.from({ length: 4 }, () => Math.floor(Math.random() * 0xffff).toString(16)).join(':')}`
const randomPrefix = () => `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`

const attempts = async (email: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM login_attempts WHERE account = ?').bind(email).first<{ n: number }>())!.n

const claimsOf = (token: string) => JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')))

/** Sends a request through the harness with some bindings replaced, and reads its body. */
async function direct(path: string, init: RequestInit, bindings: EnvOverrides) {
  const { response } = await dispatch(new Request(`${BASE}${path}`, init), bindings)
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null }
}

describe('client networks', () => {
  it('keys IPv4 by address and IPv6 by its /64', () => {
    expect(networkOf('198.51.100.7')).toBe('198.51.100.7')
    expect(networkOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64')
    expect(networkOf('2001:DB8:1:2::1')).toBe('2001:db8:1:2::/64')
    expect(networkOf('2001:0db8:0001:0002:0:0:0:ffff')).toBe('2001:db8:1:2::/64')
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(networkOf('::ffff:198.51.100.7')).toBe('198.51.100.7')
    expect(networkOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
  })
})

describe('lockout: parallel guesses', () => {
  it('checks at most 10 of 20 parallel wrong passwords; the rest answer 429', async () => {
    const { email } = await registerUser()
    const ip = randomIp()
    const responses = await Promise.all(Array.from({ length: 20 }, () => loginFrom(ip, email, 'Wrong-Password-9')))
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 401)).toHaveLength(10)
    expect(statuses.filter((status) => status === 429)).toHaveLength(10)
    expect(await attempts(email)).toBe(10)
  })
})

describe('lockout per account and network', () => {
  it('locks the guessing IPv4 address, right password included, but not the owner elsewhere', async () => {
    const { email, password } = await registerUser()
    const attacker = randomIp()
    for (let index = 0; index < 10; index++) expect((await loginFrom(attacker, email, 'Wrong-Password-9')).status).toBe(401)
    const locked = await loginFrom(attacker, email, password)
    expect(locked.status).toBe(429)
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800)
    expect((await loginFrom(randomIp(), email, password)).status).toBe(200)
  })

  it('locks a whole IPv6 /64, whichever of its addresses guesses', async () => {
    const { email, password } = await registerUser()
    const prefix = randomPrefix()
    for (let index = 0; index < 10; index++) expect((await loginFrom(ipv6In(prefix), email, 'Wrong-Password-9')).status).toBe(401)
    expect((await loginFrom(ipv6In(prefix), email, password)).status).toBe(429)
    expect((await loginFrom(ipv6In(randomPrefix()), email, password)).status).toBe(200)
  })

  it('locks the account everywhere after 100 failures within an hour from all networks', async () => {
    const { email, password } = await registerUser()
    const now = Math.floor(Date.now() / 1000)
    const rows = Array.from({ length: 100 }, (_, index) =>
      env.DB.prepare('INSERT INTO login_attempts (account, network, attempted_at) VALUES (?, ?, ?)').bind(email, `192.0.2.${index}`, now - 30 * index),
    )
    await env.DB.batch(rows)
    const locked = await loginFrom(randomIp(), email, password)
    expect(locked.status).toBe(429)
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(600)
  })

  it('locks an unknown email exactly as a known one', async () => {
    const email = uniqueEmail('ghost')
    const ip = randomIp()
    for (let index = 0; index < 10; index++) expect((await loginFrom(ip, email, 'Wrong-Password-9')).status).toBe(401)
    expect((await loginFrom(ip, email, 'Wrong-Password-9')).status).toBe(429)
  })

  it('forgets only the successful network: an attacker elsewhere stays counted', async () => {
    const { email, password } = await registerUser()
    const attacker = randomIp()
    for (let index = 0; index < 3; index++) await loginFrom(attacker, email, 'Wrong-Password-9')
    await loginFrom(randomIp(), email, 'Wrong-Password-9')
    const owner = randomIp()
    await loginFrom(owner, email, 'Wrong-Password-9')
    expect((await loginFrom(owner, email, password)).status).toBe(200)
    expect(await attempts(email)).toBe(4)
  })

  it('takes the same round trips and writes for an unknown email, a wrong password and a disabled account', async () => {
    const known = await registerUser()
    const disabled = await registerUser()
    await env.DB.prepare('UPDATE users SET is_active = 0 WHERE id = ?').bind(disabled.user.id).run()
    const shapes: string[][] = []
    for (const body of [
      { email: uniqueEmail('ghost'), password: GOOD_PASSWORD },
      { email: known.email, password: 'Wrong-Password-9' },
      { email: disabled.email, password: disabled.password },
    ]) {
      const d1 = recordingD1()
      const response = await direct('/api/auth/login/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, { DB: d1.binding })
      expect(response.status).toBe(401)
      expect(response.body).toEqual({ error: expect.any(String), code: 'invalid_credentials' })
      shapes.push(d1.trips.map((trip) => `${trip.kind}:${trip.sql.map((sql) => sql.split(' ').slice(0, 3).join(' ')).join(' | ')}`))
    }
    expect(shapes[0]).toHaveLength(2)
    expect(shapes[1]).toEqual(shapes[0])
    expect(shapes[2]).toEqual(shapes[0])
  })
})

describe('POST /api/admin/users/{id}/unlock/', () => {
  it('clears the lock, audited; refuses non-admins', async () => {
    const admin = await signedInAdmin()
    const target = await registerUser()
    const ip = randomIp()
    for (let index = 0; index < 10; index++) await loginFrom(ip, target.email, 'Wrong-Password-9')
    expect((await loginFrom(ip, target.email, target.password)).status).toBe(429)
    const user = await signedInUser()
    expect((await send('POST', `/api/admin/users/${target.user.id}/unlock/`, { token: user.access })).status).toBe(403)
    const response = await send('POST', `/api/admin/users/${target.user.id}/unlock/`, { token: admin.access })
    expect(response.status).toBe(204)
    expect(await attempts(target.email)).toBe(0)
    expect((await loginFrom(ip, target.email, target.password)).status).toBe(200)
    const audit = await env.DB.prepare("SELECT actor_id, outcome FROM audit_events WHERE action = 'admin.user_unlock' AND resource_id = ?").bind(target.user.id).all()
    expect(audit.results).toEqual([{ actor_id: admin.id, outcome: 'ok' }])
    expect((await send('POST', '/api/admin/users/99999999/unlock/', { token: admin.access })).status).toBe(404)
  })
})

describe('old-password guessing on change-password', () => {
  it('counts a wrong old_password as a failed login: the 11th try is 429, right password or not, and login from there too', async () => {
    const user = await signedInUser()
    const ip = randomIp()
    const change = (old_password: string) =>
      send('POST', '/api/auth/change-password/', { token: user.access, headers: { 'cf-connecting-ip': ip }, body: { old_password, new_password: 'Another-Kettle-77' } })
    for (let index = 0; index < 10; index++) expect((await change(`Guess-${index}-Kettle`)).status).toBe(400)
    const locked = await change(GOOD_PASSWORD)
    expect(locked.status).toBe(429)
    expect(locked.headers.get('retry-after')).toEqual(expect.stringMatching(/^\d+$/))
    expect((await loginFrom(ip, user.email, GOOD_PASSWORD)).status).toBe(429)
    expect((await loginFrom(randomIp(), user.email, GOOD_PASSWORD)).status).toBe(200)
  })
})

describe('access tokens end with the events that should end them', () => {
  it('dies after a password change, even issued the same second; the next login lives', async () => {
    const user = await signedInUser()
    const other = await login(user.email, GOOD_PASSWORD)
    expect((await send('POST', '/api/auth/change-password/', { token: user.access, body: { old_password: GOOD_PASSWORD, new_password: 'Another-Kettle-77' } })).status).toBe(204)
    for (const token of [user.access, other.access]) {
      const response = await send('GET', '/api/auth/me/', { token })
      expect(response.status).toBe(401)
      expect(response.body.code).toBe('token_not_valid')
    }
    const fresh = await login(user.email, 'Another-Kettle-77')
    expect((await send('GET', '/api/auth/me/', { token: fresh.access })).status).toBe(200)
  })

  it('dies when refresh-token theft is detected', async () => {
    const user = await signedInUser()
    const rotated = await send('POST', '/api/auth/refresh/', { body: { refresh: user.refresh } })
    expect(rotated.status).toBe(200)
    const { jti } = claimsOf(user.refresh)
    await env.DB.prepare('UPDATE refresh_tokens SET revoked_at = revoked_at - 60 WHERE jti = ?').bind(jti).run()
    expect((await send('POST', '/api/auth/refresh/', { body: { refresh: user.refresh } })).status).toBe(401)
    for (const token of [user.access, rotated.body.access]) expect((await send('GET', '/api/auth/me/', { token })).status).toBe(401)
    expect((await send('POST', '/api/auth/refresh/', { body: { refresh: rotated.body.refresh } })).status).toBe(401)
    const audit = await env.DB.prepare("SELECT outcome FROM audit_events WHERE action = 'auth.refresh_reuse' AND resource_id = ?").bind(user.id).all()
    expect(audit.results).toEqual([{ outcome: 'denied' }])
    expect((await send('GET', '/api/auth/me/', { token: (await login(user.email, GOOD_PASSWORD)).access })).status).toBe(200)
  })

  it('POST /api/auth/logout-all/ ends every session: 204, no body, access and refresh tokens dead, next login lives', async () => {
    const user = await signedInUser()
    const other = await login(user.email, GOOD_PASSWORD)
    const response = await send('POST', '/api/auth/logout-all/', { token: user.access })
    expect(response.status).toBe(204)
    expect(response.body).toBeNull()
    for (const token of [user.access, other.access]) expect((await send('GET', '/api/patients/', { token })).status).toBe(401)
    for (const refresh of [user.refresh, other.refresh]) expect((await send('POST', '/api/auth/refresh/', { body: { refresh } })).status).toBe(401)
    expect((await send('POST', '/api/auth/logout-all/', { token: user.access })).status).toBe(401)
    const fresh = await login(user.email, GOOD_PASSWORD)
    expect((await send('GET', '/api/auth/me/', { token: fresh.access })).status).toBe(200)
    const audit = await env.DB.prepare("SELECT actor_id FROM audit_events WHERE action = 'auth.logout_all' AND resource_id = ?").bind(user.id).all()
    expect(audit.results).toEqual([{ actor_id: user.id }])
  })

  it('refuses to rotate the refresh token of a disabled account', async () => {
    const user = await signedInUser()
    await env.DB.prepare('UPDATE users SET is_active = 0 WHERE id = ?').bind(user.id).run()
    expect((await send('POST', '/api/auth/refresh/', { body: { refresh: user.refresh } })).status).toBe(401)
  })
})

describe('refresh retry window', () => {
  it('refuses an honest retry within seconds with 401, without revoking the family', async () => {
    const user = await signedInUser()
    const rotated = await send('POST', '/api/auth/refresh/', { body: { refresh: user.refresh } })
    expect(rotated.status).toBe(200)
    const retry = await send('POST', '/api/auth/refresh/', { body: { refresh: user.refresh } })
    expect(retry.status).toBe(401)
    expect(retry.body.code).toBe('token_not_valid')
    expect((await send('GET', '/api/auth/me/', { token: rotated.body.access })).status).toBe(200)
    expect((await send('POST', '/api/auth/refresh/', { body: { refresh: rotated.body.refresh } })).status).toBe(200)
    const audit = await env.DB.prepare("SELECT id FROM audit_events WHERE action = 'auth.refresh_reuse' AND resource_id = ?").bind(user.id).all()
    expect(audit.results).toEqual([])
  })
})

describe('iss and aud', () => {
  it('issues tokens with iss, aud and gen, and refuses a token of another environment signed with the same secret', async () => {
    const user = await signedInUser()
    expect(claimsOf(user.access)).toMatchObject({ iss: 'healthcare-records-api', aud: 'development', gen: 0 })
    const now = Math.floor(Date.now() / 1000)
    const staging = await sign(
      { sub: String(user.id), iat: now, exp: now + 600, jti: crypto.randomUUID(), iss: 'healthcare-records-api', aud: 'staging', gen: 0, token_type: 'access' },
      env.JWT_SECRET,
      'HS256',
    )
    expect((await send('GET', '/api/auth/me/', { token: staging })).status).toBe(401)
    const inProduction = await direct('/api/auth/me/', { headers: { authorization: `Bearer ${user.access}` } }, { ENVIRONMENT: 'production', PASSWORD_ITERATIONS: '100000' })
    expect(inProduction.status).toBe(401)
    const noAudience = await sign({ sub: String(user.id), iat: now, exp: now + 600, jti: crypto.randomUUID(), gen: 0, token_type: 'access' }, env.JWT_SECRET, 'HS256')
    expect((await send('GET', '/api/auth/me/', { token: noAudience })).status).toBe(401)
  })
})

describe('configuration', () => {
  it('answers 500 to every request with the placeholder secret or one under 32 bytes, and logs why', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      for (const secret of [PLACEHOLDER_SECRET, 'short-secret']) {
        errors.mockClear()
        const response = await direct('/api/health/', {}, { JWT_SECRET: secret })
        expect(response.status).toBe(500)
        expect(response.body).toEqual({ error: expect.any(String), code: 'misconfigured', request_id: expect.stringMatching(UUID) })
        expect(errors.mock.calls.flat().join('\n')).toContain('configuration error: JWT_SECRET')
      }
    } finally {
      errors.mockRestore()
    }
  })
})

describe('passwords moved over from Django', () => {
  // Pure JS PBKDF2 at 600,000 iterations is slow in the test runtime (seconds; about one in production).
  it('logs in with a 600,000-iteration Django hash and re-hashes it at the configured count in the same round trip', { timeout: 180_000 }, async () => {
    const { email, user } = await registerUser()
    await env.DB.prepare('UPDATE users SET password_hash = ? WHERE id = ?').bind(DJANGO_HASH, user.id).run()
    const d1 = recordingD1()
    const response = await direct('/api/auth/login/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: DJANGO_PASSWORD }) }, { DB: d1.binding })
    expect(response.status).toBe(200)
    expect(d1.trips).toHaveLength(2)
    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?').bind(user.id).first<{ password_hash: string }>()
    expect(row!.password_hash).toMatch(/^pbkdf2_sha256\$1000\$/)
    expect((await login(email, DJANGO_PASSWORD)).access).toEqual(expect.any(String))
  })
})

describe('changes that land while a request is checking a password', () => {
  const direct = (path: string, body: unknown, token: string | undefined, d1: D1Database) =>
    send('POST', path, { body, token, env: { DB: d1 } })

  // Deactivation through the admin route also moves the generation on; this one does not, so only
  // the `is_active` condition of the login's final batch can refuse it.
  it('issues no tokens when the account is deactivated between the password check and the login batch', async () => {
    const { email, password, user } = await registerUser()
    const d1 = recordingD1({
      beforeTrip: async (_, index) => {
        if (index === 1) await env.DB.prepare('UPDATE users SET is_active = 0 WHERE id = ?').bind(user.id).run()
      },
    })
    const response = await direct('/api/auth/login/', { email, password }, undefined, d1.binding)
    expect(response.status).toBe(401)
    expect(response.body.code).toBe('invalid_credentials')
    const { n } = (await env.DB.prepare('SELECT count(*) AS n FROM refresh_tokens WHERE user_id = ?').bind(user.id).first<{ n: number }>())!
    expect(n).toBe(0)
  })

  // A second change-password (or a reset) that lands after this one checked the old password: its
  // hash stands, and this request changes nothing. Only the old-hash condition of the UPDATE holds it.
  it('keeps a password changed concurrently, after this request checked the old one', async () => {
    const user = await signedInUser()
    const concurrent = await hashPassword('Concurrent-Kettle-31', Number(env.PASSWORD_ITERATIONS))
    const d1 = recordingD1({
      beforeTrip: async (trip) => {
        if (trip.sql.some((sql) => /^update "users" set "password_hash"/.test(sql))) {
          await env.DB.prepare('UPDATE users SET password_hash = ? WHERE id = ?').bind(concurrent, user.id).run()
        }
      },
    })
    const response = await direct('/api/auth/change-password/', { old_password: user.password, new_password: 'Brand-New-Kettle-77' }, user.access, d1.binding)
    expect(response.status).toBe(401)
    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?').bind(user.id).first<{ password_hash: string }>()
    expect(row!.password_hash).toBe(concurrent)
    expect((await login(user.email, 'Concurrent-Kettle-31')).access).toEqual(expect.any(String))
  })
})

describe('legacy hashes above the cap', () => {
  // The cap bounds what a login of a carried-over account can cost: without it, this hash would be
  // derived in pure JS at 1,000,001 iterations (no WebCrypto call at all) before failing.
  it('treats a stored hash above 1,000,000 iterations as malformed: one dummy derivation at the configured count, then 401', async () => {
    const { email, user } = await registerUser()
    const overCap = DJANGO_HASH.replace('$600000$', '$1000001$')
    await env.DB.prepare('UPDATE users SET password_hash = ? WHERE id = ?').bind(overCap, user.id).run()
    const derive = vi.spyOn(crypto.subtle, 'deriveBits')
    try {
      const response = await send('POST', '/api/auth/login/', { body: { email, password: DJANGO_PASSWORD } })
      expect(response.status).toBe(401)
      expect(response.body.code).toBe('invalid_credentials')
      expect(derive.mock.calls.map(([algorithm]) => (algorithm as { iterations: number }).iterations)).toEqual([Number(env.PASSWORD_ITERATIONS)])
    } finally {
      derive.mockRestore()
    }
    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?').bind(user.id).first<{ password_hash: string }>()
    expect(row!.password_hash).toBe(overCap)
  })
})

describe('well-formed text', () => {
  it('refuses a lone surrogate anywhere in a body with 400 on that field, storing nothing', async () => {
    const user = await signedInUser()
    const lone = await send('POST', '/api/patients/', {
      token: user.access,
      rawBody: '{"name": "Grace \\ud800 Hopper", "date_of_birth": "1980-03-15", "gender": "female"}',
      headers: { 'content-type': 'application/json' },
    })
    expect(lone.status).toBe(400)
    expect(lone.body.code).toBe('validation_error')
    expect(Object.keys(lone.body.details)).toEqual(['name'])
    const { n } = (await env.DB.prepare('SELECT count(*) AS n FROM patients WHERE created_by = ?').bind(user.id).first<{ n: number }>())!
    expect(n).toBe(0)
    const register = await send('POST', '/api/auth/register/', {
      rawBody: `{"name": "Low \\udc00", "email": "${uniqueEmail()}", "password": "${GOOD_PASSWORD}"}`,
      headers: { 'content-type': 'application/json' },
    })
    expect(register.status).toBe(400)
    expect(Object.keys(register.body.details)).toEqual(['name'])
    const pair = await send('POST', '/api/patients/', { token: user.access, body: { name: 'Emoji 😀 fine', date_of_birth: '1980-03-15', gender: 'female' } })
    expect(pair.status).toBe(201)
  })

  it('refuses bytes that are not UTF-8 in a body with 400 on that field, storing nothing (not U+FFFD)', async () => {
    const user = await signedInUser()
    const utf8 = new TextEncoder()
    for (const bad of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x80]]) {
      const [before, after] = ['{"name": "Grace ', ' Hopper", "date_of_birth": "1980-03-15", "gender": "female"}']
      const response = await send('POST', '/api/patients/', {
        token: user.access,
        rawBody: new Uint8Array([...utf8.encode(before), ...bad, ...utf8.encode(after)]),
        headers: { 'content-type': 'application/json' },
      })
      expect(response.status).toBe(400)
      expect(response.body.code).toBe('validation_error')
      expect(Object.keys(response.body.details)).toEqual(['name'])
    }
    const { n } = (await env.DB.prepare('SELECT count(*) AS n FROM patients WHERE created_by = ?').bind(user.id).first<{ n: number }>())!
    expect(n).toBe(0)
    const replacement = await send('POST', '/api/patients/', { token: user.access, body: { name: 'Grace \ufffd Hopper', date_of_birth: '1980-03-15', gender: 'female' } })
    expect(replacement.status).toBe(201)
  })

  it('refuses a NUL or bytes that are not UTF-8 in a query string with 400 on that parameter', async () => {
    const user = await signedInUser()
    await createPatient(user.access, { name: 'Nobody Matches Nul' })
    const admin = await signedInAdmin()
    for (const [path, token] of [['/api/patients/', user.access], ['/api/doctors/', user.access], ['/api/admin/users/', admin.access]] as const) {
      for (const search of ['%00', 'a%00', '%FF', '%ED%A0%80']) {
        const response = await send('GET', `${path}?search=${search}`, { token })
        expect(response.status, `${path}?search=${search}`).toBe(400)
        expect(Object.keys(response.body.details)).toEqual(['search'])
      }
    }
    const nameless = await send('GET', '/api/patients/?%00=1', { token: user.access })
    expect(nameless.status).toBe(400)
    const plain = await send('GET', `/api/patients/?search=${encodeURIComponent('Nul')}`, { token: user.access })
    expect(plain.body.count).toBe(1)
  })

  it('caps search at 100 characters', async () => {
    const user = await signedInUser()
    for (const path of ['/api/patients/', '/api/doctors/']) {
      expect((await send('GET', `${path}?search=${'a'.repeat(100)}`, { token: user.access })).status).toBe(200)
      const response = await send('GET', `${path}?search=${'a'.repeat(101)}`, { token: user.access })
      expect(response.status).toBe(400)
      expect(Object.keys(response.body.details)).toEqual(['search'])
    }
  })
})

describe('Cache-Control', () => {
  it('is no-store on every answer to an authenticated request and on token answers', async () => {
    const user = await signedInUser()
    for (const path of ['/api/patients/', '/api/auth/me/', '/api/patients/999999/']) {
      expect((await send('GET', path, { token: user.access })).headers.get('cache-control')).toBe('no-store')
    }
    const logged = await send('POST', '/api/auth/login/', { body: { email: user.email, password: GOOD_PASSWORD } })
    expect(logged.headers.get('cache-control')).toBe('no-store')
    const refreshed = await send('POST', '/api/auth/refresh/', { body: { refresh: logged.body.refresh } })
    expect(refreshed.headers.get('cache-control')).toBe('no-store')
  })
})

describe('request ids', () => {
  it('generates the audit request_id on the server, keeps and echoes a valid client id', async () => {
    const user = await signedInUser()
    const clientId = `client-${crypto.randomUUID()}`
    const response = await send('POST', '/api/patients/', {
      token: user.access,
      headers: { 'x-request-id': clientId },
      body: { name: 'Traced', date_of_birth: '1980-03-15', gender: 'female' },
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('x-request-id')).toBe(clientId)
    const row = await env.DB.prepare("SELECT request_id, client_request_id FROM audit_events WHERE action = 'patient.create' AND resource_id = ?")
      .bind(response.body.id)
      .first<{ request_id: string; client_request_id: string }>()
    expect(row).toEqual({ request_id: expect.stringMatching(UUID), client_request_id: clientId })
    expect(row!.request_id).not.toBe(clientId)
  })
})

describe('limits keyed as an attacker would be', () => {
  it('limits registrations from many addresses of one IPv6 /64', async () => {
    const prefix = randomPrefix()
    const statuses: number[] = []
    for (let index = 0; index < 21; index++) {
      const response = await send('POST', '/api/auth/register/', {
        headers: { 'cf-connecting-ip': ipv6In(prefix) },
        body: { name: 'Rotating', email: uniqueEmail('v6'), password: GOOD_PASSWORD },
      })
      statuses.push(response.status)
    }
    expect(statuses.slice(0, 10)).not.toContain(429)
    expect(statuses).toContain(429)
  })

  it('has a global limiter for logins and registrations that rotating addresses does not escape', async () => {
    for (const [path, limiter, body] of [
      ['/api/auth/login/', 'LOGIN_GLOBAL_LIMITER', () => ({ email: uniqueEmail(), password: 'whatever-123' })],
      ['/api/auth/register/', 'REGISTER_GLOBAL_LIMITER', () => ({ name: 'Global', email: uniqueEmail('global'), password: GOOD_PASSWORD })],
    ] as const) {
      const statuses: number[] = []
      for (let index = 0; index < 11; index++) {
        const response = await direct(
          path,
          { method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': randomIp() }, body: JSON.stringify(body()) },
          { [limiter]: env.SMALL_LIMITER },
        )
        statuses.push(response.status)
        if (response.status === 429) expect(response.headers.get('retry-after')).toBe('60')
      }
      expect(statuses).toContain(429)
    }
  })

  it('declares 429 with Retry-After on every route that can answer it', async () => {
    const doc = (await send('GET', '/api/openapi.json')).body
    const limited: string[] = []
    for (const [path, operations] of Object.entries<Record<string, LooseBody>>(doc.paths)) {
      for (const [method, operation] of Object.entries<LooseBody>(operations)) {
        const signedIn = (operation.security ?? []).some((entry: Record<string, unknown>) => 'Bearer' in entry)
        const authFlow = /\/api\/auth\/(login|register|refresh|token\/refresh|logout)\/?$/.test(path)
        if (!signedIn && !authFlow) continue
        limited.push(`${method} ${path}`)
        expect({ route: `${method} ${path}`, retryAfter: operation.responses['429']?.headers?.['Retry-After'] !== undefined }).toEqual({
          route: `${method} ${path}`,
          retryAfter: true,
        })
      }
    }
    expect(limited.length).toBeGreaterThan(20)
  })
})
