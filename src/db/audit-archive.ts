import { sql } from 'kysely'
import type { ArchivedEvent, ManifestRow } from '../core/audit-chain'
import { batch, type Db } from './client'
import type { AuditEventRow } from './schema'

/** The last event id the archive holds, as SQL: 0 before the first object. */
export const archivedThrough = (db: Db) =>
  db.kysely.selectFrom('audit_archive_manifest').select((eb) => eb.fn.coalesce(eb.fn.max('last_event_id'), sql.lit(0)).as('last'))

/** The events with `after` < id (<= `last`, at most `limit`), by id: their rows and the records they named, in one round trip. */
async function eventsWhere(db: Db, where: { after: number; last?: number; limit?: number }): Promise<ArchivedEvent[]> {
  let events = db.kysely.selectFrom('audit_events').selectAll().where('id', '>', where.after).orderBy('id')
  if (where.last !== undefined) events = events.where('id', '<=', where.last)
  if (where.limit !== undefined) events = events.limit(where.limit)
  const { rows, named } = await batch(db, {
    rows: events,
    named: db.kysely
      .selectFrom('audit_event_resources')
      .select(['event_id', 'resource_type', 'resource_id'])
      .where('event_id', 'in', events.clearSelect().select('event_id'))
      .orderBy('resource_type')
      .orderBy('resource_id'),
  })
  const resources = new Map<string, Record<string, number[]>>()
  for (const { event_id, resource_type, resource_id } of named) {
    const ofEvent = resources.get(event_id) ?? {}
    ;(ofEvent[resource_type] ??= []).push(resource_id)
    resources.set(event_id, ofEvent)
  }
  return rows.map((row: AuditEventRow) => ({ ...row, resources: (row.event_id && resources.get(row.event_id)) || {} }))
}

/** Up to `limit` events not yet archived, in id order, and the manifest row they follow (null before the first). */
export async function pendingEvents(db: Db, limit: number): Promise<{ previous: ManifestRow | null; events: ArchivedEvent[] }> {
  const previous = await lastManifestRow(db)
  return { previous, events: await eventsWhere(db, { after: previous?.last_event_id ?? 0, limit }) }
}

/** The events of a manifest row's range still in D1. */
export const eventsInRange = (db: Db, after: number, last: number) => eventsWhere(db, { after, last })

export async function lastManifestRow(db: Db): Promise<ManifestRow | null> {
  return (await db.kysely.selectFrom('audit_archive_manifest').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst()) ?? null
}

/** How many events D1 holds that no manifest row covers yet. */
export async function countUnarchived(db: Db): Promise<number> {
  const row = await db.kysely
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('id', '>', archivedThrough(db))
    .executeTakeFirst()
  return Number(row?.count ?? 0)
}

/** Every manifest row, by seq. */
export const manifestRows = (db: Db): Promise<ManifestRow[]> => db.kysely.selectFrom('audit_archive_manifest').selectAll().orderBy('seq').execute()

/** Adds a link to the chain; the database refuses it (trigger) unless it starts where the last row ended. */
export async function insertManifestRow(db: Db, row: Omit<ManifestRow, 'archived_at' | 'verified_at'>): Promise<void> {
  await db.kysely.insertInto('audit_archive_manifest').values({ ...row, verified_at: null }).execute()
}

/** Up to `limit` rows not yet verified, by seq, each with the row before it. */
export async function unverifiedRows(db: Db, limit: number): Promise<{ row: ManifestRow; previous: ManifestRow | null }[]> {
  const unverified = db.kysely.selectFrom('audit_archive_manifest').select('seq').where('verified_at', 'is', null).orderBy('seq').limit(limit)
  const rows: ManifestRow[] = await db.kysely
    .selectFrom('audit_archive_manifest')
    .selectAll()
    .where((eb) => eb.or([eb('seq', 'in', unverified), eb(sql<number>`seq + 1`, 'in', unverified)]))
    .orderBy('seq')
    .execute()
  const bySeq = new Map(rows.map((row) => [row.seq, row]))
  return rows.filter((row) => row.verified_at === null).slice(0, limit).map((row) => ({ row, previous: bySeq.get(row.seq - 1) ?? null }))
}

export async function markVerified(db: Db, seq: number): Promise<void> {
  await db.kysely
    .updateTable('audit_archive_manifest')
    .set({ verified_at: sql<string>`strftime('%Y-%m-%dT%H:%M:%SZ', 'now')` })
    .where('seq', '=', seq)
    .where('verified_at', 'is', null)
    .execute()
}

/**
 * Deletes up to `limit` events that occurred before `cutoff` and that a verified manifest row
 * covers, with the records they named, in one atomic batch. The append-only triggers refuse any
 * other event, so this condition is a courtesy: a wrong one fails the batch, it deletes nothing more.
 */
export async function deleteArchivedBefore(db: Db, cutoff: string, limit: number): Promise<number> {
  const doomed = db.kysely
    .selectFrom('audit_events')
    .select('id')
    .where('occurred_at', '<', cutoff)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('audit_archive_manifest')
          .select('seq')
          .where('verified_at', 'is not', null)
          .whereRef('after_event_id', '<', 'audit_events.id')
          .whereRef('last_event_id', '>=', 'audit_events.id'),
      ),
    )
    .orderBy('id')
    .limit(limit)
  const { deleted } = await batch(db, {
    resources: db.kysely
      .deleteFrom('audit_event_resources')
      .where('event_id', 'in', db.kysely.selectFrom('audit_events').select('event_id').where('id', 'in', doomed)),
    deleted: db.kysely.deleteFrom('audit_events').where('id', 'in', doomed).returning('id'),
  })
  return deleted.length
}
