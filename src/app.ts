import { swaggerUI } from '@hono/swagger-ui'
import { createMiddleware } from 'hono/factory'
import { requestId } from 'hono/request-id'
import { connect } from './db/client'
import type { AppEnv } from './env'
import { jsonBody } from './lib/body'
import { loadConfig } from './lib/config'
import { handleError } from './lib/errors'
import { createRouter } from './lib/router'
import { notFoundOrMethodNotAllowed } from './lib/routing'
import { authRoutes } from './routes/auth'
import { healthRoutes } from './routes/health'

/** Validates configuration and opens the database for this request. */
const context = createMiddleware<AppEnv>(async (c, next) => {
  c.set('config', loadConfig(c.env))
  c.set('db', connect(c.env.DB))
  await next()
})

const base = createRouter()

base.use(requestId())
base.use(context)
base.use(jsonBody)

base.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })

const app = base
  .route('/api/auth', authRoutes)
  .route('/api/health', healthRoutes)

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
