import { createRoute, z } from '@hono/zod-openapi'
import { sql } from 'kysely'
import { auditAdminRepo } from '../db/audit-dead-letters'
import { ApiError } from '../lib/errors'
import { createRouter } from '../lib/router'
import { AuditHealthSchema } from '../schemas/audit-archive'
import { errorResponses, json } from '../schemas/common'
import { ACCOUNT, orRefuse } from './refusals'
import { scopeOf, signedIn } from './signed-in'

const HealthSchema = z.object({ status: z.literal('ok') }).openapi('Health')

const live = createRoute({
  method: 'get',
  path: '/live',
  tags: ['Service'],
  operationId: 'liveness',
  security: [],
  summary: 'Liveness of the Worker alone: touches neither auth nor D1',
  description: 'For a load balancer or an uptime monitor: no token, no rate limit.',
  responses: { 200: json(HealthSchema, 'The Worker answers'), ...errorResponses() },
})

const health = createRoute({
  method: 'get',
  path: '/',
  tags: ['Service'],
  operationId: 'health',
  security: [],
  summary: 'Liveness, including a real D1 round trip',
  description: 'No token, no rate limit; 503 when D1 does not answer.',
  responses: {
    200: json(HealthSchema, 'The Worker and its database answer'),
    ...errorResponses(503),
  },
})

const audit = createRoute({
  method: 'get',
  path: '/audit',
  tags: ['Service'],
  operationId: 'auditHealth',
  summary: "The audit record's health (administrators only)",
  description:
    'Dead letters waiting for a replay, the oldest event not yet in the R2 archive (the archiver runs every minute), and the hash chain\'s last link.',
  ...signedIn(),
  responses: { 200: json(AuditHealthSchema, 'The audit record now'), ...errorResponses(401, 403, 429) },
})

export const healthRoutes = createRouter()
  .openapi(live, (c) => c.json({ status: 'ok' as const }, 200))
  .openapi(health, async (c) => {
    try {
      await sql`select 1`.execute(c.var.db.kysely)
    } catch (error) {
      throw new ApiError('service_unavailable', 'The database is not reachable.', {
        logReason: `health check failed: ${(error as Error).message}`,
      })
    }
    return c.json({ status: 'ok' as const }, 200)
  })
  .openapi(audit, async (c) => c.json(orRefuse(await auditAdminRepo(scopeOf(c)).health(), ACCOUNT), 200))
