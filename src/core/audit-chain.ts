/**
 * The audit archive's format and its hash chain, shared by the Worker's archiver and
 * `npm run audit:verify` (which bundles this file for Node): WebCrypto and the compression streams
 * exist in both.
 */

/** `previous_row_sha256` of the first manifest row: there is no row before it. */
export const GENESIS_SHA256 = '0'.repeat(64)

/** One audit event as the archive holds it: the `audit_events` row and the records it named. */
export interface ArchivedEvent {
  id: number
  [column: string]: unknown
  /** Every record the event named beyond its own resource (audit_event_resources), ids ascending per type. */
  resources: Record<string, number[]>
}

/** A manifest row as `audit_archive_manifest` stores it. */
export interface ManifestRow {
  seq: number
  object_key: string
  after_event_id: number
  first_event_id: number
  last_event_id: number
  event_count: number
  min_occurred_at: string
  max_occurred_at: string
  object_sha256: string
  previous_row_sha256: string
  row_sha256: string
  archived_at: string
  verified_at: string | null
}

/** The fields a row's hash covers: all but the times the database sets (archived_at, verified_at). */
export type ChainedFields = Omit<ManifestRow, 'row_sha256' | 'archived_at' | 'verified_at'>

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('')

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
  return hex(await crypto.subtle.digest('SHA-256', bytes))
}

/** The SHA-256 of a manifest row: its fields in a fixed order, as a JSON array. */
export const rowSha256 = (row: ChainedFields) =>
  sha256Hex(
    JSON.stringify([
      row.seq,
      row.object_key,
      row.after_event_id,
      row.first_event_id,
      row.last_event_id,
      row.event_count,
      row.min_occurred_at,
      row.max_occurred_at,
      row.object_sha256,
      row.previous_row_sha256,
    ]),
  )

/** Where the object holding events `after`+1 .. `last` lives: under the day of its earliest event, named by its range and hash. */
export function objectKey(earliest: string, after: number, last: number, objectSha256: string): string {
  const [year, month, day] = earliest.slice(0, 10).split('-')
  const pad = (id: number) => String(id).padStart(12, '0')
  return `audit/${year}/${month}/${day}/${pad(after + 1)}-${pad(last)}-${objectSha256.slice(0, 16)}.ndjson.gz`
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

/** The object's bytes: one JSON line per event, gzip'd. */
export function encodeObject(events: readonly ArchivedEvent[]): Promise<Uint8Array> {
  const text = events.map((event) => `${JSON.stringify(event)}\n`).join('')
  return drain(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip')))
}

/** The events an object holds; throws when its bytes are not gzip'd newline JSON. */
export async function decodeObject(bytes: Uint8Array): Promise<ArchivedEvent[]> {
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(
    await drain(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))),
  )
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ArchivedEvent)
}

/**
 * Whether an event still in D1 says what its archived copy says. Columns added after it was
 * archived are null in D1 and absent in the archive, which is no change.
 */
export function sameEvent(inD1: ArchivedEvent, archived: ArchivedEvent): boolean {
  const keys = new Set([...Object.keys(inD1), ...Object.keys(archived)])
  for (const key of keys) {
    if (JSON.stringify(inD1[key] ?? null) !== JSON.stringify(archived[key] ?? null)) return false
  }
  return true
}

export type ProblemKind = 'gap' | 'broken_link' | 'changed_object' | 'missing_object' | 'changed_event' | 'unarchived_event'

export interface ChainProblem {
  kind: ProblemKind
  /** The manifest row it concerns, when one does. */
  seq: number | null
  object_key: string | null
  message: string
}

/** What verification reads: the manifest, the archive's objects, and the events still in D1. */
export interface ArchiveReader {
  /** Every manifest row, by seq. */
  manifest(): Promise<ManifestRow[]>
  /** The object's bytes, or null when the archive has no such key. */
  object(key: string): Promise<Uint8Array | null>
  /** The events still in D1 with after < id <= last, by id. */
  events(after: number, last: number): Promise<ArchivedEvent[]>
}

