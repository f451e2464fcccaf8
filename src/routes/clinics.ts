import { createRoute } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { newOneTimeToken, tokenHash } from '../auth/one-time-token'
import type { Permission } from '../core/permissions'
import { clinicsRepo } from '../db/clinics'
import { acceptInvitation } from '../db/memberships'
import type { AppEnv } from '../env'
import { recordDisclosure } from '../lib/disclosure'
import { pageOf } from '../lib/page-links'
import { auditStamp } from '../lib/request-scope'
import { createRouter } from '../lib/router'
import { AuditEventPageSchema, AuditListQuerySchema } from '../schemas/admin'
import {
  AcceptInvitationSchema,
  ClinicParamSchema,
  ClinicSchema,
  ClinicUpdateSchema,
  InvitationCreatedSchema,
  InvitationCreateSchema,
  InvitationPageSchema,
  InvitationParamSchema,
  MemberListQuerySchema,
  MemberPageSchema,
  MemberParamSchema,
  MembershipSchema,
  MemberSchema,
  MemberUpdateSchema,
} from '../schemas/clinics'
import { BODY_ERRORS, errorResponses, json, requestBody } from '../schemas/common'
import { PageQuerySchema } from '../schemas/pagination'
import { CLINIC, INVITATION, MEMBER, orRefuse, refusalError } from './refusals'
import { clinicScopeOf, signedIn, signedInMember } from './signed-in'

const tags = ['Clinics']

/** A clinic route: it acts in the clinic of the access token, which `{id}` must name (switch-clinic first for another). */
const clinicRoute = <P extends string, M extends 'get' | 'patch' | 'post' | 'delete'>(method: M, path: P, permission: Permission) => ({
  method,
  path,
  tags,
  ...signedIn(permission),
})

/** A refusal by role is on the audit record before its 403 leaves: 503 when it cannot be. */
const SIGNED_IN = [401, 403, 404, 429, 503] as const

const getClinic = createRoute({
  ...clinicRoute('get', '/{id}', 'clinic.read'),
  operationId: 'getClinic',
  summary: 'Your clinic',
  description: "The clinic your access token acts in; any other id is a 404 (switch-clinic first).",
  request: { params: ClinicParamSchema },
  responses: { 200: json(ClinicSchema, 'The clinic'), ...errorResponses(400, ...SIGNED_IN) },
})

const renameClinic = createRoute({
  ...clinicRoute('patch', '/{id}', 'clinic.manage'),
  operationId: 'updateClinic',
  summary: "Rename your clinic (admins)",
  description: 'Audited as clinic.update, with the new name.',
  request: { params: ClinicParamSchema, body: requestBody(ClinicUpdateSchema) },
  responses: { 200: json(ClinicSchema, 'The clinic as stored'), ...errorResponses(...BODY_ERRORS, ...SIGNED_IN) },
})

const listMembers = createRoute({
  ...clinicRoute('get', '/{id}/members', 'clinic.manage'),
  operationId: 'listClinicMembers',
  summary: "Your clinic's members (admins)",
  description: 'Active members by default; `status=removed` or `all` for the others, and `role=` for one role. Each with the role in this clinic, who added them and when.',
  request: { params: ClinicParamSchema, query: MemberListQuerySchema },
  responses: { 200: json(MemberPageSchema, 'One page of members, oldest first'), ...errorResponses(400, ...SIGNED_IN) },
})

const changeRole = createRoute({
  ...clinicRoute('patch', '/{id}/members/{user_id}', 'clinic.manage'),
  operationId: 'updateClinicMember',
  summary: "Change a member's role (admins)",
  description: 'Demoting the last active admin is a 409. Audited as clinic.member_update with the role before and after; the member loses what the new role lacks at their next request.',
  request: { params: MemberParamSchema, body: requestBody(MemberUpdateSchema) },
  responses: { 200: json(MemberSchema, 'The member'), ...errorResponses(...BODY_ERRORS, ...SIGNED_IN, 409) },
})

const removeMember = createRoute({
  ...clinicRoute('delete', '/{id}/members/{user_id}', 'clinic.manage'),
  operationId: 'removeClinicMember',
  summary: 'Remove a member (admins)',
  description: 'Removing the last active admin is a 409. Audited as clinic.member_remove; the member loses access to the clinic at their next request.',
  request: { params: MemberParamSchema },
  responses: { 204: { description: 'Removed' }, ...errorResponses(400, ...SIGNED_IN, 409) },
})

const invite = createRoute({
  ...clinicRoute('post', '/{id}/invitations', 'clinic.manage'),
  operationId: 'createInvitation',
  summary: 'Invite someone by email (admins)',
  description:
    'Answers a one-time token, shown this once and stored only as a hash, valid for 7 days. No email is sent: hand over the token or the console link. ' +
    'The invitee accepts it signed in with that email (POST /api/invitations/accept/) or registers with it.',
  request: { params: ClinicParamSchema, body: requestBody(InvitationCreateSchema) },
  responses: { 201: json(InvitationCreatedSchema, 'The invitation, with its token'), ...errorResponses(...BODY_ERRORS, ...SIGNED_IN) },
})

