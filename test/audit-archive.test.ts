import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { archiveReader } from '../src/audit-archiver'
import { decodeObject, encodeObject, verifyChain, type ArchivedEvent, type ManifestRow } from '../src/core/audit-chain'
import { connect } from '../src/db/client'
import { deliver, recordingQueue, runScheduled } from './audit-queue'
import { testDb } from './db'
import { createPatient, send, signedInAdmin, signedInUser } from './helpers'

const manifest = (): Promise<ManifestRow[]> => testDb.selectFrom('audit_archive_manifest').selectAll().orderBy('seq').execute()

/** Every event the archive holds, read from R2 through the manifest. */
async function archivedEvents(): Promise<ArchivedEvent[]> {
  const events: ArchivedEvent[] = []
  for (const row of await manifest()) {
    const object = await env.AUDIT_ARCHIVE.get(row.object_key)
    events.push(...(await decodeObject(new Uint8Array(await object!.arrayBuffer()))))
  }
  return events
}

const quietly = async <T>(work: () => Promise<T>): Promise<T> => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  try {
    return await work()
  } finally {
    log.mockRestore()
  }
}

const verify = () => verifyChain(archiveReader(connect(env.DB), env.AUDIT_ARCHIVE))

const lastEventId = async () =>
  (await testDb.selectFrom('audit_events').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst())?.id ?? 0

/** A patient read whose event went through the queue to D1; answers the event id. */
async function readThroughQueue(token: string, patientId: number): Promise<string> {
  const audit = recordingQueue()
  const answer = await send('GET', `/api/patients/${patientId}/`, { token, env: { AUDIT_QUEUE: audit.queue } })
  expect(answer.status).toBe(200)
  await deliver(audit.sent)
  return audit.sent[0].event_id
}

/** An R2 binding whose writes fail, in place of AUDIT_ARCHIVE for one run. */
const failingBucket = () =>
  ({
    head: async () => null,
    put: async () => {
      throw new Error('R2 is unavailable')
    },
    get: (key: string) => env.AUDIT_ARCHIVE.get(key),
  }) as unknown as R2Bucket

