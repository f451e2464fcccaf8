import { createMiddleware } from 'hono/factory'
import { noneMatch } from '../core/versions'
import type { AppEnv } from '../env'

/**
 * Conditional GET: after the handler has answered 200 with an ETag, an `If-None-Match` naming that
 * ETag (or `*`) turns the answer into a 304 with no body.
 *
 * @example
 * app.use(conditionalGet())
 */
export const conditionalGet = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    await next()
    const etag = c.res.headers.get('etag')
    if (c.req.method !== 'GET' || c.res.status !== 200 || !etag) return
    if (!noneMatch(c.req.header('if-none-match'), etag)) return
    const headers = new Headers(c.res.headers)
    headers.delete('content-type')
    headers.delete('content-length')
    c.res = new Response(null, { status: 304, headers })
  })
