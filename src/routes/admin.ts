import { createRoute } from '@hono/zod-openapi'
import { adminRepo } from '../db/admin'
import { auditAdminRepo } from '../db/audit-dead-letters'
import { recordDisclosure } from '../lib/disclosure'
import { pageOf } from '../lib/page-links'
import { createRouter } from '../lib/router'
import { scopeOf, signedIn } from './signed-in'
import {
  AdminUserListQuerySchema,
  AdminUserPageSchema,
  AdminUserSchema,
  AdminUserUpdateSchema,
  AuditEventPageSchema,
  AuditListQuerySchema,
} from '../schemas/admin'
import { DeadLetterListQuerySchema, DeadLetterPageSchema, DeadLetterReplaySchema } from '../schemas/audit-archive'
import { BODY_ERRORS, errorResponses, IdParamSchema, json, requestBody } from '../schemas/common'
import { ACCOUNT, DEAD_LETTER, orRefuse } from './refusals'

const tags = ['Administration']

const users = createRoute({
  method: 'get',
  path: '/users',
  tags,
  operationId: 'listUsers',
  summary: 'List accounts (administrators only)',
  description: 'Filtered by a part of the name or email, the platform role, and the state: active, inactive, or locked by the login lockout.',
  ...signedIn(),
  request: { query: AdminUserListQuerySchema },
  responses: { 200: json(AdminUserPageSchema, 'One page of accounts, newest first'), ...errorResponses(400, 401, 403, 429) },
})

const userRoute = createRoute({
  method: 'get',
  path: '/users/{id}',
  tags,
  operationId: 'getUser',
  summary: 'One account, with its role, state and login lockout (administrators only)',
  description: 'The account as the list shows it: `locked_until` says whether a login lockout holds, and until when.',
  ...signedIn(),
  request: { params: IdParamSchema },
  responses: { 200: json(AdminUserSchema, 'The account'), ...errorResponses(400, 401, 403, 404, 429) },
})

const updateUserRoute = createRoute({
  method: 'patch',
  path: '/users/{id}',
  tags,
  operationId: 'updateUser',
  summary: "Change an account's role or active state (administrators only)",
  description: 'Deactivating an account revokes its refresh tokens at once; its access tokens stop working at their next request.',
  ...signedIn(),
  request: { params: IdParamSchema, body: requestBody(AdminUserUpdateSchema) },
  responses: { 200: json(AdminUserSchema, 'The account'), ...errorResponses(...BODY_ERRORS, 401, 403, 404, 429) },
})

const unlockUserRoute = createRoute({
  method: 'post',
  path: '/users/{id}/unlock',
  operationId: 'unlockUser',
  tags,
  summary: "Clear an account's login lockout (administrators only)",
  description: 'Forgets the failed logins of the account from every network, so it may sign in again at once. Audited as admin.user_unlock.',
  ...signedIn(),
  request: { params: IdParamSchema },
  responses: { 204: { description: 'Unlocked' }, ...errorResponses(...BODY_ERRORS, 401, 403, 404, 429) },
})

const audit = createRoute({
  method: 'get',
  path: '/audit',
  tags,
  operationId: 'listAuditEvents',
  summary: 'Read the audit trail (administrators only)',
  description:
    'The trail names patients and keeps what users searched for, so each page read is itself audited (`admin.audit_list`, naming the patients and the event ids it returned) before the answer; 503 `audit_unavailable` when it cannot be.',
  ...signedIn(),
  request: { query: AuditListQuerySchema },
  responses: { 200: json(AuditEventPageSchema, 'One page of events, newest first'), ...errorResponses(400, 401, 403, 429, 503) },
})

const deadLetters = createRoute({
  method: 'get',
  path: '/audit/dead-letters',
  tags,
  operationId: 'listDeadLetters',
  summary: 'Audit messages the queue gave up on, oldest first (administrators only)',
  description: 'Each with its raw body and the error D1 gave; replay one with POST /api/admin/audit/dead-letters/{id}/replay/ once its cause is fixed.',
  ...signedIn(),
  request: { query: DeadLetterListQuerySchema },
  responses: { 200: json(DeadLetterPageSchema, 'One page of dead letters, oldest first'), ...errorResponses(400, 401, 403, 429) },
})

const replayDeadLetter = createRoute({
  method: 'post',
  path: '/audit/dead-letters/{id}/replay',
  tags,
  operationId: 'replayDeadLetter',
  summary: 'Write a dead letter to the audit trail once its cause is fixed (administrators only)',
  description:
    'The audit queue gave up on this message (see GET /api/health/audit/). Its event is written as the consumer would have, skipped if already stored, and the letter is marked replayed. Audited as admin.dead_letter_replay.',
  ...signedIn(),
  request: { params: IdParamSchema },
  responses: { 200: json(DeadLetterReplaySchema, 'Replayed'), ...errorResponses(...BODY_ERRORS, 401, 403, 404, 409, 429) },
})

export const adminRoutes = createRouter()
  .openapi(users, async (c) => {
    const query = c.req.valid('query')
    return c.json(pageOf(c.req.url, query, orRefuse(await adminRepo(scopeOf(c)).listUsers(query), ACCOUNT)), 200)
  })
  .openapi(userRoute, async (c) => c.json(orRefuse(await adminRepo(scopeOf(c)).findUser(c.req.valid('param').id), ACCOUNT), 200))
  .openapi(updateUserRoute, async (c) => {
    const user = orRefuse(await adminRepo(scopeOf(c)).updateUser(c.req.valid('param').id, c.req.valid('json')), ACCOUNT)
    return c.json(user, 200)
  })
  .openapi(unlockUserRoute, async (c) => {
    orRefuse(await adminRepo(scopeOf(c)).unlockUser(c.req.valid('param').id), ACCOUNT)
    return c.body(null, 204)
  })
  .openapi(audit, async (c) => {
    const query = c.req.valid('query')
    const page = orRefuse(await adminRepo(scopeOf(c)).listAuditEvents(query), ACCOUNT)
    // The trail names patients and keeps what users searched for (names, phone numbers): reading it
    // is a disclosure, on the record before the answer (503 when it cannot be), naming the events it returned.
    const patients = page.results.flatMap((event) => (event.resource_type === 'patient' && event.resource_id !== null ? [event.resource_id] : []))
    const events = page.results.map((event) => event.id)
    await recordDisclosure(c, { action: 'admin.audit_list', resourceType: 'audit_event', resourceId: null, outcome: 'ok', patients, detail: { query, events } })
    return c.json(pageOf(c.req.url, query, page), 200)
  })
  .openapi(deadLetters, async (c) => {
    const query = c.req.valid('query')
    return c.json(pageOf(c.req.url, query, orRefuse(await auditAdminRepo(scopeOf(c)).listDeadLetters(query), ACCOUNT)), 200)
  })
  .openapi(replayDeadLetter, async (c) => c.json(orRefuse(await auditAdminRepo(scopeOf(c)).replayDeadLetter(c.req.valid('param').id), DEAD_LETTER), 200))