/**
 * Checks one manifest row against the row before it (or genesis), its object, and the events of its
 * range still in D1: every link, hash, count and event that does not hold is named.
 */
export async function checkRow(row: ManifestRow, previous: ManifestRow | null, reader: ArchiveReader): Promise<ChainProblem[]> {
  const problems: ChainProblem[] = []
  const at = { seq: row.seq, object_key: row.object_key }
  const expectedAfter = previous ? previous.last_event_id : 0
  const expectedSeq = previous ? previous.seq + 1 : 1
  if (row.seq !== expectedSeq || row.after_event_id !== expectedAfter) {
    problems.push({
      kind: 'gap',
      ...at,
      message: `row ${row.seq} starts after event ${row.after_event_id}, but the row before ends at event ${expectedAfter}${row.seq !== expectedSeq ? ` (row ${expectedSeq} is missing)` : ''}`,
    })
  }
  const expectedPrevious = previous ? await rowSha256(previous) : GENESIS_SHA256
  if (row.previous_row_sha256 !== expectedPrevious) {
    problems.push({ kind: 'broken_link', ...at, message: `row ${row.seq} links to ${row.previous_row_sha256}, but the row before hashes to ${expectedPrevious}` })
  }
  const own = await rowSha256(row)
  if (row.row_sha256 !== own) {
    problems.push({ kind: 'broken_link', ...at, message: `row ${row.seq} claims hash ${row.row_sha256}, but its fields hash to ${own}` })
  }
  let bytes: Uint8Array | null
  try {
    bytes = await reader.object(row.object_key)
  } catch (error) {
    problems.push({ kind: 'changed_object', ...at, message: `object ${row.object_key} of row ${row.seq} cannot be read: ${(error as Error).message}` })
    return problems
  }
  if (bytes === null) {
    problems.push({ kind: 'missing_object', ...at, message: `object ${row.object_key} of row ${row.seq} is not in the archive` })
    return problems
  }
  const objectHash = await sha256Hex(bytes)
  if (objectHash !== row.object_sha256) {
    problems.push({ kind: 'changed_object', ...at, message: `object ${row.object_key} hashes to ${objectHash}, but row ${row.seq} recorded ${row.object_sha256}` })
  }
  let archived: ArchivedEvent[]
  try {
    archived = await decodeObject(bytes)
  } catch (error) {
    problems.push({ kind: 'changed_object', ...at, message: `object ${row.object_key} cannot be read: ${(error as Error).message}` })
    return problems
  }
  const ids = archived.map((event) => event.id)
  const ordered = ids.every((id, index) => id > row.after_event_id && id <= row.last_event_id && (index === 0 || id > ids[index - 1]))
  if (archived.length !== row.event_count || !ordered || ids[0] !== row.first_event_id) {
    problems.push({
      kind: 'changed_object',
      ...at,
      message: `object ${row.object_key} holds ${archived.length} events (ids ${ids[0]}..${ids.at(-1)}), but row ${row.seq} recorded ${row.event_count} (ids ${row.first_event_id}..${row.last_event_id})`,
    })
  }
  const byId = new Map(archived.map((event) => [event.id, event]))
  for (const event of await reader.events(row.after_event_id, row.last_event_id)) {
    const copy = byId.get(event.id)
    if (!copy) {
      problems.push({ kind: 'unarchived_event', ...at, message: `event ${event.id} is in D1 within row ${row.seq}'s range but not in ${row.object_key}` })
    } else if (!sameEvent(event, copy)) {
      problems.push({ kind: 'changed_event', ...at, message: `event ${event.id} in D1 differs from its copy in ${row.object_key}` })
    }
  }
  return problems
}

/** Walks the whole chain from its first row: every gap, broken link, changed or missing object and changed event. */
export async function verifyChain(reader: ArchiveReader): Promise<{ rows: number; events: number; problems: ChainProblem[] }> {
  const rows = await reader.manifest()
  const problems: ChainProblem[] = []
  let previous: ManifestRow | null = null
  let events = 0
  for (const row of rows) {
    problems.push(...(await checkRow(row, previous, reader)))
    events += row.event_count
    previous = row
  }
  return { rows: rows.length, events, problems }
}
