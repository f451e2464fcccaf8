import type { z } from '@hono/zod-openapi'
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import app from '../src/app'
import { auditMessage } from '../src/core/audit'
import type { LoginResultSchema, User } from '../src/schemas/auth'
import type { Doctor } from '../src/schemas/doctors'
import type { Assignment } from '../src/schemas/assignments'
import type { Patient } from '../src/schemas/patients'
import { insertDeadLetter, makeAdmin } from './db'

export const BASE = 'http://api.test'

export type LoginResult = z.infer<typeof LoginResultSchema>

/**
 * What a test may put in place of the test environment's bindings for one request: a recording
 * or broken D1, a small rate limiter, a missing secret. Merged over `env`.
 */
export type EnvOverrides = { [K in keyof Cloudflare.Env]?: Cloudflare.Env[K] | undefined }

export interface SendOptions {
  body?: unknown
  /** Sent as-is, bypassing JSON encoding. */
  rawBody?: BodyInit
  token?: string
  headers?: Record<string, string>
  env?: EnvOverrides
}

/**
 * A body a test reads freely (error envelopes, pages, details). Factories and the typed helpers
 * below return the API's own types; `send<T>()` takes one where a test wants it checked.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LooseBody = any

export interface Sent<T = LooseBody> {
  status: number
  headers: Headers
  /** The parsed JSON answer; null for an empty or non-JSON one. */
  body: T
  /** The answer as sent. */
  text: string
  /** How many pieces of work the request handed to `waitUntil` (none is expected: see test/budgets.test.ts). */
  deferred: number
}

/**
 * The one way tests reach the Worker: `app.fetch` with an ExecutionContext of its own, whose
 * `waitUntil` work has settled when this returns.
 * `hono/client` goes through it too, as its `fetch`.
 */
export async function dispatch(request: Request, bindings: EnvOverrides = {}): Promise<{ response: Response; deferred: number }> {
  const inner = createExecutionContext()
  let deferred = 0
  const ctx: ExecutionContext = {
    waitUntil: (promise: Promise<unknown>) => {
      deferred += 1
      inner.waitUntil(promise)
    },
    passThroughOnException: () => inner.passThroughOnException(),
    props: inner.props,
    tracing: inner.tracing,
  }
  const response = await app.fetch(request, { ...env, ...bindings } as Cloudflare.Env, ctx)
  await waitOnExecutionContext(inner)
  return { response, deferred }
}

/** Sends one request the way a client would, and always consumes the answer's body. */
export async function send<T = LooseBody>(method: string, path: string, options: SendOptions = {}): Promise<Sent<T>> {
  const headers = new Headers(options.headers)
  let body: BodyInit | undefined = options.rawBody
  if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    if (!headers.has('content-type')) headers.set('content-type', 'application/json')
  }
  if (options.token) headers.set('authorization', `Bearer ${options.token}`)
  // Each request looks like a new client, so per-IP rate limits only trigger in tests that aim at them.
  if (!headers.has('cf-connecting-ip')) headers.set('cf-connecting-ip', randomIp())
  const { response, deferred } = await dispatch(new Request(`${BASE}${path}`, { method, headers, body }), options.env)
  const text = await response.text()
  const json = text !== '' && /^application\/json/.test(response.headers.get('content-type') ?? '')
  return { status: response.status, headers: response.headers, body: (json ? JSON.parse(text) : null) as T, text, deferred }
}

/** A random documentation-range (RFC 5737) IPv4 address. */
export const randomIp = () => `198.51.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`

let counter = 0
/** An email no other test in this file uses. */
export const uniqueEmail = (prefix = 'user') => `${prefix}.${Date.now().toString(36)}.${++counter}@example.com`

export const GOOD_PASSWORD = 'Sturdy-Kettle-42'

/** Sends a request that must answer `status`, and returns its body as `T`. */
async function expectStatus<T>(status: number, method: string, path: string, options: SendOptions, what: string): Promise<T> {
  const response = await send<T>(method, path, options)
  if (response.status !== status) throw new Error(`${what} failed: ${response.status} ${response.text}`)
  return response.body
}

export interface Registered {
  name: string
  email: string
  password: string
  user: User
}

export async function registerUser(overrides: { name?: string; email?: string; password?: string } = {}): Promise<Registered> {
  const credentials = { name: overrides.name ?? 'Test Clinician', email: overrides.email ?? uniqueEmail(), password: overrides.password ?? GOOD_PASSWORD }
  const { user } = await expectStatus<{ user: User }>(201, 'POST', '/api/auth/register/', { body: credentials }, 'register')
  return { ...credentials, user }
}

