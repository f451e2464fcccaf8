import { env, exports } from 'cloudflare:workers'

export const BASE = 'http://api.test'

export interface CallOptions {
  body?: unknown
  /** Sent as-is, bypassing JSON encoding. */
  rawBody?: BodyInit
  token?: string
  headers?: Record<string, string>
}

export interface ApiResponse<T = any> {
  status: number
  headers: Headers
  body: T
}

/** Calls the Worker the way a client would and always consumes the response body. */
export async function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
  const headers = new Headers(options.headers)
  let body: BodyInit | undefined = options.rawBody
  if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    if (!headers.has('content-type')) headers.set('content-type', 'application/json')
  }
  if (options.token) headers.set('authorization', `Bearer ${options.token}`)
  // Each call looks like a new client, so per-IP rate limits only trigger in tests that aim at them.
  if (!headers.has('cf-connecting-ip')) headers.set('cf-connecting-ip', randomIp())
  const response = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }))
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null }
}

/** A random documentation-range (RFC 5737) IPv4 address. */
export const randomIp = () => `198.51.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`

let counter = 0
/** An email no other test in this file uses. */
export const uniqueEmail = (prefix = 'user') => `${prefix}.${Date.now().toString(36)}.${++counter}@example.com`

export const GOOD_PASSWORD = 'Sturdy-Kettle-42'

export async function registerUser(overrides: { name?: string; email?: string; password?: string } = {}) {
  const credentials = { name: overrides.name ?? 'Test Clinician', email: overrides.email ?? uniqueEmail(), password: overrides.password ?? GOOD_PASSWORD }
  const response = await call('POST', '/api/auth/register/', { body: credentials })
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`)
  return { ...credentials, user: response.body.user as { id: number; name: string; email: string; date_joined: string } }
}

export async function login(email: string, password: string) {
  const response = await call('POST', '/api/auth/login/', { body: { email, password } })
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`)
  return response.body as { access: string; refresh: string; expires_in: number; user: { id: number } }
}

/** A registered, signed-in user. */
export async function signedInUser(overrides: { name?: string; email?: string } = {}) {
  const registered = await registerUser(overrides)
  const tokens = await login(registered.email, registered.password)
  return { ...registered, ...tokens, id: registered.user.id }
}

export const db = () => env.DB

/** A date of birth `years` years ago today (UTC), as YYYY-MM-DD. */
export function dateYearsAgo(years: number): string {
  const today = new Date()
  return new Date(Date.UTC(today.getUTCFullYear() - years, today.getUTCMonth(), today.getUTCDate())).toISOString().slice(0, 10)
}

/** Creates a patient owned by the token's user; fields not given get valid defaults. */
export async function createPatient(token: string, fields: Record<string, unknown> = {}) {
  const response = await call('POST', '/api/patients/', {
    token,
    body: { name: 'Grace Hopper', date_of_birth: '1980-03-15', gender: 'female', ...fields },
  })
  if (response.status !== 201) throw new Error(`createPatient failed: ${response.status} ${JSON.stringify(response.body)}`)
  return response.body
}

/** Creates a doctor as the token's user; fields not given get valid defaults. */
export async function createDoctor(token: string, fields: Record<string, unknown> = {}) {
  const response = await call('POST', '/api/doctors/', {
    token,
    body: { name: 'Dr. John Watson', specialization: 'Cardiology', ...fields },
  })
  if (response.status !== 201) throw new Error(`createDoctor failed: ${response.status} ${JSON.stringify(response.body)}`)
  return response.body
}

/** Assigns a doctor to a patient as the token's user. */
export async function createMapping(token: string, patient: number, doctor: number, fields: Record<string, unknown> = {}) {
  const response = await call('POST', '/api/mappings/', { token, body: { patient, doctor, ...fields } })
  if (response.status !== 201) throw new Error(`createMapping failed: ${response.status} ${JSON.stringify(response.body)}`)
  return response.body
}
