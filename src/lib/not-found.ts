import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { ApiError, handleError } from './errors'

/** `notFound`: no route lives at this path, in the envelope. */
export const noSuchPath = (c: Context<AppEnv>): Response => handleError(new ApiError('not_found', 'No endpoint lives at this path.'), c)

/**
 * The answer `hono/method-not-allowed` gives when the path exists but the method does not: a 405
 * in the envelope, with `Allow` listing the path's methods in a stable order.
 */
export function methodNotAllowedAnswer(c: Context<AppEnv>, methods: string[]): Response {
  const allow = [...methods].sort().join(', ')
  return handleError(new ApiError('method_not_allowed', `Method ${c.req.method} is not allowed here. Allowed: ${allow}.`, { headers: { Allow: allow } }), c)
}
