// The console's one door to the API: same origin, bearer tokens, and every refusal turned into
// words. The access token lives only in memory; the refresh token in sessionStorage (this tab, until
// it closes), never localStorage.

const REFRESH_KEY = 'console.refresh'

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
}

export interface Answer<T> {
  data: T
  etag: string | null
}

/** Sends one request; on an expired access token, refreshes once and retries. */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
  const signedIn = access !== null && !options.anonymous
  let response = await send(method, path, options)
  if (response.status === 401 && signedIn) {
    const renewed = await refresh()
    if (renewed) response = await send(method, path, options)
  }
  const text = await response.text()
  if (!response.ok) {
    const error = refusal(response, text)
    if (response.status === 401 && signedIn) {
      forget()
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

let refreshing: Promise<boolean> | null = null

/** Trades the stored refresh token for new tokens; false (and signed out) when it is refused. */
export function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const token = sessionStorage.getItem(REFRESH_KEY)
    if (!token) return false
    const response = await send('POST', '/api/auth/refresh/', { body: { refresh: token }, anonymous: true }).catch(() => null)
    if (!response?.ok) {
      await response?.text()
      // Another answer than 401 (a 429, no network) keeps the refresh token for a later try.
      if (response?.status === 401) forget()
      return false
    }
    const tokens = (await response.json()) as { access: string; refresh: string }
    remember(tokens)
    return true
  })().finally(() => {
    refreshing = null
  })
  return refreshing
}

function remember(tokens: { access: string; refresh: string }) {
  access = tokens.access
  sessionStorage.setItem(REFRESH_KEY, tokens.refresh)
}

function forget() {
  access = null
  sessionStorage.removeItem(REFRESH_KEY)
}

export async function signIn(email: string, password: string): Promise<User> {
  const { data } = await request<{ access: string; refresh: string; user: User }>('POST', '/api/auth/login/', {
    body: { email, password },
    anonymous: true,
  })
  remember(data)
  return data.user
}

/** Restores a session from this tab's refresh token, if it has one that still works. */
export async function resume(): Promise<Me | null> {
  if (!(await refresh())) return null
  return whoAmI()
}

/** The signed-in user with the clinic the tokens act in, their role there and their other clinics. */
export const whoAmI = () => get<Me>('/api/auth/me/')

/**
 * Trades this session for one in another clinic of the user's; the refresh token of the clinic left
 * is revoked, so the tab holds one session.
 */
export async function switchClinic(clinic: number): Promise<void> {
  const { data } = await request<{ access: string; refresh: string }>('POST', '/api/auth/switch-clinic/', { body: { clinic } })
  const left = sessionStorage.getItem(REFRESH_KEY)
  remember(data)
  if (left) await request('POST', '/api/auth/logout/', { body: { refresh: left }, anonymous: true }).catch(() => {})
}

/** Logs out on the server (the refresh token dies there) and forgets both tokens here. */
export async function signOut(): Promise<void> {
  const token = sessionStorage.getItem(REFRESH_KEY)
  access = null
  sessionStorage.removeItem(REFRESH_KEY)
  if (token) await request('POST', '/api/auth/logout/', { body: { refresh: token }, anonymous: true }).catch(() => {})
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