const listInvitations = createRoute({
  ...clinicRoute('get', '/{id}/invitations', 'clinic.manage'),
  operationId: 'listInvitations',
  summary: 'Pending invitations (admins)',
  description: 'Invitations not yet accepted, revoked or expired; never with their tokens.',
  request: { params: ClinicParamSchema, query: PageQuerySchema },
  responses: { 200: json(InvitationPageSchema, 'One page of invitations, newest first'), ...errorResponses(400, ...SIGNED_IN) },
})

const revokeInvitation = createRoute({
  ...clinicRoute('delete', '/{id}/invitations/{invitation_id}', 'clinic.manage'),
  operationId: 'revokeInvitation',
  summary: 'Revoke a pending invitation (admins)',
  description: 'The token stops working at once. An invitation already accepted, revoked or expired is a 404. Audited as clinic.invitation_revoke.',
  request: { params: InvitationParamSchema },
  responses: { 204: { description: 'Revoked' }, ...errorResponses(400, ...SIGNED_IN) },
})

const clinicAudit = createRoute({
  ...clinicRoute('get', '/{id}/audit', 'clinic.audit'),
  operationId: 'listClinicAuditEvents',
  summary: "Your clinic's audit log (admins)",
  description: 'The filters of the admin audit list. The read is itself on the record, naming the patients whose events it showed.',
  request: { params: ClinicParamSchema, query: AuditListQuerySchema },
  responses: { 200: json(AuditEventPageSchema, 'One page of events, newest first'), ...errorResponses(400, ...SIGNED_IN) },
})

const accept = createRoute({
  method: 'post',
  path: '/accept',
  tags,
  operationId: 'acceptInvitation',
  summary: 'Join a clinic with an invitation to your email',
  description:
    'A used, revoked, expired or unknown token, or one for another email, is a 404; an active member of that clinic gets a 409. Then use switch-clinic to act in it.',
  ...signedIn(),
  request: { body: requestBody(AcceptInvitationSchema) },
  responses: { 200: json(MembershipSchema, 'The clinic joined, and your role there'), ...errorResponses(...BODY_ERRORS, 401, 404, 409, 429) },
})

/** The repository of the token's clinic, once `{id}` names it; another clinic is a 404, whether it exists or not. */
function clinicOf(c: Context<AppEnv>, id: number) {
  const scope = clinicScopeOf(c)
  if (scope.clinicId !== id) throw refusalError({ refused: 'not_found' }, CLINIC)
  return clinicsRepo(scope)
}

export const clinicsRoutes = createRouter()
  .openapi(getClinic, async (c) => c.json(orRefuse(await clinicOf(c, c.req.valid('param').id).find(), CLINIC), 200))
  .openapi(renameClinic, async (c) => c.json(orRefuse(await clinicOf(c, c.req.valid('param').id).rename(c.req.valid('json').name), CLINIC), 200))
  .openapi(listMembers, async (c) => {
    const query = c.req.valid('query')
    return c.json(pageOf(c.req.url, query, await clinicOf(c, c.req.valid('param').id).members(query)), 200)
  })
  .openapi(changeRole, async (c) => {
    const { id, user_id } = c.req.valid('param')
    return c.json(orRefuse(await clinicOf(c, id).changeRole(user_id, c.req.valid('json').role), MEMBER), 200)
  })
  .openapi(removeMember, async (c) => {
    const { id, user_id } = c.req.valid('param')
    orRefuse(await clinicOf(c, id).remove(user_id), MEMBER)
    return c.body(null, 204)
  })
  .openapi(invite, async (c) => {
    const { email, role } = c.req.valid('json')
    const token = newOneTimeToken()
    const invitation = await clinicOf(c, c.req.valid('param').id).invite({ email, role, tokenHash: await tokenHash(token) })
    return c.json({ ...invitation, token, accept_url: `/console/invitations/accept#token=${token}` }, 201)
  })
  .openapi(listInvitations, async (c) => {
    const query = c.req.valid('query')
    return c.json(pageOf(c.req.url, query, await clinicOf(c, c.req.valid('param').id).invitations(query)), 200)
  })
  .openapi(revokeInvitation, async (c) => {
    const { id, invitation_id } = c.req.valid('param')
    orRefuse(await clinicOf(c, id).revokeInvitation(invitation_id), INVITATION)
    return c.body(null, 204)
  })
  .openapi(clinicAudit, async (c) => {
    const { page, page_size, ...filters } = c.req.valid('query')
    const events = await clinicOf(c, c.req.valid('param').id).auditEvents(filters, { page, page_size })
    // Events about patients identify them: reading them is a disclosure, recorded before the answer.
    const patients = events.results.filter((event) => event.resource_type === 'patient' && event.resource_id !== null).map((event) => event.resource_id!)
    await recordDisclosure(c, {
      action: 'clinic.audit_read',
      resourceType: 'audit_event',
      resourceId: null,
      outcome: 'ok',
      patients,
      detail: { query: c.req.valid('query'), events: events.results.map((event) => event.id) },
    })
    return c.json(pageOf(c.req.url, { page, page_size, ...filters }, events), 200)
  })

/** `POST /api/invitations/accept/`: outside any one clinic, since the caller is not yet a member. */
export const invitationsRoutes = createRouter().openapi(accept, async (c) => {
  const { userId } = signedInMember(c)
  const membership = orRefuse(await acceptInvitation(c.var.db, auditStamp(c), userId, await tokenHash(c.req.valid('json').token)), INVITATION)
  return c.json(membership, 200)
})
