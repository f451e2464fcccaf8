// The console's session: the refresh token in an HttpOnly cookie scoped to /api/auth/session/, and a
// same-origin check on every route that reads it. API clients keep the JSON tokens (test/auth.test.ts).
import { describe, expect, it } from 'vitest'
import { auditEventsFor, liveRefreshTokens, refreshTokensOf } from './db'
import { clinicIdOf, consoleSession, FROM_CONSOLE, invite, refreshCookieSet as cookieSet, registerUser, send, signedInUser, withRefreshCookie, type SendOptions } from './helpers'

const withCookie = (token: string, options: SendOptions = {}): SendOptions => ({ ...options, headers: { ...withRefreshCookie(token), ...options.headers } })

const claimsOf = (token: string) => JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { jti: string; iat: number; exp: number }

const jtiOf = (token: string) => claimsOf(token).jti

async function startSession(email: string, password: string, headers: Record<string, string> = FROM_CONSOLE) {
  return send('POST', '/api/auth/session/', { body: { email, password }, headers })
}

async function consoleUser() {
  const account = await registerUser()
  return { ...account, id: account.user.id, ...(await consoleSession(account.email, account.password)) }
}

describe('POST /api/auth/session/ (sign in the console)', () => {
  it('answers the access token and the user, and sets the refresh token as an HttpOnly, Secure, SameSite=Strict cookie for the session routes only', async () => {
    const account = await registerUser()
    const started = await startSession(account.email, account.password)
    expect(started.status).toBe(200)
    expect(Object.keys(started.body).sort()).toEqual(['access', 'clinic', 'expires_in', 'token_type', 'user'])
    expect(started.text).not.toContain('refresh')
    expect(started.headers.get('cache-control')).toBe('no-store')
    const { token, attributes } = cookieSet(started.headers)
    expect(attributes).toEqual(expect.arrayContaining(['Path=/api/auth/session/', 'HttpOnly', 'Secure', 'SameSite=Strict']))
    const { iat, exp } = claimsOf(token)
    expect(attributes.find((attribute) => attribute.startsWith('Max-Age='))).toBe(`Max-Age=${exp - iat}`)
    const rows = await refreshTokensOf(account.user.id)
    expect(rows.map((row) => row.jti)).toEqual([jtiOf(token)])
    expect((await send('GET', '/api/auth/me/', { token: started.body.access })).body.email).toBe(account.email)
  })

  it('refuses, writing nothing, a sign-in that does not come from a page of this origin', async () => {
    const account = await registerUser()
    const refusals: Record<string, string>[] = [
      {},
      { origin: 'https://evil.example' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: 'https://sibling.api.test' },
    ]
    for (const headers of refusals) {
      const refused = await startSession(account.email, account.password, headers)
      expect(refused.status).toBe(403)
      expect(refused.body).toMatchObject({ code: 'permission_denied', error: expect.stringContaining('page of this site') })
      expect(refused.headers.getAll('set-cookie')).toEqual([])
    }
    expect(await refreshTokensOf(account.user.id)).toEqual([])
  })

  it('refuses a wrong password as /api/auth/login/ does, with no cookie', async () => {
    const account = await registerUser()
    const refused = await startSession(account.email, 'not-the-password')
    expect(refused.status).toBe(401)
    expect(refused.body.code).toBe('invalid_credentials')
    expect(refused.headers.getAll('set-cookie')).toEqual([])
  })

  it('leaves API clients as they were: /api/auth/login/ sets no cookie, and /api/auth/refresh/ ignores one', async () => {
    const user = await signedInUser()
    expect(user.refresh).toBeTruthy()
    const login = await send('POST', '/api/auth/login/', { body: { email: user.email, password: user.password } })
    expect(login.headers.getAll('set-cookie')).toEqual([])
    const console = await consoleUser()
    const cookieOnly = await send('POST', '/api/auth/refresh/', withCookie(console.cookie))
    expect(cookieOnly.status).toBe(400)
    expect(await liveRefreshTokens(console.id)).toBe(1)
  })
})

