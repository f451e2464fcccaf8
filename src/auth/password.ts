import { pbkdf2Async } from '@noble/hashes/pbkdf2.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { MAX_PASSWORD_ITERATIONS, MAX_STORED_ITERATIONS } from '../core/config'

const ALGORITHM = 'pbkdf2_sha256'
const SALT_BYTES = 16
const HASH_BYTES = 32

/** Result of checking a password against its stored hash. */
export interface PasswordCheck {
  valid: boolean
  /** The stored hash used another iteration count: store a fresh hash at the configured one. */
  needsRehash: boolean
}

/**
 * Hashes a password as `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`. As in Django, the salt is
 * text (here 16 random bytes in base64) whose UTF-8 bytes salt the hash, so hashes carried over from
 * the Django versions of this API verify unchanged.
 */
export async function hashPassword(password: string, iterations: number): Promise<string> {
  const salt = toBase64(crypto.getRandomValues(new Uint8Array(SALT_BYTES)))
  const hash = await derive(password, salt, iterations)
  return [ALGORITHM, iterations, salt, toBase64(hash)].join('$')
}

/**
 * Checks a password against a stored hash in constant time. A malformed hash never matches, nor
 * one above MAX_STORED_ITERATIONS (1,000,000), which is treated as malformed. No hash at all (an
 * unknown email) spends the same work as a real check and never matches, so timing tells nothing.
 */
export async function verifyPassword(password: string, stored: string | undefined, iterations: number): Promise<PasswordCheck> {
  const parsed = stored === undefined ? undefined : parseHash(stored)
  if (!parsed) {
    await verifyAgainstDummy(password, iterations)
    return { valid: false, needsRehash: false }
  }
  const actual = await derive(password, parsed.salt, parsed.iterations)
  const valid = actual.byteLength === parsed.hash.byteLength && crypto.subtle.timingSafeEqual(actual, parsed.hash)
  return { valid, needsRehash: valid && parsed.iterations !== iterations }
}

/**
 * Spends the same work as a real check, for logins of unknown emails,
 * so the answer's timing doesn't tell which emails have accounts.
 */
export async function verifyAgainstDummy(password: string, iterations: number): Promise<void> {
  await derive(password, 'dummy-salt', iterations)
}

function parseHash(stored: string): { iterations: number; salt: string; hash: Uint8Array } | undefined {
  const [algorithm, iterationsText, salt, hash, ...rest] = stored.split('$')
  const iterations = Number(iterationsText)
  if (algorithm !== ALGORITHM || rest.length || !salt || !hash) return undefined
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_STORED_ITERATIONS) return undefined
  return { iterations, salt, hash: fromBase64(hash) }
}

/**
 * PBKDF2-HMAC-SHA256 with a text salt. WebCrypto in Workers refuses more than 100,000 iterations,
 * so hashes brought over from Django (260,000 in 3.2, 600,000 in 4.2) are checked by a pure JS
 * implementation (@noble/hashes): slower, but only until that login re-hashes the password at the
 * configured count. MAX_STORED_ITERATIONS bounds its cost.
 */
async function derive(password: string, salt: string, iterations: number): Promise<Uint8Array> {
  const encoder = new TextEncoder()
  if (iterations > MAX_PASSWORD_ITERATIONS) {
    return pbkdf2Async(sha256, encoder.encode(password), encoder.encode(salt), { c: iterations, dkLen: HASH_BYTES })
  }
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new TextEncoder().encode(salt), iterations }, key, HASH_BYTES * 8)
  return new Uint8Array(bits)
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
}

function fromBase64(text: string): Uint8Array {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0))
  } catch {
    return new Uint8Array()
  }
}