describe('the scheduled archiver', () => {
  it('archives every kind of event: a read, a list page, a create, a login and an admin change', async () => {
    const admin = await signedInAdmin()
    const user = await signedInUser()
    const patient = await createPatient(user.access, { name: 'Archived Patient' })
    const readEvent = await readThroughQueue(user.access, patient.id)
    const list = recordingQueue()
    expect((await send('GET', '/api/patients/?search=archived', { token: user.access, env: { AUDIT_QUEUE: list.queue } })).status).toBe(200)
    await deliver(list.sent)
    const changed = await send('PATCH', `/api/admin/users/${user.id}/`, { token: admin.access, body: { role: 'admin' } })
    expect(changed.status).toBe(200)

    await runScheduled()

    const archived = await archivedEvents()
    const byEventId = new Map(archived.map((event) => [event.event_id, event]))
    expect(byEventId.get(readEvent)).toMatchObject({ action: 'patient.read', resource_id: patient.id, outcome: 'ok', resources: { patient: [patient.id] } })
    expect(byEventId.get(list.sent[0].event_id)).toMatchObject({ action: 'patient.list', resources: { patient: [patient.id] } })
    expect(archived).toContainEqual(expect.objectContaining({ action: 'patient.create', resource_id: patient.id, actor_id: user.id }))
    expect(archived).toContainEqual(expect.objectContaining({ action: 'auth.login', actor_id: user.id, outcome: 'ok' }))
    expect(archived).toContainEqual(expect.objectContaining({ action: 'admin.user_update', resource_id: user.id, actor_id: admin.id }))
    // Every event in D1 is in the archive, exactly as D1 holds it.
    const inD1 = await testDb.selectFrom('audit_events').select('id').orderBy('id').execute()
    expect(archived.map((event) => event.id)).toEqual(inD1.map((row) => row.id))
    const rows = await manifest()
    expect(rows.at(-1)).toMatchObject({ last_event_id: await lastEventId(), verified_at: expect.any(String) })
    expect((await verify()).problems).toEqual([])
  })

  it('puts an event in the archive at the first run after it reaches D1: within 2 minutes of its answer', async () => {
    // The cron runs every minute and a run archives every event D1 holds when it starts; the queue
    // puts a read in D1 within seconds. So a minute plus the queue's delay bounds the wait.
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const readEvent = await readThroughQueue(user.access, patient.id)
    await runScheduled()
    const row = (await manifest()).at(-1)!
    expect(row.object_key).toMatch(/^audit\/\d{4}\/\d{2}\/\d{2}\/\d{12}-\d{12}-[0-9a-f]{16}\.ndjson\.gz$/)
    const object = await env.AUDIT_ARCHIVE.get(row.object_key)
    const events = await decodeObject(new Uint8Array(await object!.arrayBuffer()))
    expect(events.map((event) => event.event_id)).toContain(readEvent)
    expect(await testDb.selectFrom('audit_events').select('id').where('id', '>', row.last_event_id).execute()).toEqual([])
  })

  it('leaves the range of a failed run for the next one, and the chain has no gap', async () => {
    const user = await signedInUser()
    await runScheduled()
    const before = await manifest()
    await createPatient(user.access, { name: 'Left For Later' })
    const pending = await lastEventId()

    await expect(quietly(() => runScheduled(new Date(), { AUDIT_ARCHIVE: failingBucket() }))).rejects.toThrow('audit archive run failed')
    expect(await manifest()).toEqual(before)

    await runScheduled()
    const after = await manifest()
    expect(after).toHaveLength(before.length + 1)
    const link = after.at(-1)!
    expect(link).toMatchObject({ seq: before.at(-1)!.seq + 1, after_event_id: before.at(-1)!.last_event_id, last_event_id: pending, previous_row_sha256: before.at(-1)!.row_sha256 })
    expect((await archivedEvents()).map((event) => event.id)).toContain(pending)
    expect(await verify()).toMatchObject({ problems: [] })
  })

  it('goes on under a bucket lock after a run that wrote its object but not its manifest row', async () => {
    const user = await signedInUser()
    await runScheduled()
    const before = await manifest()
    await createPatient(user.access, { name: 'Locked Bucket' })
    const pending = await lastEventId()
    // A bucket lock refuses to overwrite an object; D1 refuses the row of the first run.
    const locked = {
      head: (key: string) => env.AUDIT_ARCHIVE.head(key),
      get: (key: string) => env.AUDIT_ARCHIVE.get(key),
      put: async (key: string, value: Uint8Array, options: R2PutOptions) => {
        if (await env.AUDIT_ARCHIVE.head(key)) throw new Error(`${key} is locked`)
        return env.AUDIT_ARCHIVE.put(key, value, options)
      },
    } as unknown as R2Bucket
    const noManifest = {
      prepare: (query: string) => {
        if (!/^insert into "audit_archive_manifest"/.test(query)) return env.DB.prepare(query)
        const refuse = async () => {
          throw new Error('D1 is unavailable')
        }
        return { bind: () => ({ all: refuse, run: refuse, raw: refuse, first: refuse }) }
      },
      batch: (statements: D1PreparedStatement[]) => env.DB.batch(statements),
    } as unknown as D1Database
    await expect(quietly(() => runScheduled(new Date(), { AUDIT_ARCHIVE: locked, DB: noManifest }))).rejects.toThrow('audit archive run failed')
    expect(await manifest()).toEqual(before)
    const stray = await env.AUDIT_ARCHIVE.list({ prefix: 'audit/' })
    expect(stray.objects.some((object) => object.key.includes(`-${String(pending).padStart(12, '0')}-`))).toBe(true)

    await runScheduled(new Date(), { AUDIT_ARCHIVE: locked })
    expect((await manifest()).at(-1)).toMatchObject({ seq: before.at(-1)!.seq + 1, last_event_id: pending, verified_at: expect.any(String) })
    expect((await verify()).problems).toEqual([])
  })

  it('refuses a manifest row that does not start where the last one ended: two runs cannot archive one range or fork the chain', async () => {
    const user = await signedInUser()
    await createPatient(user.access)
    await runScheduled()
    const last = (await manifest()).at(-1)!
    const overlapping = { ...last, seq: last.seq + 1, object_key: `${last.object_key}.again`, row_sha256: 'f'.repeat(64), previous_row_sha256: last.row_sha256, verified_at: null }
    await expect(testDb.insertInto('audit_archive_manifest').values(overlapping).execute()).rejects.toThrow(/must start where the last one ended/)
    const fork = { ...overlapping, after_event_id: last.last_event_id, first_event_id: last.last_event_id + 1, last_event_id: last.last_event_id + 1, event_count: 1, previous_row_sha256: last.previous_row_sha256 }
    await expect(testDb.insertInto('audit_archive_manifest').values(fork).execute()).rejects.toThrow(/must start where the last one ended/)
    await expect(testDb.deleteFrom('audit_archive_manifest').where('seq', '=', last.seq).execute()).rejects.toThrow(/append-only/)
    await expect(testDb.updateTable('audit_archive_manifest').set({ object_sha256: '0'.repeat(64) }).where('seq', '=', last.seq).execute()).rejects.toThrow(/append-only/)
    expect((await manifest()).at(-1)).toEqual(last)
  })
})

