import { env } from 'cloudflare:workers'
import { sign } from 'hono/jwt'
import { describe, expect, it, vi } from 'vitest'
import { hashPassword } from '../src/auth/password'
import { auditEventsFor, countUsersWithEmail, liveRefreshTokens, refreshTokensOf, setPasswordHash, userByEmail, userRow } from './db'
import { GOOD_PASSWORD, login, registerUser, send, signedInUser, uniqueEmail, signedInAdmin } from './helpers'

const secret = () => env.JWT_SECRET

async function forge(claims: Record<string, unknown>, key = secret()) {
  const now = Math.floor(Date.now() / 1000)
  return sign({ iat: now, exp: now + 600, jti: crypto.randomUUID(), token_type: 'access', ...claims }, key, 'HS256')
}

/** Moves a rotated refresh token's rotation `seconds` into the past, as if the thief waited. */
async function rotatedSecondsAgo(refresh: string, seconds: number) {
  const { jti } = JSON.parse(atob(refresh.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')))
  await env.DB.prepare('UPDATE refresh_tokens SET revoked_at = revoked_at - ? WHERE jti = ?').bind(seconds, jti).run()
}

const base64url = (text: string) => btoa(text).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')

describe('POST /api/auth/register/', () => {
  it('creates a user and never returns the password', async () => {
    const email = uniqueEmail('new')
    const response = await send('POST', '/api/auth/register/', {
      body: { name: '  Ada Lovelace ', email: `  ${email.toUpperCase()} `, password: GOOD_PASSWORD, password2: GOOD_PASSWORD },
    })
    expect(response.status).toBe(201)
    expect(response.body).toEqual({
      user: { id: expect.any(Number), name: 'Ada Lovelace', email, date_joined: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) },
    })
    const row = await userRow(response.body.user.id)
    expect(row?.email).toBe(email)
    expect(row?.password_hash).toMatch(/^pbkdf2_sha256\$1000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/)
    expect(JSON.stringify(response.body)).not.toContain(GOOD_PASSWORD)
  })

  it('answers with and without a trailing slash', async () => {
    const response = await send('POST', '/api/auth/register', { body: { name: 'No Slash', email: uniqueEmail(), password: GOOD_PASSWORD } })
    expect(response.status).toBe(201)
  })

  it('refuses an email already taken in another letter case with 409 and details.email', async () => {
    const { email } = await registerUser()
    const response = await send('POST', '/api/auth/register/', { body: { name: 'Twin', email: email.toUpperCase(), password: GOOD_PASSWORD } })
    expect(response.status).toBe(409)
    expect(response.body.code).toBe('conflict')
    expect(response.body.details.email).toHaveLength(1)
    expect(await countUsersWithEmail(email)).toBe(1)
  })

  it('lets exactly one of several simultaneous registrations of one email succeed', async () => {
    const email = uniqueEmail('race')
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => send('POST', '/api/auth/register/', { body: { name: 'Racer', email, password: GOOD_PASSWORD } })),
    )
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409])
  })

  it.each([
    ['short', 'Ab3$xyz', 'too short'],
    ['numeric', '8675309123', 'entirely numeric'],
    ['common', 'password123', 'too common'],
    ['common in another case', 'PassWord123', 'too common'],
    ['like the email', 'florence.n.1820', 'too similar to the email'],
    ['like the name', 'SeacoleMary', 'too similar to the name'],
  ])('refuses a %s password with details.password', async (_label, password, fragment) => {
    const email = `florence.n.${crypto.randomUUID().slice(0, 4)}@example.com`
    const response = await send('POST', '/api/auth/register/', { body: { name: 'Mary Seacole', email, password } })
    expect(response.status).toBe(400)
    expect(response.body.code).toBe('validation_error')
    expect(response.body.details.password.join(' ')).toContain(fragment)
    expect(await userByEmail(email)).toBeNull()
  })

  it('refuses mismatched password2', async () => {
    const response = await send('POST', '/api/auth/register/', {
      body: { name: 'Mismatch', email: uniqueEmail(), password: GOOD_PASSWORD, password2: `${GOOD_PASSWORD}!` },
    })
    expect(response.status).toBe(400)
    expect(Object.keys(response.body.details)).toEqual(['password2'])
  })

  it.each([
    [{ email: uniqueEmail(), password: GOOD_PASSWORD }, 'name'],
    [{ name: '   ', email: uniqueEmail(), password: GOOD_PASSWORD }, 'name'],
    [{ name: 'x'.repeat(151), email: uniqueEmail(), password: GOOD_PASSWORD }, 'name'],
    [{ name: 'Bad Email', email: 'not-an-email', password: GOOD_PASSWORD }, 'email'],
    [{ name: 'No Password', email: uniqueEmail() }, 'password'],
    [{ name: 'Extra', email: uniqueEmail(), password: GOOD_PASSWORD, is_admin: true }, 'is_admin'],
  ])('refuses %j with details.%s', async (body, field) => {
    const response = await send('POST', '/api/auth/register/', { body })
    expect(response.status).toBe(400)
    expect(response.body.code).toBe('validation_error')
    expect(response.body.details[field]).toEqual([expect.any(String)])
  })
})

