import { pbkdf2Sync, randomBytes } from 'node:crypto'

/** The Worker's default cost; a login re-hashes a password stored at another cost. */
export const ITERATIONS = 100_000

/**
 * The Worker's stored form (src/auth/password.ts): `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`.
 * @param {string} password
 */
export function passwordHash(password, iterations = ITERATIONS) {
  const salt = randomBytes(16).toString('base64')
  const hash = pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('base64')
  return `pbkdf2_sha256$${iterations}$${salt}$${hash}`
}

export { sqlText } from './sql-text.mjs'
