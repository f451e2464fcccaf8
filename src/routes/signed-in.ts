import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { userIdOf, verifyToken } from '../auth/tokens'
import type { AuditResourceType } from '../core/audit'
import { may, PermissionDeniedError, type Permission } from '../core/permissions'
import type { ClinicScope, Scope } from '../db/scope'
import { guardSession, type Member } from '../db/session-guard'
import type { AppEnv } from '../env'
import { recordDisclosure } from '../lib/disclosure'
import { ApiError, INVALID_TOKEN_CHALLENGE } from '../lib/errors'
import { enforceLimit } from '../lib/rate-limit'
import { auditStamp } from '../lib/request-scope'
import { ACCESS_TOKEN, orRefuse } from './refusals'

/** What `requireUser` puts on the context. */
export interface SignedInVariables {
  /** The account the access token was issued to. */
  userId?: number
  /** The signed-in member: the clinic the token acts in, and the role the database found there. */
  member?: Member
}

/** The kind of record a permission is about, for the audit event of a refusal. */
const RESOURCE_OF: Record<string, AuditResourceType> = { patient: 'patient', assignment: 'mapping', doctor: 'doctor', clinic: 'clinic' }

/**
 * Requires a valid access token of an active account at the token's generation, counts the request
 * against the user's rate limit, and sets `userId` and `member`. The account, its membership of the
 * token's clinic and the role `permission` needs are checked in the request's first D1 round trip
 * (db/session-guard.ts), so they cost none of their own; a refusal by role is a 403 on the audit record.
 *
 * @example
 * const read = createRoute({ method: 'get', path: '/{id}', ...signedIn('patient.read'), ... })
 */
export const requireUser = (permission?: Permission) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization')
    if (!header || !/^Bearer\b/i.test(header)) {
      throw new ApiError('not_authenticated', undefined, { headers: { 'WWW-Authenticate': 'Bearer' } })
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (!match) throw new ApiError('token_not_valid', 'The Authorization header must be "Bearer <access token>".', { headers: INVALID_TOKEN_CHALLENGE })
    const claims = orRefuse(await verifyToken(c.var.config, match[1], 'access'), ACCESS_TOKEN)
    const userId = userIdOf(claims)
    await enforceLimit(c, 'API_USER_LIMITER', String(userId))
    c.set('userId', userId)
    const member = guardSession(c.var.db, { userId, generation: claims.gen, clinicId: claims.clinic })
    c.set('member', member)
    if (permission) {
      if (claims.clinic === null) {
        const refused = new PermissionDeniedError(permission, null)
        await recordRefusalByRole(c, refused)
        throw refused
      }
      member.demand(permission)
    }
    await next()
    if (c.error instanceof PermissionDeniedError) await recordRefusalByRole(c, c.error)
  })

/** A refusal by role, on the audit record before its 403 leaves (through the queue: the refused batch wrote nothing). */
function recordRefusalByRole(c: Context<AppEnv>, error: PermissionDeniedError) {
  const id = Number(c.req.param('id'))
  return recordDisclosure(c, {
    action: 'access.denied',
    resourceType: RESOURCE_OF[error.permission.split('.')[0]],
    resourceId: Number.isSafeInteger(id) && id > 0 ? id : null,
    outcome: 'denied',
    patients: [],
    detail: { permission: error.permission, ...(error.field && { field: error.field }), method: c.req.method, route: c.req.routePath },
  })
}

/** Spread into a `createRoute` config: the route requires an access token (and `permission` in the clinic), and says so in the OpenAPI document. */
export const signedIn = (permission?: Permission): { security: { Bearer: string[] }[]; middleware: [ReturnType<typeof requireUser>] } => ({
  security: [{ Bearer: [] }],
  middleware: [requireUser(permission)],
})

/** The signed-in member of a route behind `signedIn`. */
export function signedInMember(c: Context<AppEnv>): Member {
  const { member } = c.var
  if (!member) throw new Error('signedInMember() outside a signedIn route')
  return member
}

/** The signed-in user of a route behind `signedIn`. */
export const signedInUser = (c: Context<AppEnv>): number => signedInMember(c).userId

/** What the query functions of a signed-in request are bound to (`doctorsRepo(scopeOf(c))`). */
export const scopeOf = (c: Context<AppEnv>): Scope => {
  const { userId, clinicId } = signedInMember(c)
  return { db: c.var.db, stamp: auditStamp(c), userId, clinicId }
}

/** The scope of a route behind `signedIn(permission)`, which only lets a member of a clinic through (`patientsRepo(clinicScopeOf(c))`). */
export const clinicScopeOf = (c: Context<AppEnv>): ClinicScope => {
  const scope = scopeOf(c)
  if (scope.clinicId === null) throw new Error('clinicScopeOf() on a route that demands no clinic permission')
  return { ...scope, clinicId: scope.clinicId }
}

/** Requires `permission` of the member for this request (a body field that needs more than the route does), before its first round trip. */
export const demand = (c: Context<AppEnv>, permission: Permission, field?: string) => signedInMember(c).demand(permission, field)

/** Whether the member's role, as the request's first round trip read it, holds `permission`. */
export const memberMay = (c: Context<AppEnv>, permission: Permission): boolean => {
  const { role } = signedInMember(c)
  return role !== null && may(role, permission)
}
