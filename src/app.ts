import { methodNotAllowed } from 'hono/method-not-allowed'
import { secureHeaders } from 'hono/secure-headers'
import { API_OVERVIEW } from './lib/api-overview'
import { handleError } from './lib/errors'
import { methodNotAllowedAnswer, noSuchPath } from './lib/not-found'
import { REFRESH_COOKIE } from './lib/refresh-cookie'
import { createRouter } from './lib/router'
import { configureZod } from './lib/zod-config'
import { accessLog } from './middleware/access-log'
import { conditionalGet } from './middleware/conditional-get'
import { corsFromEnv } from './middleware/cors'
import { dbSession } from './middleware/db-session'
import { jsonBody } from './middleware/json-body'
import { noStoreWhenAuthenticated } from './middleware/no-store'
import { queryText } from './middleware/query-text'
import { requestIds } from './middleware/request-ids'
import { adminRoutes } from './routes/admin'
import { assignmentsRoutes, patientDoctorsRoutes } from './routes/assignments'
import { authRoutes } from './routes/auth'
import { browserRoutes } from './routes/browser'
import { clinicsRoutes, invitationsRoutes } from './routes/clinics'
import { doctorsRoutes } from './routes/doctors'
import { healthRoutes } from './routes/health'
import { patientsRoutes } from './routes/patients'
import { sessionRoutes } from './routes/session'

configureZod()

const base = createRouter()

base.use(requestIds())
base.use(accessLog())
base.use(secureHeaders())
base.use(noStoreWhenAuthenticated())
base.use(corsFromEnv())
base.use(dbSession())
base.use(jsonBody())
base.use(queryText())
base.use(conditionalGet())
// Innermost, so the 405 it puts in place of the 404 still passes every header middleware above.
base.use(methodNotAllowed({ app: base, onMethodNotAllowed: methodNotAllowedAnswer }))

base.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description:
    'The access token from /api/auth/login, a JWT signed with HS256 following RFC8725 (JWT best current practices): the algorithm is fixed, and `exp` and the token type are checked.',
})

base.openAPIRegistry.registerComponent('securitySchemes', 'RefreshCookie', {
  type: 'apiKey',
  in: 'cookie',
  name: REFRESH_COOKIE,
  description: "The console's refresh token, set by /api/auth/session/: HttpOnly, Secure, SameSite=Strict, sent only to /api/auth/session/.",
})

const app = base
  .route('/api/auth/session', sessionRoutes)
  .route('/api/auth', authRoutes)
  .route('/api/health', healthRoutes)
  .route('/api/doctors', doctorsRoutes)
  .route('/api/patients', patientsRoutes)
  .route('/api/patients', patientDoctorsRoutes)
  .route('/api/mappings', assignmentsRoutes)
  .route('/api/admin', adminRoutes)
  .route('/api/clinics', clinicsRoutes)
  .route('/api/invitations', invitationsRoutes)

app.doc31('/api/openapi.json', {
  openapi: '3.1.0',
  info: {
    title: 'Healthcare records API',
    version: '1.0.0',
    description: API_OVERVIEW,
  },
  // Relative, so "Try it out" on /docs/ calls the origin that served the page: any port, any deployment.
  servers: [{ url: '/', description: 'The origin serving this document: local, staging or production alike', 'x-internal': true }],
  tags: [
    { name: 'Auth', description: "Accounts and tokens: register, log in, refresh, log out, change the password; the console's cookie session under /api/auth/session/." },
    { name: 'Patients', description: "The patients of the token's clinic and their audit history." },
    { name: 'Doctors', description: 'The shared doctor directory; only the user who added a doctor may change it.' },
    { name: 'Assignments', description: "Which doctors are assigned to which of the clinic's patients." },
    { name: 'Clinics', description: 'Your clinic, its members, invitations and audit log (admins), and joining a clinic by invitation.' },
    { name: 'Administration', description: 'Accounts and the audit log, for admins only.' },
    { name: 'Service', description: 'Liveness and health checks.' },
  ],
})
app.route('/', browserRoutes)

app.notFound(noSuchPath)
app.onError(handleError)

/** The app's type, for `hono/client`'s typed client. */
export type AppType = typeof app
export default app
