/** A new one-time token (an invitation's): 32 random bytes, base64url, 43 characters. */
export function newOneTimeToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

/**
 * What is stored of a one-time token: its SHA-256, hex. The token has 256 bits of entropy, so a fast
 * hash is enough; a database leak gives no usable token.
 */
export async function tokenHash(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}
