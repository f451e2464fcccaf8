import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'

/** What a client's X-Request-Id may look like to be kept (hono's `requestId()` rule). */
const CLIENT_REQUEST_ID = /^[\w\-=]{1,255}$/

/** What `requestIds` puts on the context. */
export interface RequestIdVariables {
  /** Made by the server for every request: the audit trail's, the log's and a 5xx body's request_id. */
  requestId: string
  /** The caller's own X-Request-Id when well-formed: echoed back and kept beside the server's id. */
  clientRequestId: string | null
}

/**
 * Gives every request a server-generated id (`requestId`: the audit trail's request_id, the log's
 * request_id, the request_id of a 5xx body), never taken from the client. A well-formed
 * X-Request-Id sent by the client is kept as `clientRequestId` and echoed in the X-Request-Id
 * answer header; without one, that header carries the server's id.
 *
 * @example
 * app.use(requestIds())
 */
export const requestIds = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const serverId = crypto.randomUUID()
    const sent = c.req.header('x-request-id')
    const clientId = sent !== undefined && CLIENT_REQUEST_ID.test(sent) ? sent : null
    c.set('requestId', serverId)
    c.set('clientRequestId', clientId)
    c.header('X-Request-Id', clientId ?? serverId)
    await next()
  })