export function login(email: string, password: string): Promise<LoginResult> {
  return expectStatus<LoginResult>(200, 'POST', '/api/auth/login/', { body: { email, password } }, 'login')
}

/** The headers Chromium sends with a same-origin fetch from the console (the session routes refuse any other). */
export const FROM_CONSOLE = { origin: BASE, 'sec-fetch-site': 'same-origin' }

export const REFRESH_COOKIE = '__Secure-refresh'

/** The refresh token a Set-Cookie answer hands the browser ('' when it clears it), and the cookie's attributes. */
export function refreshCookieSet(headers: Headers): { token: string; attributes: string[] } {
  const line = headers.getAll('set-cookie').find((cookie: string) => cookie.startsWith(`${REFRESH_COOKIE}=`))
  if (!line) throw new Error(`no ${REFRESH_COOKIE} cookie in ${JSON.stringify(headers.getAll('set-cookie'))}`)
  const [pair, ...attributes] = line.split(/;\s*/)
  return { token: pair.slice(REFRESH_COOKIE.length + 1), attributes }
}

/** The headers of a console request that carries the refresh cookie. */
export const withRefreshCookie = (token: string): Record<string, string> => ({ ...FROM_CONSOLE, cookie: `${REFRESH_COOKIE}=${token}` })

/** Signs in the way the console does: the access token, and the refresh token of the cookie. */
export async function consoleSession(email: string, password: string): Promise<{ access: string; cookie: string }> {
  const response = await send('POST', '/api/auth/session/', { body: { email, password }, headers: FROM_CONSOLE })
  if (response.status !== 200) throw new Error(`console sign-in failed: ${response.status} ${response.text}`)
  return { access: response.body.access, cookie: refreshCookieSet(response.headers).token }
}

export type SignedIn = Registered & LoginResult & { id: number }

/** A registered, signed-in user. */
export async function signedInUser(overrides: { name?: string; email?: string } = {}): Promise<SignedIn> {
  const registered = await registerUser(overrides)
  const tokens = await login(registered.email, registered.password)
  return { ...registered, ...tokens, id: registered.user.id }
}

/** A signed-in user promoted to administrator in D1 (no route creates the first admin). */
export async function signedInAdmin(overrides: { name?: string } = {}): Promise<SignedIn> {
  const admin = await signedInUser({ name: 'Ada Admin', ...overrides })
  await makeAdmin(admin.id)
  return admin
}

/** A date of birth `years` years ago today (UTC), as YYYY-MM-DD. */
export function dateYearsAgo(years: number): string {
  const today = new Date()
  return new Date(Date.UTC(today.getUTCFullYear() - years, today.getUTCMonth(), today.getUTCDate())).toISOString().slice(0, 10)
}

/** Creates a patient owned by the token's user; fields not given get valid defaults. */
export function createPatient(token: string, fields: Record<string, unknown> = {}): Promise<Patient> {
  const body = { name: 'Grace Hopper', date_of_birth: '1980-03-15', gender: 'female', ...fields }
  return expectStatus<Patient>(201, 'POST', '/api/patients/', { token, body }, 'createPatient')
}

/** Creates a doctor as the token's user; fields not given get valid defaults. */
export function createDoctor(token: string, fields: Record<string, unknown> = {}): Promise<Doctor> {
  const body = { name: 'Dr. John Watson', specialization: 'Cardiology', ...fields }
  return expectStatus<Doctor>(201, 'POST', '/api/doctors/', { token, body }, 'createDoctor')
}

/** Assigns a doctor to a patient as the token's user. */
export function createAssignment(token: string, patient: number, doctor: number, fields: Record<string, unknown> = {}): Promise<Assignment> {
  return expectStatus<Assignment>(201, 'POST', '/api/mappings/', { token, body: { patient, doctor, ...fields } }, 'createAssignment')
}

export interface Clinic {
  user: SignedIn
  token: string
  patient: Patient
  doctor: Doctor
}

/** A signed-in user with one patient and one doctor of their own, and, with `assigned`, the assignment between them. */
export async function clinic(options?: { patient?: Record<string, unknown>; doctor?: Record<string, unknown> }): Promise<Clinic>
export async function clinic(options: { patient?: Record<string, unknown>; doctor?: Record<string, unknown>; assigned: true }): Promise<Clinic & { assignment: Assignment }>
export async function clinic(options: { patient?: Record<string, unknown>; doctor?: Record<string, unknown>; assigned?: boolean } = {}) {
  const user = await signedInUser()
  const patient = await createPatient(user.access, options.patient)
  const doctor = await createDoctor(user.access, options.doctor)
  const assignment = options.assigned ? await createAssignment(user.access, patient.id, doctor.id) : undefined
  return { user, token: user.access, patient, doctor, ...(assignment ? { assignment } : {}) }
}

