import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'

/**
 * One structured log line per request. It names the route pattern, never the concrete path, and
 * nothing from headers or bodies, so no token, password or patient field can reach the logs.
 *
 * @example
 * app.use(accessLog())
 */
export const accessLog = () =>
  createMiddleware<AppEnv>(async (c, next) => {
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
        client_request_id: c.var.clientRequestId ?? null,
      }),
    )
  })
