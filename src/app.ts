import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { jsonBody } from './lib/body'
import { handleError } from './lib/errors'
import { accessLog, corsFromEnv, requestContext } from './lib/request-context'
import { createRouter } from './lib/router'
import { notFoundOrMethodNotAllowed } from './lib/routing'
import { adminRoutes } from './routes/admin'
import { authRoutes } from './routes/auth'
import { browserRoutes } from './routes/browser'
import { doctorsRoutes } from './routes/doctors'
import { healthRoutes } from './routes/health'
import { mappingsRoutes, patientDoctorsRoutes } from './routes/mappings'
import { patientsRoutes } from './routes/patients'

const base = createRouter()

base.use(requestId())
base.use(accessLog)
base.use(secureHeaders())
base.use(corsFromEnv)
base.use(requestContext)
base.use(jsonBody)

base.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })

const app = base
  .route('/api/auth', authRoutes)
  .route('/api/health', healthRoutes)
  .route('/api/doctors', doctorsRoutes)
  .route('/api/patients', patientsRoutes)
  .route('/api/patients', patientDoctorsRoutes)
  .route('/api/mappings', mappingsRoutes)
  .route('/api/admin', adminRoutes)

app.doc31('/api/openapi.json', {
  openapi: '3.1.0',
  info: {
    title: 'Healthcare records API',
    version: '1.0.0',
    description: 'Staff accounts, patient records, a shared doctor directory and doctor assignments.',
  },
})
app.route('/', browserRoutes)

app.notFound(notFoundOrMethodNotAllowed(app.routes))
app.onError(handleError)

/** The app's type, for `hono/client`'s typed client. */
export type AppType = typeof app
export default app