/** The clinic a signed-in user's access token acts in. */
export async function clinicIdOf(access: string): Promise<number> {
  const me = await expectStatus<{ clinic: { id: number } }>(200, 'GET', '/api/auth/me/', { token: access }, 'me')
  return me.clinic.id
}

export interface InvitationCreated {
  id: number
  email: string
  role: string
  token: string
  accept_url: string
}

/** An invitation into the admin's clinic, with its one-time token. */
export function invite(adminAccess: string, clinicId: number, email: string, role: 'admin' | 'clinician' | 'front_desk'): Promise<InvitationCreated> {
  return expectStatus<InvitationCreated>(201, 'POST', `/api/clinics/${clinicId}/invitations/`, { token: adminAccess, body: { email, role } }, 'invite')
}

/** A new account that registers with an invitation into the admin's clinic as `role`, and signs in there. */
export async function joinedMember(adminAccess: string, role: 'admin' | 'clinician' | 'front_desk', overrides: { name?: string } = {}): Promise<SignedIn & { clinicId: number }> {
  const clinicId = await clinicIdOf(adminAccess)
  const email = uniqueEmail()
  const { token } = await invite(adminAccess, clinicId, email, role)
  const credentials = { name: overrides.name ?? `Test ${role}`, email, password: GOOD_PASSWORD }
  const { user } = await expectStatus<{ user: User }>(201, 'POST', '/api/auth/register/', { body: { ...credentials, invitation: token } }, 'register by invitation')
  const tokens = await login(email, GOOD_PASSWORD)
  return { ...credentials, ...tokens, user, id: user.id, clinicId }
}

/**
 * What the suites that visit every route need: a clinic whose patient and doctor are assigned,
 * a spare patient and doctor to delete, another user, an administrator, and an account for the
 * administrator to change. Ids and access tokens; `user` for the rest.
 */
export async function everyRouteFixture(patient: Record<string, unknown>) {
  const { user, token: access, patient: assigned, doctor, assignment } = await clinic({ patient, assigned: true })
  const spare = await createPatient(access, { name: 'Spare' })
  const spareDoctor = await createDoctor(access, { name: 'Dr. Spare' })
  const other = await signedInUser()
  const admin = await signedInAdmin()
  const target = await signedInUser()
  const deadLetter = await insertDeadLetter(
    auditMessage({ actorId: user.id, requestId: crypto.randomUUID(), clientIp: null }, { action: 'patient.read', resourceType: 'patient', resourceId: assigned.id, outcome: 'ok', patients: [assigned.id] }, new Date().toISOString().slice(0, 19) + 'Z'),
  )
  const clinicId = await clinicIdOf(access)
  const colleague = await joinedMember(access, 'clinician')
  const leaver = await joinedMember(access, 'front_desk')
  const pending = await invite(access, clinicId, uniqueEmail(), 'clinician')
  // Someone with a clinic of their own, invited too: they accept with this token, signed in.
  const joiner = await signedInUser()
  const welcome = await invite(access, clinicId, joiner.email, 'front_desk')
  return {
    user,
    access,
    clinic: clinicId,
    colleague: colleague.id,
    leaver: leaver.id,
    invitation: pending.id,
    welcomeToken: welcome.token,
    joiner: joiner.access,
    other: other.access,
    admin: admin.access,
    email: user.email,
    patient: assigned.id,
    spare: spare.id,
    doctor: doctor.id,
    spareDoctor: spareDoctor.id,
    assignment: assignment.id,
    target: target.id,
    deadLetter,
  }
}

/** The ids and tokens of `everyRouteFixture`, without its user. */
export type EveryRouteFixture = Omit<Awaited<ReturnType<typeof everyRouteFixture>>, 'user'>

/** Every route the app serves, as `METHOD /pattern/:param` in Hono's words, each once; middleware left out. */
export const routeKeys = (): string[] => [...new Set(app.routes.filter((route) => route.method !== 'ALL').map((route) => `${route.method} ${route.path}`))].sort()

/** Checks that a table keyed by route names every route the app serves, and no route it does not. */
export function expectEveryRoute(table: Record<string, unknown>): void {
  const missing = routeKeys().filter((key) => !(key in table))
  const stale = Object.keys(table).filter((key) => !routeKeys().includes(key))
  if (missing.length || stale.length) throw new Error(`routes without an entry: ${JSON.stringify(missing)}; entries without a route: ${JSON.stringify(stale)}`)
}
