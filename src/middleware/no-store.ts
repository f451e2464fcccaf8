import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'

/**
 * `Cache-Control: no-store` on every answer to a request that carried credentials: such answers
 * hold patient data or account details, which no browser or proxy cache may keep. Token answers
 * (login, refresh) set it themselves, as they carry no Authorization header.
 *
 * @example
 * app.use(noStoreWhenAuthenticated())
 */
export const noStoreWhenAuthenticated = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    await next()
    if (c.req.header('authorization') !== undefined) c.res.headers.set('Cache-Control', 'no-store')
  })
