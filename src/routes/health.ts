import { createRoute, z } from '@hono/zod-openapi'
import { sql } from 'kysely'
import { ApiError } from '../lib/errors'
import { createRouter } from '../lib/router'
import { errorResponses, json } from '../schemas/common'

const HealthSchema = z.object({ status: z.literal('ok') }).openapi('Health')

const live = createRoute({
  method: 'get',
  path: '/live',
  tags: ['Service'],
  operationId: 'liveness',
  security: [],
  summary: 'Liveness of the Worker alone: touches neither auth nor D1',
  responses: { 200: json(HealthSchema, 'The Worker answers') },
})

const health = createRoute({
  method: 'get',
  path: '/',
  tags: ['Service'],
  operationId: 'health',
  security: [],
  summary: 'Liveness, including a real D1 round trip',
  responses: {
    200: json(HealthSchema, 'The Worker and its database answer'),
    ...errorResponses(503),
  },
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
