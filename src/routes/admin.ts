import { createRoute } from '@hono/zod-openapi'
import { signedIn } from '../auth/middleware'
import { listAuditEvents, listUsers, updateUser } from '../db/admin'
import { auditStamp } from '../lib/audit'
import { pageOf } from '../lib/pagination'
import { createRouter } from '../lib/router'
import {
  AdminUserListQuerySchema,
  AdminUserPageSchema,
  AdminUserSchema,
  AdminUserUpdateSchema,
  AuditEventPageSchema,
  AuditListQuerySchema,
} from '../schemas/admin'
import { BODY_ERRORS, errorResponses, IdParamSchema, json, jsonBody } from '../schemas/common'

const tags = ['Administration']

const users = createRoute({
  method: 'get',
  path: '/users',
  tags,
  summary: 'List accounts (administrators only)',
  ...signedIn,
  request: { query: AdminUserListQuerySchema },
  responses: { 200: json(AdminUserPageSchema, 'One page of accounts, newest first'), ...errorResponses(400, 401, 403) },
})

const updateUserRoute = createRoute({
  method: 'patch',
  path: '/users/{id}',
  tags,
  summary: "Change an account's role or active state (administrators only)",
  description: 'Deactivating an account revokes its refresh tokens at once; its access tokens stop working at their next request.',
  ...signedIn,
  request: { params: IdParamSchema, body: jsonBody(AdminUserUpdateSchema) },
  responses: { 200: json(AdminUserSchema, 'The account'), ...errorResponses(...BODY_ERRORS, 401, 403, 404) },
})

const audit = createRoute({
  method: 'get',
  path: '/audit',
  tags,
  summary: 'Read the audit trail (administrators only)',
  ...signedIn,
  request: { query: AuditListQuerySchema },
  responses: { 200: json(AuditEventPageSchema, 'One page of events, newest first'), ...errorResponses(400, 401, 403) },
})

export const adminRoutes = createRouter()
  .openapi(users, async (c) => {
    const query = c.req.valid('query')
    const { count, results } = await listUsers(c.var.db, c.var.userId, query)
    return c.json(pageOf(c.req.url, query, count, results), 200)
  })
  .openapi(updateUserRoute, async (c) => {
    const user = await updateUser(c.var.db, c.var.userId, c.req.valid('param').id, c.req.valid('json'), auditStamp(c))
    return c.json(user, 200)
  })
  .openapi(audit, async (c) => {
    const query = c.req.valid('query')
    const { count, results } = await listAuditEvents(c.var.db, c.var.userId, query)
    return c.json(pageOf(c.req.url, query, count, results), 200)
  })
