import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { auditMessage, type AuditMessage } from '../src/core/audit'
import { encodeObject } from '../src/core/audit-chain'
import { connect } from '../src/db/client'
import { eventsInRange } from '../src/db/audit-archive'
import { deliver } from './audit-queue'
import { testDb } from './db'

const EVENTS = 1_000

/** The database's size in bytes, as D1 reports it after a statement. */
const databaseBytes = async () => (await env.DB.prepare('select 1').run()).meta.size_after

const stamp = () => ({ actorId: 1234, requestId: crypto.randomUUID(), clientIp: '203.0.113.77', clientRequestId: null })
const now = () => `${new Date().toISOString().slice(0, 19)}Z`

/** A patient read's event, as GET /api/patients/{id}/ queues it. */
const readEvent = (index: number) => auditMessage(stamp(), { action: 'patient.read', resourceType: 'patient', resourceId: 10_000 + index, outcome: 'ok', patients: [10_000 + index] }, now())

/** A list page of 20 patients, as GET /api/patients/?search=gr&ordering=name queues it. */
const listEvent = (index: number) =>
  auditMessage(
    stamp(),
    {
      action: 'patient.list',
      resourceType: 'patient',
      resourceId: null,
      outcome: 'ok',
      patients: Array.from({ length: 20 }, (_, offset) => 20_000 + index * 20 + offset),
      detail: { search: 'gr', ordering: 'name', page: 1, page_size: 20 },
    },
    now(),
  )

/** Writes the events through the queue consumer, 100 a batch; answers the bytes each one added to D1 and to the archive. */
async function measure(make: (index: number) => AuditMessage): Promise<{ d1: number; archive: number }> {
  const first = ((await testDb.selectFrom('audit_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? 0) as number
  const before = await databaseBytes()
  for (let start = 0; start < EVENTS; start += 100) {
    await deliver(Array.from({ length: 100 }, (_, offset) => make(start + offset)))
  }
  const after = await databaseBytes()
  const events = await eventsInRange(connect(env.DB), first, Number.MAX_SAFE_INTEGER)
  expect(events).toHaveLength(EVENTS)
  return { d1: (after - before) / EVENTS, archive: (await encodeObject(events)).byteLength / EVENTS }
}

describe('bytes per audit event (docs/audit-archive.md)', () => {
  it('costs far fewer bytes in the archive than in D1, for a read and for a list page of 20', async () => {
    const read = await measure(readEvent)
    const list = await measure(listEvent)
    console.log(JSON.stringify({ level: 'measure', bytes_per_event: { read, list } }))
    expect(read.archive).toBeLessThan(read.d1 / 2)
    expect(list.archive).toBeLessThan(list.d1 / 2)
    expect(list.d1).toBeGreaterThan(read.d1)
  })
})