describe('npm run audit:verify', () => {
  it('names the object whose bytes changed, and the event whose copy no longer matches', async () => {
    const user = await signedInUser()
    await createPatient(user.access, { name: 'Tampered' })
    await runScheduled()
    const row = (await manifest()).at(-1)!
    const original = new Uint8Array(await (await env.AUDIT_ARCHIVE.get(row.object_key))!.arrayBuffer())
    const events = await decodeObject(original)
    const forged = events.map((event) => (event.id === row.last_event_id ? { ...event, actor_id: 999_999 } : event))
    await env.AUDIT_ARCHIVE.put(row.object_key, await encodeObject(forged))

    const { problems } = await verify()
    expect(problems).toContainEqual({ kind: 'changed_object', seq: row.seq, object_key: row.object_key, message: expect.stringContaining(row.object_key) })
    expect(problems).toContainEqual({ kind: 'changed_event', seq: row.seq, object_key: row.object_key, message: `event ${row.last_event_id} in D1 differs from its copy in ${row.object_key}` })

    await env.AUDIT_ARCHIVE.put(row.object_key, original)
    expect((await verify()).problems).toEqual([])
  })

  it('names a missing object', async () => {
    const user = await signedInUser()
    await createPatient(user.access)
    await runScheduled()
    const row = (await manifest()).at(-1)!
    const original = new Uint8Array(await (await env.AUDIT_ARCHIVE.get(row.object_key))!.arrayBuffer())
    await env.AUDIT_ARCHIVE.delete(row.object_key)
    expect((await verify()).problems).toContainEqual(expect.objectContaining({ kind: 'missing_object', seq: row.seq, object_key: row.object_key }))
    await env.AUDIT_ARCHIVE.put(row.object_key, original)
  })
})

describe('the hot window', () => {
  it('refuses, in the database, a delete of an event that no verified manifest row covers', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    await runScheduled()
    const eventId = await readThroughQueue(user.access, patient.id)
    const { id } = await testDb.selectFrom('audit_events').select('id').where('event_id', '=', eventId).executeTakeFirstOrThrow()
    await expect(testDb.deleteFrom('audit_events').where('id', '=', id).execute()).rejects.toThrow(/only archived and verified events may be deleted/)
    await expect(testDb.deleteFrom('audit_event_resources').where('event_id', '=', eventId).execute()).rejects.toThrow(/only archived and verified events may be deleted/)
    await expect(testDb.updateTable('audit_events').set({ actor_id: 1 }).where('id', '=', id).execute()).rejects.toThrow(/append-only/)
    expect(await testDb.selectFrom('audit_events').select('id').where('id', '=', id).execute()).toEqual([{ id }])
    expect(await testDb.selectFrom('audit_event_resources').select('resource_id').where('event_id', '=', eventId).execute()).toEqual([{ resource_id: patient.id }])
  })

  it('deletes only the events older than AUDIT_HOT_DAYS that a verified row covers; the archive keeps them', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, { name: 'Hot Window' })
    const readEvent = await readThroughQueue(user.access, patient.id)
    await runScheduled()
    const covered = (await manifest()).at(-1)!.last_event_id
    await createPatient(user.access, { name: 'Not Yet Archived' })
    const uncovered = await lastEventId()

    // 31 days on, with a 30-day window; this run cannot archive, so the newest event stays uncovered.
    const later = new Date(Date.now() + 31 * 86_400_000)
    await expect(quietly(() => runScheduled(later, { AUDIT_ARCHIVE: failingBucket(), AUDIT_HOT_DAYS: '30' }))).rejects.toThrow('audit archive run failed')
    const left = await testDb.selectFrom('audit_events').select('id').execute()
    expect(left.map((row) => row.id)).toEqual([uncovered])
    expect(await testDb.selectFrom('audit_event_resources').select('event_id').where('event_id', '=', readEvent).execute()).toEqual([])
    expect((await archivedEvents()).map((event) => event.id)).toEqual(expect.arrayContaining([covered]))
    expect(await archivedEvents()).toContainEqual(expect.objectContaining({ event_id: readEvent, resources: { patient: [patient.id] } }))
    expect((await verify()).problems).toEqual([])
  })

  it('keeps archived events until their object reads back equal, then deletes them', async () => {
    const user = await signedInUser()
    await createPatient(user.access, { name: 'Unverified' })
    const newest = await lastEventId()
    // An archive that accepts writes but cannot give the object back: its row stays unverified.
    const blind = {
      head: (key: string) => env.AUDIT_ARCHIVE.head(key),
      put: (key: string, value: Uint8Array, options: R2PutOptions) => env.AUDIT_ARCHIVE.put(key, value, options),
      get: async () => null,
    } as unknown as R2Bucket
    const later = new Date(Date.now() + 500 * 86_400_000)
    await quietly(() => runScheduled(later, { AUDIT_ARCHIVE: blind }))
    const row = (await manifest()).at(-1)!
    expect(row).toMatchObject({ last_event_id: newest, verified_at: null })
    expect(await testDb.selectFrom('audit_events').select('id').where('id', '=', newest).execute()).toEqual([{ id: newest }])

    await runScheduled(later)
    expect((await manifest()).find((link) => link.seq === row.seq)?.verified_at).toEqual(expect.any(String))
    expect(await testDb.selectFrom('audit_events').select('id').where('id', '=', newest).execute()).toEqual([])
  })

  it('keeps events inside the window, archived or not', async () => {
    const user = await signedInUser()
    await createPatient(user.access)
    await runScheduled()
    const before = await testDb.selectFrom('audit_events').select('id').orderBy('id').execute()
    await runScheduled(new Date(Date.now() + 399 * 86_400_000))
    const after = await testDb.selectFrom('audit_events').select('id').orderBy('id').execute()
    expect(after).toEqual(before)
  })
})
