import { describe, expect, it, vi } from 'vitest'
import { auditMessage, type AuditMessage } from '../src/core/audit'
import { deliver, deliverDeadLetters, runScheduled } from './audit-queue'
import { insertDeadLetter, testDb } from './db'
import { send, signedInAdmin, signedInUser } from './helpers'

/** A read's queued event naming these patients, as a disclosure would send it. */
const message = (patients: number[]): AuditMessage =>
  auditMessage(
    { actorId: 1, requestId: crypto.randomUUID(), clientIp: '198.51.100.9' },
    { action: 'patient.read', resourceType: 'patient', resourceId: patients[0], outcome: 'ok', patients },
    `${new Date().toISOString().slice(0, 19)}Z`,
  )

/** A message no D1 write accepts: its outcome breaks a CHECK constraint. */
const poison = (): AuditMessage => ({ ...message([800_000_001]), outcome: 'maybe' }) as unknown as AuditMessage

const storedEvents = (eventIds: string[]) => testDb.selectFrom('audit_events').select('event_id').where('event_id', 'in', eventIds).execute()

const deadLetterOf = (eventId: string) =>
  testDb.selectFrom('audit_dead_letters').selectAll().where('body', 'like', `%${eventId}%`).executeTakeFirst()

const quietly = async <T>(work: () => Promise<T>): Promise<T> => {
  const log = vi.spyOn(console, 'error').mockImplementation(() => {})
  try {
    return await work()
  } finally {
    log.mockRestore()
  }
}

describe('the audit queue consumer', () => {
  it('stores 99 good messages of a batch of 100 and retries only the poison one, which the dead-letter consumer keeps', async () => {
    const good = Array.from({ length: 99 }, (_, index) => message([700_000 + index]))
    const bad = poison()
    const batch = [...good.slice(0, 50), bad, ...good.slice(50)]
    const result = await quietly(() => deliver(batch))
    expect(result.ackAll).toBe(false)
    expect(result.explicitAcks).toHaveLength(99)
    expect(result.retryMessages).toEqual([{ msgId: 'message-50' }])
    expect(await storedEvents(good.map((m) => m.event_id))).toHaveLength(99)
    expect(await storedEvents([bad.event_id])).toEqual([])
    const named = await testDb.selectFrom('audit_event_resources').select('resource_id').where('resource_id', '>=', 700_000).where('resource_id', '<', 700_099).execute()
    expect(named).toHaveLength(99)

    // After max_retries the queue moves it to the dead-letter queue, whose consumer stores it with its error.
    const dead = await quietly(() => deliverDeadLetters([bad]))
    expect(dead.explicitAcks).toHaveLength(1)
    expect(dead.retryMessages).toEqual([])
    const letter = await deadLetterOf(bad.event_id)
    expect(letter).toMatchObject({ replayed_at: null, error: expect.stringContaining('CHECK constraint failed') })
    expect(JSON.parse(letter!.body)).toEqual(bad)
    expect(await storedEvents([bad.event_id])).toEqual([])
  })

  it('writes a dead-lettered message whose cause is gone, instead of keeping it', async () => {
    const healed = message([700_500])
    const result = await deliverDeadLetters([healed])
    expect(result.explicitAcks).toHaveLength(1)
    expect(await storedEvents([healed.event_id])).toHaveLength(1)
    expect(await deadLetterOf(healed.event_id)).toBeUndefined()
  })
})

describe('GET /api/health/audit/', () => {
  it('shows an admin the pending dead letters, the oldest unarchived event and the last chain link', async () => {
    const admin = await signedInAdmin()
    await insertDeadLetter(poison())
    await runScheduled()
    const archived = await send('GET', '/api/health/audit/', { token: admin.access })
    expect(archived.status).toBe(200)
    const last = await testDb.selectFrom('audit_archive_manifest').selectAll().orderBy('seq', 'desc').executeTakeFirstOrThrow()
    const pending = await testDb.selectFrom('audit_dead_letters').select('id').where('replayed_at', 'is', null).execute()
    expect(archived.body).toEqual({
      dead_letters: { count: pending.length, oldest_received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) },
      oldest_unarchived_event: null,
      last_link: {
        seq: last.seq,
        object_key: last.object_key,
        first_event_id: last.first_event_id,
        last_event_id: last.last_event_id,
        event_count: last.event_count,
        row_sha256: last.row_sha256,
        archived_at: last.archived_at,
        verified_at: last.verified_at,
      },
    })

    const user = await signedInUser()
    const waiting = await send('GET', '/api/health/audit/', { token: admin.access })
    const first = await testDb.selectFrom('audit_events').select(['id', 'occurred_at']).where('id', '>', last.last_event_id).orderBy('id').executeTakeFirstOrThrow()
    expect(waiting.body.oldest_unarchived_event).toEqual(first)

    const refused = await send('GET', '/api/health/audit/', { token: user.access })
    expect(refused.status).toBe(403)
    expect(refused.body.code).toBe('permission_denied')
    expect((await send('GET', '/api/health/audit/')).status).toBe(401)
  })
})

