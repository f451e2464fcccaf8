import type { MiddlewareHandler } from 'hono'
import { ApiError } from '../lib/errors'

/**
 * The CSRF defence of the routes a cookie authenticates: a write must show it comes from a page of
 * this origin, by `Sec-Fetch-Site: same-origin` or by an `Origin` equal to the request's own. Unlike
 * `hono/csrf`, a JSON body is no exemption: those routes need no cross-origin caller at all, so the
 * defence does not lean on CORS preflights (or on every browser honouring SameSite) to hold.
 *
 * @example
 * sessionRoutes.use(sameOrigin())
 */
export const sameOrigin = (): MiddlewareHandler => async (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && c.req.method !== 'OPTIONS') {
    const site = c.req.header('sec-fetch-site')
    const origin = c.req.header('origin')
    const fromHere = site === undefined ? origin === new URL(c.req.url).origin : site === 'same-origin'
    if (!fromHere) throw new ApiError('permission_denied', 'This request must come from a page of this site (the console); other clients send their tokens in the body.')
  }
  await next()
}
