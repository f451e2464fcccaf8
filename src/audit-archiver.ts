import { checkRow, encodeObject, objectKey, rowSha256, sha256Hex, verifyChain, type ArchiveReader, type ChainProblem } from './core/audit-chain'
import { connect, type Db } from './db/client'
import { countUnarchived, deleteArchivedBefore, eventsInRange, insertManifestRow, manifestRows, markVerified, pendingEvents, unverifiedRows } from './db/audit-archive'
import type { Bindings } from './env'
import { readArchivedObject } from './lib/archive'

/** Events per archived object: about 100 KB of gzip'd JSON, well within one D1 answer and one Worker's memory. */
export const EVENTS_PER_OBJECT = 2_000
/** Objects one run writes at most: 20,000 events a minute, about 330 audited answers a second. */
export const OBJECTS_PER_RUN = 10
/** Events the hot window deletes per statement, and statements per run. */
const DELETES_PER_BATCH = 2_000
const DELETE_BATCHES_PER_RUN = 10
export const DEFAULT_HOT_DAYS = 400

/** What the archive is read through: R2 for objects, D1 for the manifest and the events still there. */
export function archiveReader(db: Db, bucket: R2Bucket): ArchiveReader {
  return {
    manifest: () => manifestRows(db),
    object: (key) => readArchivedObject(bucket, key),
    events: (after, last) => eventsInRange(db, after, last),
  }
}

/**
 * `npm run audit:verify`: the whole chain checked (scripts/audit-verify.mjs runs this in Node
 * against the local or a remote D1 and R2), and how many events wait for the next archive run.
 */
export async function verifyArchive(env: Pick<Bindings, 'DB' | 'AUDIT_ARCHIVE'>) {
  const db = connect(env.DB)
  const report = await verifyChain(archiveReader(db, env.AUDIT_ARCHIVE))
  return { ...report, pending: await countUnarchived(db) }
}

/**
 * Archives the events not yet archived, in id order, as objects of up to EVENTS_PER_OBJECT events,
 * each followed by its manifest row. The object is written first: a run that fails before its row
 * lands leaves the range for the next run (the stray object is never linked); a row that loses a
 * race to another run is refused by the database. Returns the number of events archived.
 */
export async function archivePending(db: Db, bucket: R2Bucket): Promise<number> {
  let archived = 0
  for (let run = 0; run < OBJECTS_PER_RUN; run++) {
    const { previous, events } = await pendingEvents(db, EVENTS_PER_OBJECT)
    if (events.length === 0) break
    const bytes = await encodeObject(events)
    const objectSha256 = await sha256Hex(bytes)
    const after = previous?.last_event_id ?? 0
    const first = events[0]
    const last = events[events.length - 1]
    // Queued events carry the time of their answer, so a retried or replayed one may be older than its neighbours.
    const times = events.map((event) => String(event.occurred_at)).sort()
    const row = {
      seq: (previous?.seq ?? 0) + 1,
      object_key: objectKey(times[0], after, last.id, objectSha256),
      after_event_id: after,
      first_event_id: first.id,
      last_event_id: last.id,
      event_count: events.length,
      min_occurred_at: times[0],
      max_occurred_at: times[times.length - 1],
      object_sha256: objectSha256,
      previous_row_sha256: previous?.row_sha256 ?? '0'.repeat(64),
    }
    // A run whose row failed may have left this very object (same events, same bytes, same key); a
    // bucket lock refuses to overwrite it, so it is written only when absent. Verification re-hashes it.
    if (!(await bucket.head(row.object_key))) {
      await bucket.put(row.object_key, bytes, {
        httpMetadata: { contentType: 'application/x-ndjson', contentEncoding: 'gzip' },
        sha256: objectSha256,
      })
    }
    await insertManifestRow(db, { ...row, row_sha256: await rowSha256(row) })
    archived += events.length
    if (events.length < EVENTS_PER_OBJECT) break
  }
  return archived
}

/**
 * Reads back every manifest row not yet verified, re-hashes its object and compares it with the
 * events still in D1 and with the row before it; marks it verified when all holds. The hot window
 * deletes only what a verified row covers. Returns the problems found (the rows stay unverified).
 */
export async function verifyPending(db: Db, bucket: R2Bucket): Promise<ChainProblem[]> {
  const reader = archiveReader(db, bucket)
  const problems: ChainProblem[] = []
  for (const { row, previous } of await unverifiedRows(db, OBJECTS_PER_RUN * 2)) {
    const found = await checkRow(row, previous, reader)
    if (found.length === 0) await markVerified(db, row.seq)
    problems.push(...found)
  }
  return problems
}

/** Days of audit events D1 keeps (AUDIT_HOT_DAYS), 400 unless set to a positive whole number. */
export function hotDays(value: string | undefined): number {
  const days = Number(value)
  return value && Number.isInteger(days) && days > 0 ? days : DEFAULT_HOT_DAYS
}

/** Deletes from D1 the events older than the hot window that a verified manifest row covers. */
export async function pruneHotWindow(db: Db, days: number, now = new Date()): Promise<number> {
  const cutoff = `${new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 19)}Z`
  let deleted = 0
  for (let round = 0; round < DELETE_BATCHES_PER_RUN; round++) {
    const count = await deleteArchivedBefore(db, cutoff, DELETES_PER_BATCH)
    deleted += count
    if (count < DELETES_PER_BATCH) break
  }
  return deleted
}

/**
 * The cron trigger's work, every minute: archive, verify, then shorten the hot window. Each step
 * runs even when an earlier one failed, and the run fails (so the platform logs it) if any did.
 */
export async function runAuditArchive(env: Bindings, now = new Date()): Promise<{ archived: number; problems: ChainProblem[]; deleted: number }> {
  const db = connect(env.DB)
  const errors: unknown[] = []
  const step = async <T>(work: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await work()
    } catch (error) {
      errors.push(error)
      return fallback
    }
  }
  const archived = await step(() => archivePending(db, env.AUDIT_ARCHIVE), 0)
  const problems = await step(() => verifyPending(db, env.AUDIT_ARCHIVE), [])
  const deleted = await step(() => pruneHotWindow(db, hotDays(env.AUDIT_HOT_DAYS), now), 0)
  const summary = { level: problems.length || errors.length ? 'error' : 'info', job: 'audit-archive', archived, deleted, problems: problems.map((p) => p.message), errors: errors.map((e) => (e as Error).message) }
  console.log(JSON.stringify(summary))
  if (errors.length > 0) throw new AggregateError(errors, 'audit archive run failed')
  return { archived, problems, deleted }
}
