import { createMiddleware } from 'hono/factory'
import { loadConfig, type Config } from '../core/config'
import { BOOKMARK_HEADER, connect, isBookmark, openSession, type Db } from '../db/client'
import type { AppEnv } from '../env'
import { fieldError } from '../lib/errors'

/** What `dbSession` puts on the context. */
export interface DbSessionVariables {
  /** The configuration, validated once for this request. */
  config: Config
  /** The request's one database: its D1 session and the Kysely over it. */
  db: Db
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Validates configuration and opens this request's D1 session; an answer that used D1 carries the
 * session's bookmark, which the client sends back to read its own writes from any replica.
 *
 * @example
 * app.use(dbSession())
 */
export const dbSession = () =>
  createMiddleware<AppEnv>(async (c, next) => {
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
