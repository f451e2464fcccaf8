import { cors } from 'hono/cors'
import { createMiddleware } from 'hono/factory'
import { BOOKMARK_HEADER, connect, isBookmark, openSession } from '../db/client'
import type { AppEnv } from '../env'
import { loadConfig } from './config'
import { fieldError } from './errors'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Validates configuration and opens this request's D1 session; the answer carries the session's
 * bookmark, which the client sends back to read its own writes from any replica.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  c.set('config', loadConfig(c.env))
  const bookmark = c.req.header(BOOKMARK_HEADER)
  if (bookmark !== undefined && !isBookmark(bookmark)) {
    throw fieldError(BOOKMARK_HEADER, 'Send back the x-d1-bookmark value of an earlier answer, unchanged.')
  }
  const session = openSession(c.env.DB, { writes: !SAFE_METHODS.has(c.req.method), bookmark })
  c.set('db', connect(session))
  await next()
  const latest = session.getBookmark()
  if (latest) c.header(BOOKMARK_HEADER, latest)
})

/**
 * One structured log line per request. It names the route pattern, never the concrete path, and
 * nothing from headers or bodies, so no token, password or patient field can reach the logs.
 */
export const accessLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now()
  await next()
  console.log(
    JSON.stringify({
      level: 'info',
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      duration_ms: Date.now() - started,
      user_id: c.var.userId ?? null,
      request_id: c.var.requestId,
    }),
  )
})

/** CORS for the origins listed in `CORS_ORIGINS` (comma-separated); no cross-origin access when unset. */
export const corsFromEnv = cors({
  origin: (origin, c) => {
    const allowed = (c.env.CORS_ORIGINS ?? '').split(',').map((entry: string) => entry.trim()).filter(Boolean)
    return allowed.includes(origin) ? origin : null
  },
  allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'X-Request-Id', BOOKMARK_HEADER],
  exposeHeaders: ['ETag', 'Location', 'Retry-After', 'X-Request-Id', BOOKMARK_HEADER],
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  maxAge: 600,
})
