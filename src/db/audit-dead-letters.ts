import { sql } from 'kysely'
import { NON_FIELD } from '../core/error-codes'
import type { Outcome } from '../core/refusal'
import type { AuditHealth, DeadLetter, DeadLetterListQuery } from '../schemas/audit-archive'
import { adminCheck } from './admin'
import { auditMessageInserts, auditWriteQuery } from './audit'
import { archivedThrough } from './audit-archive'
import { batch, type Db } from './client'
import { fetchPage } from './page'
import type { Scope } from './scope'
import { nowUtc } from './sql'

/** The longest error kept with a dead letter, as the API documents it. */
const MAX_ERROR_LENGTH = 4096

/**
 * Keeps a message the dead-letter queue delivered; a redelivered one is stored once. Its error is
 * kept on one line (control characters become spaces) and cut to MAX_ERROR_LENGTH, as the API shows it.
 */
export async function storeDeadLetter(db: Db, letter: { message_id: string; body: string; error: string }): Promise<void> {
  const error = letter.error.replace(/\p{Cc}+/gu, ' ').slice(0, MAX_ERROR_LENGTH)
  await db.kysely
    .insertInto('audit_dead_letters')
    .values({ ...letter, error })
    .onConflict((oc) => oc.column('message_id').doNothing())
    .execute()
}

/** The audit record's state for administrators, and the replay of its dead letters; every query proves the caller an active admin in the same batch. */
export function auditAdminRepo({ db, stamp, userId: adminId }: Scope) {
  return {
    /** Dead letters not yet replayed, the oldest event not yet archived, and the chain's last link, in one round trip. */
    async health(): Promise<Outcome<AuditHealth>> {
      const pending = db.kysely.selectFrom('audit_dead_letters').where('replayed_at', 'is', null)
      const {
        admin,
        letters: [letters],
        unarchived: [unarchived],
        link: [link],
      } = await batch(db, {
        admin: adminCheck(db, adminId),
        letters: pending.select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('received_at').as('oldest_received_at')]),
        unarchived: db.kysely
          .selectFrom('audit_events')
          .select(['id', 'occurred_at'])
          .where('id', '>', archivedThrough(db))
          .orderBy('id')
          .limit(1),
        link: db.kysely
          .selectFrom('audit_archive_manifest')
          .select(['seq', 'object_key', 'first_event_id', 'last_event_id', 'event_count', 'row_sha256', 'archived_at', 'verified_at'])
          .orderBy('seq', 'desc')
          .limit(1),
      })
      if (admin.length === 0) return { refused: 'denied' }
      return {
        dead_letters: { count: Number(letters?.count ?? 0), oldest_received_at: letters?.oldest_received_at ?? null },
        oldest_unarchived_event: unarchived ?? null,
        last_link: link ?? null,
      }
    },

    /** Dead letters, oldest first (the order to work through them), optionally only pending or only replayed ones. */
    async listDeadLetters({ pending, ...page }: DeadLetterListQuery): Promise<Outcome<{ count: number; results: DeadLetter[] }>> {
      let query = db.kysely.selectFrom('audit_dead_letters').selectAll()
      if (pending !== undefined) query = query.where('replayed_at', pending ? 'is' : 'is not', null)
      const { count, rows, checked } = await fetchPage(db, query.orderBy('id'), page, adminCheck(db, adminId))
      if (checked.length === 0) return { refused: 'denied' }
      return { count, results: rows }
    },

    /**
     * Writes a dead letter's event to the audit trail and marks the letter replayed, in one atomic
     * batch with the admin check and the replay's own audit event. An event already stored is
     * skipped by its event_id. 'duplicate' when already replayed; 'invalid' when it still cannot be written.
     */
    async replayDeadLetter(id: number): Promise<Outcome<{ id: number; replayed_at: string }>> {
      const isAdmin = () => adminCheck(db, adminId)
      const letter = () => db.kysely.selectFrom('audit_dead_letters').where('id', '=', id)
      const body = letter()
        .select(sql<string>`json_array(json(body))`.as('messages'))
        .where('replayed_at', 'is', null)
        .where(({ exists }) => exists(isAdmin()))
      let results
      try {
        results = await batch(db, {
          admin: isAdmin(),
          ...auditMessageInserts(db, sql<string>`coalesce((${body}), '[]')`),
          replayed: db.kysely
            .updateTable('audit_dead_letters')
            .set({ replayed_at: nowUtc(), replayed_by: adminId })
            .where('id', '=', id)
            .where('replayed_at', 'is', null)
            .where(({ exists }) => exists(isAdmin()))
            .returning(['id', 'replayed_at']),
          audit: auditWriteQuery(db, stamp, { action: 'admin.dead_letter_replay', resourceType: 'dead_letter', resourceId: id }, letter().select('id')),
          found: letter().select(['id', 'replayed_at']),
        })
      } catch {
        const message = 'The dead letter still cannot be written to the audit trail; its stored error says why.'
        return { refused: 'invalid', message, details: { [NON_FIELD]: [message] } }
      }
      const {
        admin,
        replayed: [replayed],
        found: [found],
      } = results
      if (admin.length === 0) return { refused: 'denied' }
      if (replayed) return { id: replayed.id, replayed_at: replayed.replayed_at as string }
      return found ? { refused: 'duplicate' } : { refused: 'not_found' }
    },
  }
}