describe('GET /api/admin/audit/dead-letters/', () => {
  it('lists dead letters oldest first with their body and error, pending or replayed, for admins only', async () => {
    const admin = await signedInAdmin()
    const first = await insertDeadLetter(message([700_800]), 'D1_ERROR: first')
    const second = await insertDeadLetter(poison(), 'D1_ERROR: second')
    expect((await send('POST', `/api/admin/audit/dead-letters/${first}/replay/`, { token: admin.access })).status).toBe(200)

    const all = await send('GET', '/api/admin/audit/dead-letters/?page_size=100', { token: admin.access })
    expect(all.status).toBe(200)
    const ids = all.body.results.map((letter: { id: number }) => letter.id)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(all.body.results.find((letter: { id: number }) => letter.id === second)).toMatchObject({ error: 'D1_ERROR: second', replayed_at: null, replayed_by: null })
    const pending = await send('GET', '/api/admin/audit/dead-letters/?pending=true&page_size=100', { token: admin.access })
    expect(pending.body.results.map((letter: { id: number }) => letter.id)).toContain(second)
    expect(pending.body.results.map((letter: { id: number }) => letter.id)).not.toContain(first)
    const replayed = await send('GET', '/api/admin/audit/dead-letters/?pending=false&page_size=100', { token: admin.access })
    expect(replayed.body.results).toContainEqual(expect.objectContaining({ id: first, replayed_by: admin.id }))
    expect(replayed.body.count).toBe(await testDb.selectFrom('audit_dead_letters').select('id').where('replayed_at', 'is not', null).execute().then((rows) => rows.length))

    const user = await signedInUser()
    expect((await send('GET', '/api/admin/audit/dead-letters/', { token: user.access })).status).toBe(403)
    expect((await send('GET', '/api/admin/audit/dead-letters/?pending=maybe', { token: admin.access })).status).toBe(400)
  })
})

describe('POST /api/admin/audit/dead-letters/{id}/replay/', () => {
  it('writes the letter once its cause is fixed, marks it replayed, and audits the replay', async () => {
    const admin = await signedInAdmin()
    const body = message([700_600, 700_601])
    const id = await insertDeadLetter(body, 'D1_ERROR: no such table: audit_events')
    const replayed = await send('POST', `/api/admin/audit/dead-letters/${id}/replay/`, { token: admin.access })
    expect(replayed.status).toBe(200)
    expect(replayed.body).toEqual({ id, replayed_at: expect.stringMatching(/Z$/) })
    expect(await storedEvents([body.event_id])).toHaveLength(1)
    const named = await testDb.selectFrom('audit_event_resources').select('resource_id').where('event_id', '=', body.event_id).orderBy('resource_id').execute()
    expect(named.map((row) => row.resource_id)).toEqual([700_600, 700_601])
    const letter = await testDb.selectFrom('audit_dead_letters').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(letter).toMatchObject({ replayed_at: replayed.body.replayed_at, replayed_by: admin.id })
    const audited = await testDb.selectFrom('audit_events').selectAll().where('action', '=', 'admin.dead_letter_replay').where('resource_id', '=', id).execute()
    expect(audited).toMatchObject([{ actor_id: admin.id, resource_type: 'dead_letter', outcome: 'ok' }])

    const again = await send('POST', `/api/admin/audit/dead-letters/${id}/replay/`, { token: admin.access })
    expect(again.status).toBe(409)
    expect(again.body).toMatchObject({ code: 'conflict', error: 'This dead letter was already replayed.' })
    expect(await storedEvents([body.event_id])).toHaveLength(1)
  })

  it('refuses a letter that still cannot be written and leaves it pending', async () => {
    const admin = await signedInAdmin()
    const bad = poison()
    const id = await insertDeadLetter(bad)
    const refused = await send('POST', `/api/admin/audit/dead-letters/${id}/replay/`, { token: admin.access })
    expect(refused.status).toBe(400)
    expect(refused.body).toMatchObject({ code: 'validation_error' })
    expect(refused.text).not.toMatch(/CHECK|constraint|SQL/i)
    expect(await storedEvents([bad.event_id])).toEqual([])
    expect(await testDb.selectFrom('audit_dead_letters').select('replayed_at').where('id', '=', id).executeTakeFirst()).toEqual({ replayed_at: null })
  })

  it('is for admins only, and a missing letter is a 404', async () => {
    const user = await signedInUser()
    const body = message([700_700])
    const id = await insertDeadLetter(body)
    const refused = await send('POST', `/api/admin/audit/dead-letters/${id}/replay/`, { token: user.access })
    expect(refused.status).toBe(403)
    expect(await storedEvents([body.event_id])).toEqual([])
    const audited = await testDb.selectFrom('audit_events').selectAll().where('action', '=', 'admin.dead_letter_replay').where('resource_id', '=', id).execute()
    expect(audited).toMatchObject([{ actor_id: user.id, outcome: 'denied' }])
    const admin = await signedInAdmin()
    const missing = await send('POST', '/api/admin/audit/dead-letters/99999999/replay/', { token: admin.access })
    expect(missing.status).toBe(404)
    expect(missing.body.code).toBe('not_found')
  })
})
