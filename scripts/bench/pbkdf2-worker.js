/* global crypto, Response, TextEncoder */
// The floor for `login`: one bare PBKDF2-SHA256 hash per request, shaped as src/auth/password.ts
// derives it (32 bytes, a 24-character text salt) at the configured iteration count. Loaded next to
// the app in the same Miniflare instance so both are measured the same way.
const encoder = new TextEncoder()

export default {
  /** @param {Request} _request @param {{ PASSWORD_ITERATIONS: string }} env */
  async fetch(_request, env) {
    const key = await crypto.subtle.importKey('raw', encoder.encode('Bench-Kettle-2026!'), 'PBKDF2', false, ['deriveBits'])
    await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt: encoder.encode('c2FsdC1mb3ItdGhlLWJlbmNo'), iterations: Number(env.PASSWORD_ITERATIONS) },
      key,
      256,
    )
    return new Response(null, { status: 204 })
  },
}