describe('POST /api/auth/login/', () => {
  it('returns an access and a refresh token and the user', async () => {
    const { email, password, user } = await registerUser()
    const response = await send('POST', '/api/auth/login/', { body: { email: ` ${email.toUpperCase()}`, password } })
    expect(response.status).toBe(200)
    expect(response.body).toEqual({
      access: expect.any(String),
      refresh: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      user,
      clinic: { clinic: { id: expect.any(Number), name: `${user.name}'s clinic` }, role: 'admin' },
    })
    expect(await liveRefreshTokens(user.id)).toBe(1)
  })

  it('answers an unknown email and a wrong password identically', async () => {
    const { email } = await registerUser()
    const wrongPassword = await send('POST', '/api/auth/login/', { body: { email, password: 'Wrong-Password-1' } })
    const unknownEmail = await send('POST', '/api/auth/login/', { body: { email: uniqueEmail('ghost'), password: 'Wrong-Password-1' } })
    expect(wrongPassword.status).toBe(401)
    expect(unknownEmail.status).toBe(401)
    expect(wrongPassword.body).toEqual({ error: expect.any(String), code: 'invalid_credentials' })
    expect(unknownEmail.body).toEqual(wrongPassword.body)
  })

  it('spends the same key derivation on an unknown email as on a wrong password (no timing oracle)', async () => {
    const { email } = await registerUser()
    const derive = vi.spyOn(crypto.subtle, 'deriveBits')
    /** The PBKDF2 parameters of every derivation one login made. */
    const derivations = async (body: { email: string; password: string }) => {
      derive.mockClear()
      expect((await send('POST', '/api/auth/login/', { body })).status).toBe(401)
      return derive.mock.calls.map(([algorithm, , length]) => {
        const { name, hash, iterations } = algorithm as { name: string; hash: string; iterations: number }
        return { name, hash, iterations, length }
      })
    }
    try {
      const wrongPassword = await derivations({ email, password: 'Wrong-Password-1' })
      const unknownEmail = await derivations({ email: uniqueEmail('ghost'), password: 'Wrong-Password-1' })
      expect(wrongPassword).toEqual([{ name: 'PBKDF2', hash: 'SHA-256', iterations: Number(env.PASSWORD_ITERATIONS), length: 256 }])
      expect(unknownEmail).toEqual(wrongPassword)
    } finally {
      derive.mockRestore()
    }
  })

  it('re-hashes a password stored with another iteration count', async () => {
    const { email, password, user } = await registerUser()
    await setPasswordHash(user.id, await hashPassword(password, 500))
    expect((await send('POST', '/api/auth/login/', { body: { email, password } })).status).toBe(200)
    const row = await userRow(user.id)
    expect(row?.password_hash.split('$')[1]).toBe('1000')
    expect((await send('POST', '/api/auth/login/', { body: { email, password } })).status).toBe(200)
  })
})

