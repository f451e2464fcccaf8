/* global atob, crypto, Response, TextDecoder, TextEncoder */
// What every signed-in floor Worker must do, and nothing more: verify an HS256 access token (the
// HMAC key imported once per isolate), and the guard statement of src/db/session-guard.ts for a
// permission every role holds, which leads the request's one D1 batch.
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** @type {Map<string, Promise<CryptoKey>>} */
const keys = new Map()
const keyOf = (/** @type {string} */ secret) => {
  let key = keys.get(secret)
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
    keys.set(secret, key)
  }
  return key
}

const bytesOf = (/** @type {string} */ base64url) => Uint8Array.from(atob(base64url.replaceAll('-', '+').replaceAll('_', '/')), (char) => char.charCodeAt(0))

/**
 * The claims of a valid access token from the request's Authorization header (HS256 only, signature,
 * expiry, issuer, audience and type checked), or null.
 * @param {Request} request
 * @param {{ JWT_SECRET: string, ENVIRONMENT?: string, JWT_ISSUER?: string }} env
 * @returns {Promise<{ userId: number, generation: number, clinicId: number } | null>}
 */
export async function verifyAccess(request, env) {
  const token = request.headers.get('authorization')?.slice('Bearer '.length) ?? ''
  const [header, payload, signature] = token.split('.')
  if (!signature || JSON.parse(decoder.decode(bytesOf(header))).alg !== 'HS256') return null
  const signed = await crypto.subtle.verify('HMAC', await keyOf(env.JWT_SECRET), bytesOf(signature), encoder.encode(`${header}.${payload}`))
  if (!signed) return null
  const claims = JSON.parse(decoder.decode(bytesOf(payload)))
  const fresh = claims.exp > Date.now() / 1000 && claims.iss === (env.JWT_ISSUER || 'healthcare-records-api') && claims.aud === (env.ENVIRONMENT || 'development')
  if (!fresh || claims.token_type !== 'access' || typeof claims.clinic !== 'number') return null
  return { userId: Number(claims.sub), generation: claims.gen, clinicId: claims.clinic }
}

/**
 * The guard of src/db/session-guard.ts, as it reads for a permission of every role: the member's role
 * while the account is active at the token's generation and an active member of its clinic, else a
 * run-time error that aborts the batch it leads.
 * @param {D1Database} db
 * @param {{ userId: number, generation: number, clinicId: number }} claims
 */
export const guardStatement = (db, { userId, generation, clinicId }) =>
  db
    .prepare(
      `SELECT CASE (SELECT m.role FROM clinic_members AS m JOIN users AS u ON u.id = m.user_id ` +
        `WHERE m.clinic_id = ? AND m.user_id = ? AND m.status = 'active' AND u.is_active = 1 AND u.token_generation = ?) ` +
        `WHEN 'admin' THEN 'admin' WHEN 'clinician' THEN 'clinician' WHEN 'front_desk' THEN 'front_desk' ELSE json('session ended') END AS role`,
    )
    .bind(clinicId, userId, generation)

export const json = (/** @type {unknown} */ body, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
