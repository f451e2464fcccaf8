import { createMiddleware } from 'hono/factory'
import { NON_FIELD } from '../core/error-codes'
import type { AppEnv } from '../env'
import { fieldError } from '../lib/errors'

/**
 * Refuses a query string whose text a body would not be allowed: a NUL (`%00`, which SQLite's
 * string functions stop at, so `?search=%00` matched every record) or bytes that are not UTF-8
 * (which would be read as U+FFFD). 400 on the parameter. After jsonBody, so a refused request's
 * body is read all the same.
 *
 * @example
 * app.use(queryText())
 */
export const queryText = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const url = c.req.url
    const start = url.indexOf('?')
    if (start >= 0) {
      for (const pair of url.slice(start + 1).split('#')[0].split('&')) {
        const at = pair.indexOf('=')
        const [rawName, rawValue] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)]
        const name = decoded(rawName)
        const field = name?.replaceAll('\u0000', '') || NON_FIELD
        const value = decoded(rawValue)
        if (name === undefined || value === undefined) throw fieldError(field, 'Percent-encode this parameter as UTF-8: it has bytes or escapes that are not.')
        if (name.includes('\u0000') || value.includes('\u0000')) throw fieldError(field, 'Text may not contain NUL characters (%00).')
      }
    }
    await next()
  })

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    return undefined
  }
}
