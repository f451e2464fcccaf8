import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { ApiError } from '../lib/errors'
import { userIdOf, verifyToken } from './tokens'

/** Requires a valid access token and puts its user id on the context as `userId`. */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization')
  if (!header || !/^Bearer\b/i.test(header)) {
    throw new ApiError(401, 'not_authenticated', 'Authentication credentials were not provided.', {
      headers: { 'WWW-Authenticate': 'Bearer' },
    })
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!match) {
    throw new ApiError(401, 'token_not_valid', 'The Authorization header must be "Bearer <access token>".', {
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    })
  }
  const claims = await verifyToken(c.get('config'), match[1], 'access')
  c.set('userId', userIdOf(claims))
  await next()
})

/** Spread into a `createRoute` config: the route requires an access token, and says so in the OpenAPI document. */
export const signedIn: { security: { Bearer: string[] }[]; middleware: [typeof requireUser] } = {
  security: [{ Bearer: [] }],
  middleware: [requireUser],
}