describe('POST /api/auth/session/refresh/ (renew)', () => {
  it("rotates the cookie's refresh token and answers a new access token, never a refresh token", async () => {
    const user = await consoleUser()
    const renewed = await send('POST', '/api/auth/session/refresh/', withCookie(user.cookie))
    expect(renewed.status).toBe(200)
    expect(Object.keys(renewed.body).sort()).toEqual(['access', 'expires_in', 'token_type'])
    const next = cookieSet(renewed.headers).token
    expect(next).not.toBe(user.cookie)
    const rows = await refreshTokensOf(user.id)
    expect(rows.find((row) => row.jti === jtiOf(user.cookie))?.revoked_at).not.toBeNull()
    expect(rows.find((row) => row.jti === jtiOf(next))?.revoked_at).toBeNull()
    expect((await send('GET', '/api/auth/me/', { token: renewed.body.access })).status).toBe(200)
  })

  it('renews tab after tab, each with the cookie the last one set, and never takes that for theft', async () => {
    const user = await consoleUser()
    let cookie = user.cookie
    for (let tab = 0; tab < 4; tab++) {
      const renewed = await send('POST', '/api/auth/session/refresh/', withCookie(cookie))
      expect(renewed.status).toBe(200)
      cookie = cookieSet(renewed.headers).token
    }
    expect(await auditEventsFor('auth.refresh_reuse', user.id)).toEqual([])
    expect(await liveRefreshTokens(user.id)).toBe(1)
    expect((await send('GET', '/api/auth/me/', { token: user.access })).status).toBe(200)
  })

  it('answers 401 without a cookie', async () => {
    const refused = await send('POST', '/api/auth/session/refresh/', { headers: FROM_CONSOLE })
    expect(refused.status).toBe(401)
    expect(refused.body).toMatchObject({ code: 'not_authenticated', error: 'There is no session to renew: sign in.' })
  })

  it('clears a cookie whose token no longer works', async () => {
    const user = await consoleUser()
    expect((await send('POST', '/api/auth/session/refresh/', withCookie(user.cookie))).status).toBe(200)
    const replayed = await send('POST', '/api/auth/session/refresh/', withCookie(user.cookie))
    expect(replayed.status).toBe(401)
    const cleared = cookieSet(replayed.headers)
    expect(cleared.token).toBe('')
    expect(cleared.attributes).toContain('Max-Age=0')
    const forged = await send('POST', '/api/auth/session/refresh/', withCookie('not.a.token'))
    expect(forged.status).toBe(401)
    expect(cookieSet(forged.headers).token).toBe('')
  })

  it('refuses a renewal from another site, and the token stays as it was', async () => {
    const user = await consoleUser()
    const refused = await send('POST', '/api/auth/session/refresh/', withCookie(user.cookie, { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } }))
    expect(refused.status).toBe(403)
    const rows = await refreshTokensOf(user.id)
    expect(rows).toHaveLength(1)
    expect(rows[0].revoked_at).toBeNull()
  })
})

describe('DELETE /api/auth/session/ (sign out)', () => {
  it("revokes the cookie's refresh token and clears the cookie", async () => {
    const user = await consoleUser()
    const ended = await send('DELETE', '/api/auth/session/', withCookie(user.cookie))
    expect(ended.status).toBe(204)
    expect(cookieSet(ended.headers)).toMatchObject({ token: '', attributes: expect.arrayContaining(['Max-Age=0', 'Path=/api/auth/session/']) })
    expect(await liveRefreshTokens(user.id)).toBe(0)
    expect((await send('POST', '/api/auth/session/refresh/', withCookie(user.cookie))).status).toBe(401)
  })

  it('only clears the cookie when there is none to revoke', async () => {
    const ended = await send('DELETE', '/api/auth/session/', { headers: FROM_CONSOLE })
    expect(ended.status).toBe(204)
    expect(cookieSet(ended.headers).token).toBe('')
  })

  it('refuses a sign-out from another site, and the session lives on', async () => {
    const user = await consoleUser()
    const refused = await send('DELETE', '/api/auth/session/', withCookie(user.cookie, { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } }))
    expect(refused.status).toBe(403)
    expect(await liveRefreshTokens(user.id)).toBe(1)
  })
})

describe('POST /api/auth/session/switch-clinic/', () => {
  /** A console user who is also a clinician of another account's clinic. */
  async function memberOfTwo() {
    const owner = await signedInUser()
    const user = await consoleUser()
    const other = await clinicIdOf(owner.access)
    const { token } = await invite(owner.access, other, user.email, 'clinician')
    expect((await send('POST', '/api/invitations/accept/', { token: user.access, body: { token } })).status).toBe(200)
    return { user, own: await clinicIdOf(user.access), other }
  }

  it('moves the session to the other clinic: a new access token, the new refresh token in the cookie, the old one revoked', async () => {
    const { user, other } = await memberOfTwo()
    const switched = await send('POST', '/api/auth/session/switch-clinic/', withCookie(user.cookie, { token: user.access, body: { clinic: other } }))
    expect(switched.status).toBe(200)
    expect(switched.body).toMatchObject({ token_type: 'Bearer', clinic: { clinic: { id: other }, role: 'clinician' } })
    expect(switched.body.refresh).toBeUndefined()
    const next = cookieSet(switched.headers).token
    const rows = await refreshTokensOf(user.id)
    expect(rows.find((row) => row.jti === jtiOf(user.cookie))?.revoked_at).not.toBeNull()
    expect(rows.find((row) => row.jti === jtiOf(next))?.revoked_at).toBeNull()
    expect(await clinicIdOf(switched.body.access)).toBe(other)
    const renewed = await send('POST', '/api/auth/session/refresh/', withCookie(next))
    expect(await clinicIdOf(renewed.body.access)).toBe(other)
  })

  it('refuses a clinic the user is not in, and keeps the session it came from', async () => {
    const { user } = await memberOfTwo()
    const stranger = await signedInUser()
    const refused = await send('POST', '/api/auth/session/switch-clinic/', withCookie(user.cookie, { token: user.access, body: { clinic: await clinicIdOf(stranger.access) } }))
    expect(refused.status).toBe(404)
    expect(refused.headers.getAll('set-cookie')).toEqual([])
    const rows = await refreshTokensOf(user.id)
    expect(rows.find((row) => row.jti === jtiOf(user.cookie))?.revoked_at).toBeNull()
  })
})
