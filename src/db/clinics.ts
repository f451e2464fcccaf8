import { sql, type RawBuilder } from 'kysely'
import type { AuditAction, AuditStamp } from '../core/audit'
import type { ClinicRole } from '../core/permissions'
import type { Outcome } from '../core/refusal'
import type { AuditEventItem } from '../schemas/admin'
import type { Clinic, Invitation, Member, MemberListQuery } from '../schemas/clinics'
import type { PageQuery } from '../schemas/pagination'
import { auditQueryIf } from './audit'
import { auditEventsQuery, type AuditFilters } from './audit-list'
import { batch, type Db } from './client'
import { fetchPage } from './page'
import type { ClinicScope } from './scope'
import { nowUtc } from './sql'

/** How long an invitation can be accepted. */
export const INVITATION_DAYS = 7

/** The trigger of migration 0008 that keeps every clinic an active admin. */
const LAST_ADMIN = /a clinic keeps at least one active admin/

const MEMBER_COLUMNS = [
  'clinic_members.user_id',
  'users.name',
  'users.email',
  'clinic_members.role',
  'clinic_members.status',
  'clinic_members.added_by',
  'clinic_members.added_at',
] as const

const INVITATION_COLUMNS = ['id', 'email', 'role', 'invited_by', 'created_at', 'expires_at'] as const

type Page<T> = { count: number; results: T[] }

/** A membership change the last-admin trigger refused, as the refusal; anything else is thrown on. */
async function keepingAnAdmin<T>(change: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await change()
  } catch (error) {
    if (LAST_ADMIN.test((error as Error).message)) return { refused: 'last_admin' }
    throw error
  }
}

/**
 * The audit INSERT of a change to an active member, run just before the change in the same batch:
 * `detail` is SQL over that member's row as it still is (its role before).
 */
function membershipChangeAudit(db: Db, stamp: AuditStamp, clinicId: number, userId: number, action: AuditAction, detail: RawBuilder<unknown>) {
  return db.kysely
    .insertInto('audit_events')
    .columns(['event_id', 'actor_id', 'clinic_id', 'actor_role', 'action', 'resource_type', 'resource_id', 'outcome', 'detail', 'request_id', 'client_ip', 'client_request_id'])
    .expression(
      db.kysely
        .selectFrom('clinic_members')
        .where('clinic_id', '=', clinicId)
        .where('user_id', '=', userId)
        .where('status', '=', 'active')
        .select((eb) => [
          eb.val(crypto.randomUUID()).as('event_id'),
          eb.val(stamp.actorId).as('actor_id'),
          eb.val(clinicId).as('clinic_id'),
          sql<string>`(select role from clinic_members where clinic_id = ${clinicId} and user_id = ${stamp.actorId})`.as('actor_role'),
          eb.val(action).as('action'),
          eb.val('user').as('resource_type'),
          eb.val(userId).as('resource_id'),
          eb.val('ok').as('outcome'),
          detail.as('detail'),
          eb.val(stamp.requestId).as('request_id'),
          eb.val(stamp.clientIp).as('client_ip'),
          eb.val(stamp.clientRequestId ?? null).as('client_request_id'),
        ]),
    )
}

/**
 * A clinic's own administration: its name, members, invitations and audit log. Every query is within
 * the scope's clinic; who may call them (admins) is the route's permission, checked by the guard in
 * the same round trip.
 */