describe('GET /api/auth/me/', () => {
  it('returns the signed-in user with its role', async () => {
    const { access, user } = await signedInUser()
    const response = await send('GET', '/api/auth/me', { token: access })
    expect(response.status).toBe(200)
    const clinic = { id: expect.any(Number), name: `${user.name}'s clinic` }
    expect(response.body).toEqual({ ...user, role: 'user', clinic, clinic_role: 'admin', clinics: [{ clinic, role: 'admin' }] })
    const admin = await signedInAdmin()
    expect((await send('GET', '/api/auth/me/', { token: admin.access })).body).toMatchObject({ id: admin.id, role: 'admin' })
  })

  it('asks for credentials when there is no bearer token', async () => {
    for (const headers of [{}, { authorization: 'Basic dXNlcjpwYXNz' }] as Record<string, string>[]) {
      const response = await send('GET', '/api/auth/me/', { headers })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe('Bearer')
      expect(response.body).toEqual({ error: expect.any(String), code: 'not_authenticated' })
    }
  })

  it('refuses malformed, tampered, expired, alg none and refresh-typed tokens', async () => {
    const { access, refresh, id } = await signedInUser()
    const [header, payload, signature] = access.split('.')
    const tampered = `${header}.${base64url(JSON.stringify({ ...JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))), sub: '999999' }))}.${signature}`
    const algNone = `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.`
    const now = Math.floor(Date.now() / 1000)
    const tokens = {
      garbage: 'not.a.token',
      tampered,
      badSignature: `${header}.${payload}.${signature.slice(0, -4)}AAAA`,
      algNone,
      otherKey: await forge({ sub: String(id) }, 'another-secret-that-is-at-least-32-bytes-long'),
      expired: await forge({ sub: String(id), iat: now - 7200, exp: now - 3600 }),
      refreshTyped: refresh,
      untyped: await forge({ sub: String(id), token_type: undefined }),
    }
    for (const [label, token] of Object.entries(tokens)) {
      const response = await send('GET', '/api/auth/me/', { token })
      expect({ label, status: response.status, code: response.body.code }).toEqual({ label, status: 401, code: 'token_not_valid' })
    }
  })
})

describe('POST /api/auth/refresh/', () => {
  it('rotates: returns a new working pair and kills the token used', async () => {
    const { refresh, id } = await signedInUser()
    const first = await send('POST', '/api/auth/refresh/', { body: { refresh } })
    expect(first.status).toBe(200)
    expect(first.body).toEqual({ access: expect.any(String), refresh: expect.any(String) })
    expect((await send('GET', '/api/auth/me/', { token: first.body.access })).status).toBe(200)
    const second = await send('POST', '/api/auth/token/refresh/', { body: { refresh: first.body.refresh } })
    expect(second.status).toBe(200)
    // Each used token is marked revoked and points at the one that replaced it; only the newest lives.
    const rows = await refreshTokensOf(id)
    expect(rows.filter((row) => row.revoked_at === null)).toHaveLength(1)
    expect(rows.filter((row) => row.replaced_by !== null)).toHaveLength(2)
    // The token used, sent again, is refused (and, as a replay, ends every session of the user).
    const used = await send('POST', '/api/auth/refresh/', { body: { refresh } })
    expect(used.status).toBe(401)
    expect(used.body.code).toBe('token_not_valid')
  })

  it('treats reuse of a refresh token rotated past the retry window as theft and revokes every refresh token of the user', async () => {
    const { email, password, refresh, id } = await signedInUser()
    const otherSession = await login(email, password)
    const rotated = await send('POST', '/api/auth/refresh/', { body: { refresh } })
    expect(rotated.status).toBe(200)
    await rotatedSecondsAgo(refresh, 60)
    const replay = await send('POST', '/api/auth/refresh/', { body: { refresh } })
    expect(replay.status).toBe(401)
    expect(replay.body.code).toBe('token_not_valid')
    for (const token of [rotated.body.refresh, otherSession.refresh]) {
      expect((await send('POST', '/api/auth/refresh/', { body: { refresh: token } })).status).toBe(401)
    }
    expect(await liveRefreshTokens(id)).toBe(0)
    // The replay is the theft, audited once; the tokens it revoked are then refused as dead, not as another theft.
    const reuses = await auditEventsFor('auth.refresh_reuse', id)
    expect(reuses).toHaveLength(1)
    expect(reuses[0]).toMatchObject({ actor_id: id, resource_type: 'user', outcome: 'denied', request_id: replay.headers.get('x-request-id') })
  })

  it('refuses an access token in place of a refresh token', async () => {
    const { access } = await signedInUser()
    const response = await send('POST', '/api/auth/refresh/', { body: { refresh: access } })
    expect(response.status).toBe(401)
    expect(response.body.code).toBe('token_not_valid')
  })

  it('requires the refresh field', async () => {
    const response = await send('POST', '/api/auth/refresh/', { body: {} })
    expect(response.status).toBe(400)
    expect(response.body.details.refresh).toEqual(['This field is required.'])
  })
})

describe('POST /api/auth/logout/', () => {
  it('kills the refresh token', async () => {
    const { refresh, access } = await signedInUser()
    const response = await send('POST', '/api/auth/logout/', { body: { refresh } })
    expect(response.status).toBe(204)
    expect(response.body).toBeNull()
    expect((await send('POST', '/api/auth/refresh/', { body: { refresh } })).status).toBe(401)
    expect((await send('POST', '/api/auth/logout/', { body: { refresh: access } })).status).toBe(401)
  })
})
