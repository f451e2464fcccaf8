import { cors } from 'hono/cors'
import { BOOKMARK_HEADER } from '../db/client'

/**
 * CORS for the origins listed in `CORS_ORIGINS` (comma-separated); no cross-origin access when unset.
 *
 * @example
 * app.use(corsFromEnv())
 */
export const corsFromEnv = () =>
  cors({
  origin: (origin, c) => {
    const allowed = (c.env.CORS_ORIGINS ?? '').split(',').map((entry: string) => entry.trim()).filter(Boolean)
    return allowed.includes(origin) ? origin : null
  },
  allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'X-Request-Id', BOOKMARK_HEADER],
  exposeHeaders: ['ETag', 'Location', 'Retry-After', 'X-Request-Id', BOOKMARK_HEADER],
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  maxAge: 600,
})