export function clinicsRepo({ db, stamp, clinicId }: ClinicScope) {
  const members = () => db.kysely.selectFrom('clinic_members').innerJoin('users', 'users.id', 'clinic_members.user_id').where('clinic_members.clinic_id', '=', clinicId)
  const pending = () =>
    db.kysely
      .selectFrom('clinic_invitations')
      .where('clinic_id', '=', clinicId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', nowUtc())

  return {
    async find(): Promise<Outcome<Clinic>> {
      const clinic = await db.kysely.selectFrom('clinics').select(['id', 'name', 'created_at', 'updated_at']).where('id', '=', clinicId).executeTakeFirst()
      return clinic ?? { refused: 'not_found' }
    },

    /** Renames the clinic, audited in the same batch with the name before and after. */
    async rename(name: string): Promise<Outcome<Clinic>> {
      const { renamed } = await batch(db, {
        audit: auditQueryIf(
          db,
          stamp,
          { action: 'clinic.update', resourceType: 'clinic', resourceId: clinicId, outcome: 'ok', detail: { name_after: name } },
          db.kysely.selectFrom('clinics').select('id').where('id', '=', clinicId),
        ),
        renamed: db.kysely
          .updateTable('clinics')
          .set((eb) => ({ name, version: eb('version', '+', 1), updated_at: nowUtc() }))
          .where('id', '=', clinicId)
          .returning(['id', 'name', 'created_at', 'updated_at']),
      })
      return renamed[0] ?? { refused: 'not_found' }
    },

    async members({ status, role, ...page }: MemberListQuery): Promise<Page<Member>> {
      let query = members().select(MEMBER_COLUMNS)
      if (status !== 'all') query = query.where('clinic_members.status', '=', status)
      if (role) query = query.where('clinic_members.role', '=', role)
      const { count, rows } = await fetchPage(db, query.orderBy('clinic_members.added_at').orderBy('clinic_members.user_id'), page)
      return { count, results: rows }
    },

    /**
     * Gives an active member another role, audited (role before and after) in the same batch. The
     * database refuses to demote the last active admin (`last_admin`), and then nothing is written.
     */
    changeRole(userId: number, role: ClinicRole): Promise<Outcome<Member>> {
      return keepingAnAdmin(async () => {
        const { member } = await batch(db, {
          // Written before the change, while the role before is still there to read.
          audit: membershipChangeAudit(db, stamp, clinicId, userId, 'clinic.member_update', sql`json_object('role_before', role, 'role_after', ${role})`),
          changed: db.kysely
            .updateTable('clinic_members')
            .set({ role })
            .where('clinic_id', '=', clinicId)
            .where('user_id', '=', userId)
            .where('status', '=', 'active'),
          member: members().select(MEMBER_COLUMNS).where('clinic_members.user_id', '=', userId).where('clinic_members.status', '=', 'active'),
        })
        return member[0] ?? { refused: 'not_found' }
      })
    },

    /**
     * Removes an active member, audited (their role) in the same batch; their tokens for this clinic
     * stop at their next request, since every request checks membership. The database refuses to
     * remove the last active admin (`last_admin`).
     */
    remove(userId: number): Promise<Outcome<{ removed: true }>> {
      return keepingAnAdmin(async () => {
        const { removed } = await batch(db, {
          audit: membershipChangeAudit(db, stamp, clinicId, userId, 'clinic.member_remove', sql`json_object('role_before', role, 'status_after', 'removed')`),
          removed: db.kysely
            .updateTable('clinic_members')
            .set({ status: 'removed' })
            .where('clinic_id', '=', clinicId)
            .where('user_id', '=', userId)
            .where('status', '=', 'active')
            .returning('user_id'),
        })
        return removed.length ? { removed: true } : { refused: 'not_found' }
      })
    },

    /** Records an invitation (its token only as a hash), audited in the same batch. */
    async invite({ email, role, tokenHash }: { email: string; role: ClinicRole; tokenHash: string }): Promise<Invitation> {
      const { invitation } = await batch(db, {
        invitation: db.kysely
          .insertInto('clinic_invitations')
          .values({
            clinic_id: clinicId,
            email,
            role,
            token_hash: tokenHash,
            invited_by: stamp.actorId!,
            expires_at: sql<string>`strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ${`+${INVITATION_DAYS} days`})`,
          })
          .returning(INVITATION_COLUMNS),
        audit: auditQueryIf(
          db,
          stamp,
          { action: 'clinic.invite', resourceType: 'invitation', resourceId: null, outcome: 'ok', detail: { email, role } },
          db.kysely.selectFrom('clinic_invitations').select('id').where('token_hash', '=', tokenHash),
        ),
      })
      return invitation[0]
    },

    async invitations(page: PageQuery): Promise<Page<Invitation>> {
      return fetchPage(db, pending().select(INVITATION_COLUMNS).orderBy('id', 'desc'), page).then(({ count, rows }) => ({ count, results: rows }))
    },

    /** Revokes a pending invitation of the clinic, audited in the same batch. */
    async revokeInvitation(id: number): Promise<Outcome<{ revoked: true }>> {
      const { revoked } = await batch(db, {
        audit: auditQueryIf(
          db,
          stamp,
          { action: 'clinic.invitation_revoke', resourceType: 'invitation', resourceId: id, outcome: 'ok' },
          pending().select('id').where('id', '=', id),
        ),
        revoked: db.kysely
          .updateTable('clinic_invitations')
          .set({ revoked_at: nowUtc() })
          .where('id', 'in', pending().select('id').where('id', '=', id))
          .returning('id'),
      })
      return revoked.length ? { revoked: true } : { refused: 'not_found' }
    },

    /** One page of the clinic's own audit events, newest first. */
    async auditEvents(filters: Omit<AuditFilters, 'clinic'>, page: PageQuery): Promise<Page<AuditEventItem>> {
      const { count, rows } = await fetchPage(db, auditEventsQuery(db, { ...filters, clinic: clinicId }), page)
      return { count, results: rows }
    },
  }
}
