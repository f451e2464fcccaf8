// The console's refresh token lives in a cookie that scripts cannot read (HttpOnly), that travels only
// over HTTPS or to localhost (Secure, and the __Secure- prefix so a plain-HTTP page cannot plant one),
// only from this site's own pages (SameSite=Strict), and only to the session routes (its Path).
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { CookieOptions } from 'hono/utils/cookie'

const NAME = 'refresh'

/** The cookie's name as the browser sends it. */
export const REFRESH_COOKIE = `__Secure-${NAME}`

export const SESSION_PATH = '/api/auth/session/'

const ATTRIBUTES: CookieOptions = { prefix: 'secure', path: SESSION_PATH, httpOnly: true, sameSite: 'Strict' }

/** The refresh token the browser sent, if any. */
export const refreshCookieOf = (c: Context): string | undefined => getCookie(c, NAME, 'secure')

/** Hands the browser a new refresh token, for as long as the token lives. */
export const setRefreshCookie = (c: Context, token: string, seconds: number) => setCookie(c, NAME, token, { ...ATTRIBUTES, maxAge: seconds })

/** Tells the browser to drop the cookie (signed out, or a token that no longer works). */
export const clearRefreshCookie = (c: Context) => void deleteCookie(c, NAME, ATTRIBUTES)
