// The console's one door to the API: same origin, bearer tokens, and every refusal turned into
// words. The access token lives only in this tab's memory. The refresh token is an HttpOnly cookie
// that no script can read, shared by every tab of the browser and sent only to /api/auth/session/.
// Whatever uses that cookie (a renewal, a clinic switch, signing out) runs in one tab at a time
// (Web Locks), so no tab ever sends a token that another has just rotated, which the API would take
// for theft; and the tabs tell each other when the session starts, ends or moves to another clinic.

import type { Me, User } from './types'

type FieldErrors = Record<string, string[]>

/** The `details` key of problems that belong to no one field. */
export const NON_FIELD = 'non_field_errors'

/** A refusal from the API (or no answer at all), with a message fit to show as it is. */
export class RequestFailed extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: FieldErrors,
  ) {
    super(message)
  }

  /** The message plus each field's errors, as lines of text. */
  get lines(): string[] {
    const fields = Object.entries(this.details ?? {}).map(([field, messages]) =>
      field === NON_FIELD ? messages.join(' ') : `${label(field)}: ${messages.join(' ')}`,
    )
    return [this.message, ...fields]
  }
}

const label = (field: string) => field.charAt(0).toUpperCase() + field.slice(1).replace(/_/g, ' ')

let access: string | null = null
let onSignedOut: (reason: string) => void = () => {}

/** Called with the API's words when the session ends on its own (tokens refused), so the app can show sign-in. */
export function whenSignedOut(callback: (reason: string) => void) {
  onSignedOut = callback
}

interface RequestOptions {
  body?: unknown
  headers?: Record<string, string>
  /** Skip the bearer token (sign-in, refresh, logout). */
  anonymous?: boolean
  /** Uses the session cookie, so runs while no other tab does. */
  exclusive?: boolean
}

export interface Answer<T> {
  data: T
  etag: string | null
}

/** Sends one request; on an expired access token, refreshes once and retries. */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
  const signedIn = access !== null && !options.anonymous
  // The renewal between two tries takes the lock itself, so it is never held across both.
  const attempt = () => (options.exclusive ? oneTabAtATime(() => send(method, path, options)) : send(method, path, options))
  let response = await attempt()
  if (response.status === 401 && signedIn) {
    const renewed = await refresh()
    if (renewed) response = await attempt()
  }
  const text = await response.text()
  if (!response.ok) {
    const error = refusal(response, text)
    if (response.status === 401 && signedIn) {
      access = null
      onSignedOut(error.message)
    }
    throw error
  }
  return { data: (text ? JSON.parse(text) : null) as T, etag: response.headers.get('etag') }
}

export const get = async <T>(path: string) => (await request<T>('GET', path)).data

async function send(method: string, path: string, { body, headers = {}, anonymous }: RequestOptions): Promise<Response> {
  const all: Record<string, string> = { accept: 'application/json', ...headers }
  if (body !== undefined) all['content-type'] = 'application/json'
  if (access && !anonymous) all.authorization = `Bearer ${access}`
  try {
    return await fetch(path, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch {
    throw new RequestFailed(0, 'network_error', 'The server could not be reached. Check the connection and try again.')
  }
}

function refusal(response: Response, text: string): RequestFailed {
  let envelope: { error?: unknown; code?: unknown; details?: unknown } | null = null
  try {
    envelope = JSON.parse(text)
  } catch {
    // Not the API's envelope (a proxy's page, an empty body): fall back to the status below.
  }
  if (envelope && typeof envelope.error === 'string') {
    const code = typeof envelope.code === 'string' ? envelope.code : 'error'
    const details = envelope.details && typeof envelope.details === 'object' ? (envelope.details as FieldErrors) : undefined
    return new RequestFailed(response.status, code, envelope.error, details)
  }
  return new RequestFailed(response.status, 'error', `The server answered ${response.status} ${response.statusText || ''}`.trim() + '.')
}

const SESSION = '/api/auth/session/'

/** What one tab tells the others about the session they share. */
export type SessionEvent = 'signed-in' | 'signed-out' | 'switched'

const tabs = new BroadcastChannel('console-session')

/** Called with what another tab did to the session (a tab never hears its own). */
export function whenAnotherTab(callback: (event: SessionEvent) => void) {
  tabs.onmessage = (message: MessageEvent<SessionEvent>) => callback(message.data)
}

/** Runs `work` while no other tab of this origin runs work that uses the session cookie. */
async function oneTabAtATime<T>(work: () => Promise<T>): Promise<T> {
  return await navigator.locks.request('console-session', work)
}

let refreshing: Promise<boolean> | null = null

/** A new access token for the cookie's session; false (and signed out here) when it is refused. */
export function refresh(): Promise<boolean> {
  refreshing ??= oneTabAtATime(async () => {
    const response = await send('POST', `${SESSION}refresh/`, { anonymous: true }).catch(() => null)
    if (!response?.ok) {
      await response?.text()
      // Another answer than 401 (a 429, no network) keeps the session for a later try.
      if (response?.status === 401) access = null
      return false
    }
    access = ((await response.json()) as { access: string }).access
    return true
  }).finally(() => {
    refreshing = null
  })
  return refreshing
}

export async function signIn(email: string, password: string): Promise<User> {
  const { data } = await request<{ access: string; user: User }>('POST', SESSION, { body: { email, password }, anonymous: true, exclusive: true })
  access = data.access
  tabs.postMessage('signed-in' satisfies SessionEvent)
  return data.user
}

/** Picks up the browser's session (another tab's, or this tab's before a reload), if there is one that still works. */
export async function resume(): Promise<Me | null> {
  if (!(await refresh())) return null
  return whoAmI()
}

/** Forgets this tab's access token, after another tab signed out. */
export function forgetAccess() {
  access = null
}

/** The signed-in user with the clinic the tokens act in, their role there and their other clinics. */
export const whoAmI = () => get<Me>('/api/auth/me/')

/** Moves the session, every tab's, to another clinic of the user's; the refresh token of the clinic left dies with the move. */
export async function switchClinic(clinic: number): Promise<void> {
  const { data } = await request<{ access: string }>('POST', `${SESSION}switch-clinic/`, { body: { clinic }, exclusive: true })
  access = data.access
  tabs.postMessage('switched' satisfies SessionEvent)
}

/** Signs out every tab: the refresh token dies on the server and the cookie is cleared. */
export async function signOut(): Promise<void> {
  access = null
  await request('DELETE', SESSION, { anonymous: true, exclusive: true }).catch(() => {})
  tabs.postMessage('signed-out' satisfies SessionEvent)
}

/** A query string from the filters that have a value. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}
