import { describe, expect, it } from 'vitest'
import { GENESIS_SHA256, rowSha256, type ChainedFields } from '../src/core/audit-chain'
import { REPORT_MAX_OBJECTS } from '../src/db/patients'
import { recordingQueue } from './audit-queue'
import { testDb } from './db'
import { createPatient, send, signedInUser } from './helpers'

/**
 * Links of an archive whose events D1 no longer holds, one event each, all within the last hour:
 * their own file, since their objects are never written (the chain would not verify).
 */
async function archivedLinks(count: number): Promise<void> {
  const at = `${new Date().toISOString().slice(0, 19)}Z`
  let previous = GENESIS_SHA256
  for (let seq = 1; seq <= count; seq++) {
    const id = 900_000_000 + seq
    const fields: ChainedFields = {
      seq,
      object_key: `audit/limits/${seq}.ndjson.gz`,
      after_event_id: seq === 1 ? 0 : id - 1,
      first_event_id: id,
      last_event_id: id,
      event_count: 1,
      min_occurred_at: at,
      max_occurred_at: at,
      object_sha256: 'a'.repeat(64),
      previous_row_sha256: previous,
    }
    previous = await rowSha256(fields)
    await testDb.insertInto('audit_archive_manifest').values({ ...fields, row_sha256: previous, verified_at: at }).execute()
  }
}

describe('GET /api/patients/{id}/access-report/ limits', () => {
  it('asks for a shorter range when it would read more archived objects than one report reads, and records nothing', async () => {
    // The first link also covers the events of this file, which D1 still holds: it is not read, the others are.
    await archivedLinks(REPORT_MAX_OBJECTS + 2)
    const owner = await signedInUser()
    const patient = await createPatient(owner.access)
    const audit = recordingQueue()
    const from = `${new Date(Date.now() - 3_600_000).toISOString().slice(0, 19)}Z`
    const to = `${new Date(Date.now() + 3_600_000).toISOString().slice(0, 19)}Z`
    const answer = await send('GET', `/api/patients/${patient.id}/access-report/?from=${from}&to=${to}`, { token: owner.access, env: { AUDIT_QUEUE: audit.queue } })
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ code: 'validation_error', details: { from: [expect.stringContaining('ask for a shorter one')] } })
    expect(audit.sent).toEqual([])
  })
})
