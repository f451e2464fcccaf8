import { swaggerUI } from '@hono/swagger-ui'
import { createMiddleware } from 'hono/factory'
import { requestId } from 'hono/request-id'
import { BOOKMARK_HEADER, connect, isBookmark, openSession } from './db/client'
import type { AppEnv } from './env'
import { jsonBody } from './lib/body'
import { loadConfig } from './lib/config'
import { fieldError, handleError } from './lib/errors'
import { createRouter } from './lib/router'
import { notFoundOrMethodNotAllowed } from './lib/routing'
import { authRoutes } from './routes/auth'
import { doctorsRoutes } from './routes/doctors'
import { healthRoutes } from './routes/health'
import { mappingsRoutes, patientDoctorsRoutes } from './routes/mappings'
import { patientsRoutes } from './routes/patients'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Validates configuration and opens this request's D1 session; the answer carries the session's
 * bookmark, which the client sends back to read its own writes from any replica.
 */
const context = createMiddleware<AppEnv>(async (c, next) => {
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

const base = createRouter()

base.use(requestId())
base.use(context)
base.use(jsonBody)

base.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })

const app = base
  .route('/api/auth', authRoutes)
  .route('/api/health', healthRoutes)
  .route('/api/doctors', doctorsRoutes)
  .route('/api/patients', patientsRoutes)
  .route('/api/patients', patientDoctorsRoutes)
  .route('/api/mappings', mappingsRoutes)

app.doc31('/api/openapi.json', {
  openapi: '3.1.0',
  info: {
    title: 'Healthcare records API',
    version: '1.0.0',
    description: 'Staff accounts, patient records, a shared doctor directory and doctor assignments.',
  },
})
app.get('/api/docs', swaggerUI({ url: '/api/openapi.json' }))

app.notFound(notFoundOrMethodNotAllowed(app.routes))
app.onError(handleError)

/** The app's type, for `hono/client`'s typed client. */
export type AppType = typeof app
export default app
