import { describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from '../src/auth/password'
import { passwordProblems, similarity } from '../src/auth/password-policy'
import { loadConfig, MAX_PASSWORD_ITERATIONS } from '../src/core/config'

const SECRET = 'Jq3vX9-bT2mLw8_zR4nYc6HpK1sDf7GaUe5Vo0Ni'

describe('PBKDF2 iteration bound', () => {
  it('is pinned at 100,000, the most Workers accept in production', () => {
    expect(MAX_PASSWORD_ITERATIONS).toBe(100_000)
    expect(loadConfig({ DB: {} as D1Database, JWT_SECRET: SECRET }).passwordIterations).toBe(100_000)
    expect(loadConfig({ DB: {} as D1Database, JWT_SECRET: SECRET, PASSWORD_ITERATIONS: '100000' }).passwordIterations).toBe(100_000)
    expect(() => loadConfig({ DB: {} as D1Database, JWT_SECRET: SECRET, PASSWORD_ITERATIONS: '100001' })).toThrow()
  })

  it('reads the documented defaults', () => {
    const config = loadConfig({ DB: {} as D1Database, JWT_SECRET: SECRET })
    expect(config.accessTokenSeconds).toBe(3600)
    expect(config.refreshTokenSeconds).toBe(86_400)
  })
})

describe('hashPassword / verifyPassword', () => {
  it('stores a self-describing hash with a random salt', async () => {
    const [first, second] = await Promise.all([hashPassword('Sturdy-Kettle-42', 1000), hashPassword('Sturdy-Kettle-42', 1000)])
    expect(first).toMatch(/^pbkdf2_sha256\$1000\$[^$]+\$[^$]+$/)
    expect(first).not.toBe(second)
  })

  it('matches the Django / RFC 8018 PBKDF2-HMAC-SHA256 output', async () => {
    // Python: base64(hashlib.pbkdf2_hmac('sha256', b'password', b'salt', 1, 32)), as Django stores it.
    const stored = 'pbkdf2_sha256$1$salt$Eg+2z/z4syxD5yJSVsT4N6hlSMkszDVICAWYfLcL4Xs='
    expect(await verifyPassword('password', stored, 1)).toEqual({ valid: true, needsRehash: false })
  })

  it('accepts the right password, refuses a wrong one, and asks for a re-hash at a new cost', async () => {
    const stored = await hashPassword('Sturdy-Kettle-42', 1000)
    expect(await verifyPassword('Sturdy-Kettle-42', stored, 1000)).toEqual({ valid: true, needsRehash: false })
    expect(await verifyPassword('Sturdy-Kettle-43', stored, 1000)).toEqual({ valid: false, needsRehash: false })
    expect(await verifyPassword('Sturdy-Kettle-42', stored, 2000)).toEqual({ valid: true, needsRehash: true })
  })

  it('never matches a malformed hash or one above 1,000,000 iterations (refused as malformed)', async () => {
    for (const stored of ['', 'plain', 'md5$1$a$b', 'pbkdf2_sha256$abc$c2FsdA==$AAAA', 'pbkdf2_sha256$1000001$salt$AAAA']) {
      expect((await verifyPassword('password', stored, 1000)).valid).toBe(false)
    }
  })
})

describe('password policy', () => {
  const person = { email: 'grace.hopper@example.com', name: 'Grace Hopper' }

  it('accepts a reasonable password', () => {
    expect(passwordProblems('Sturdy-Kettle-42', person)).toEqual([])
  })

  it('lists every problem it finds', () => {
    expect(passwordProblems('1234567', person)).toHaveLength(2)
    expect(passwordProblems('gracehopper', person)).toEqual([expect.stringContaining('too similar to the email')])
    expect(passwordProblems('Hopper-Grace', { ...person, email: 'gh@example.com' })).toEqual([expect.stringContaining('too similar to the name')])
  })

  it('computes difflib quick_ratio', () => {
    expect(similarity('abcd', 'bcde')).toBe(0.75)
    expect(similarity('', '')).toBe(1)
    expect(similarity('abc', 'xyz')).toBe(0)
  })
})
