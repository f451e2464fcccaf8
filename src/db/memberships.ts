import { sql } from 'kysely'
import type { AuditStamp } from '../core/audit'
import type { ClinicRole } from '../core/permissions'
import type { Outcome } from '../core/refusal'
import type { Membership } from '../schemas/clinics'
import { auditQueryIf } from './audit'
import { batch, type Db } from './client'
import { nowUtc } from './sql'

/** The invitation behind a token's hash while it can still be accepted. */
export const openInvitation = (db: Db, tokenHash: string) =>
  db.kysely
    .selectFrom('clinic_invitations')
    .where('token_hash', '=', tokenHash)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', nowUtc())

/** A clinic an account may act in. */
export interface ClinicChoice {
  clinic_id: number
  name: string
  role: ClinicRole
}

/** An account's active memberships, joined to their clinics, the one used last first (then the first joined). */
export const activeMembershipsQuery = (db: Db) =>
  db.kysely
    .selectFrom('clinic_members')
    .innerJoin('users', 'users.id', 'clinic_members.user_id')
    .innerJoin('clinics', 'clinics.id', 'clinic_members.clinic_id')
    .select(['clinic_members.clinic_id', 'clinics.name', 'clinic_members.role'])
    .where('clinic_members.status', '=', 'active')
    .orderBy(sql`clinic_members.last_used_at is null`)
    .orderBy('clinic_members.last_used_at', 'desc')
    .orderBy('clinic_members.added_at')
    .orderBy('clinic_members.clinic_id')

/** The active membership of one account in one clinic, for conditions in a batch. */
export const activeMembership = (db: Db, userId: number, clinicId: number) =>
  db.kysely.selectFrom('clinic_members').select('clinic_id').where('clinic_id', '=', clinicId).where('user_id', '=', userId).where('status', '=', 'active')

/** The UPDATE that marks a clinic as the one an account used last: its next login picks it. */
export const markUsedQuery = (db: Db, userId: number, clinicId: number) =>
  db.kysely.updateTable('clinic_members').set({ last_used_at: nowUtc() }).where('clinic_id', '=', clinicId).where('user_id', '=', userId).where('status', '=', 'active')

export const toMembership = (row: ClinicChoice): Membership => ({ clinic: { id: row.clinic_id, name: row.name }, role: row.role })

/**
 * Accepts an invitation to the signed-in account's own email, in one batch: joins its clinic with
 * the invited role (a removed member comes back with it), marks it accepted, and audits. Refused as
 * `not_found` for a used, revoked, expired, unknown or someone else's invitation, and `duplicate`
 * for an active member of that clinic (the invitation then stays open).
 */
export async function acceptInvitation(db: Db, stamp: AuditStamp, userId: number, tokenHash: string): Promise<Outcome<Membership>> {
  const invitation = () => openInvitation(db, tokenHash).where('email', '=', db.kysely.selectFrom('users').select('email').where('id', '=', userId))
  const invitedClinic = sql<number | null>`(select clinic_id from clinic_invitations where token_hash = ${tokenHash})`
  // Each step runs only when the one before changed a row (SQLite's changes()), so a refused join accepts and audits nothing.
  const afterChange = () => sql<boolean>`changes() > 0`
  const { joined, membership, open } = await batch(db, {
    open: invitation().select('clinic_id'),
    joined: db.kysely
      .insertInto('clinic_members')
      .columns(['clinic_id', 'user_id', 'role', 'added_by', 'last_used_at'])
      .expression(invitation().select((eb) => ['clinic_id', eb.val(userId).as('user_id'), 'role', 'invited_by', nowUtc().as('last_used_at')]).where(sql<boolean>`true`))
      .onConflict((oc) =>
        oc
          .columns(['clinic_id', 'user_id'])
          .doUpdateSet((eb) => ({ role: eb.ref('excluded.role'), status: 'active', added_by: eb.ref('excluded.added_by'), added_at: nowUtc() }))
          .where('clinic_members.status', '=', 'removed'),
      )
      .returning('clinic_id'),
    audit: auditQueryIf(
      db,
      stamp,
      { action: 'clinic.invitation_accept', resourceType: 'clinic', resourceId: null, outcome: 'ok' },
      invitation().select('id').where(afterChange),
      { actorId: sql.val(userId), clinicId: invitedClinic, resourceId: invitedClinic },
    ),
    accepted: db.kysely
      .updateTable('clinic_invitations')
      .set({ accepted_at: nowUtc(), accepted_by: userId })
      .where('id', 'in', invitation().select('id'))
      .where(afterChange),
    membership: activeMembershipsQuery(db).where('clinic_members.user_id', '=', userId).where('clinic_members.clinic_id', '=', invitedClinic),
  })
  if (joined[0] && membership[0]) return toMembership(membership[0])
  return { refused: open[0] ? 'duplicate' : 'not_found' }
}

/** Every clinic an account is an active member of, the one used last first. */
export const membershipsOf = async (db: Db, userId: number): Promise<Membership[]> =>
  (await activeMembershipsQuery(db).where('clinic_members.user_id', '=', userId).execute()).map(toMembership)
