import type { AuditEvent, Bundle } from 'fhir/r4'
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { deliver, recordingQueue, runScheduled } from './audit-queue'
import { testDb } from './db'
import { AuditEventR4, BundleOfAuditEventsR4, violations } from './fhir-r4'
import { createPatient, send, signedInUser, type SignedIn } from './helpers'

const HOUR = 3_600_000
const iso = (time: number) => `${new Date(time).toISOString().slice(0, 19)}Z`
/** A range around now: every event of this test file falls in it. */
const around = () => `from=${iso(Date.now() - HOUR)}&to=${iso(Date.now() + HOUR)}`

/** Sends a request whose audit event goes through the queue to D1; answers the response and the queued events. */
async function audited(method: string, path: string, user: SignedIn, headers: Record<string, string> = {}) {
  const audit = recordingQueue()
  const response = await send(method, path, { token: user.access, headers, env: { AUDIT_QUEUE: audit.queue } })
  await deliver(audit.sent)
  return { ...response, sent: audit.sent }
}

/** A patient with one access of every kind: a read, a search, a change and a refused attempt by someone else. */
async function accessedPatient() {
  const owner = await signedInUser({ name: 'Olive Owner' })
  const patient = await createPatient(owner.access, { name: 'Reported Patient' })
  const read = await audited('GET', `/api/patients/${patient.id}/`, owner, { 'cf-connecting-ip': '2001:db8:1:2:3:4:5:6' })
  const search = await audited('GET', '/api/patients/?search=reported&ordering=name', owner)
  expect((await send('PATCH', `/api/patients/${patient.id}/`, { token: owner.access, body: { address: '1 Navy Way' } })).status).toBe(200)
  const snoop = await signedInUser({ name: 'Sam Snoop' })
  const refused = await audited('GET', `/api/patients/${patient.id}/`, snoop)
  expect(refused.status).toBe(404)
  return { owner, patient, snoop, read, search, refused }
}

const quietly = async <T>(work: () => Promise<T>): Promise<T> => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  try {
    return await work()
  } finally {
    log.mockRestore()
  }
}

describe('GET /api/patients/{id}/access-report/', () => {
  it('answers every access in the range: who, what, when, from which network, and the request id', async () => {
    const { owner, patient, snoop, read, search, refused } = await accessedPatient()
    const report = await audited('GET', `/api/patients/${patient.id}/access-report/?${around()}`, owner)
    expect(report.status).toBe(200)
    expect(report.body).toMatchObject({ patient_id: patient.id, count: report.body.accesses.length })
    const kinds = report.body.accesses.map((access: { kind: string; action: string }) => `${access.kind} ${access.action}`)
    expect(kinds).toEqual(['change patient.create', 'read patient.read', 'search patient.list', 'change patient.update', 'refused patient.read'])
    const [, readAccess, searchAccess, updateAccess, refusedAccess] = report.body.accesses
    expect(updateAccess).toMatchObject({ kind: 'change', action: 'patient.update', changed: ['address'], source: 'hot' })
    expect(readAccess).toEqual({
      event_id: read.sent[0].event_id,
      occurred_at: read.sent[0].occurred_at,
      actor: { id: owner.id, name: 'Olive Owner' },
      role: 'admin',
      clinic_id: expect.any(Number),
      kind: 'read',
      action: 'patient.read',
      outcome: 'ok',
      query: null,
      changed: null,
      network: '2001:db8:1:2::/64',
      request_id: read.headers.get('x-request-id'),
      client_request_id: null,
      source: 'hot',
    })
    expect(searchAccess).toMatchObject({ query: { search: 'reported', ordering: 'name' }, request_id: search.sent[0].request_id })
    expect(refusedAccess).toMatchObject({ actor: { id: snoop.id, name: 'Sam Snoop' }, kind: 'refused', outcome: 'denied', request_id: refused.sent[0].request_id })

    // The report is itself a disclosure, on the record.
    expect(report.sent).toMatchObject([{ action: 'patient.access_report', resource_id: patient.id, outcome: 'ok', patients: [patient.id], actor_id: owner.id }])
    const stored = await testDb.selectFrom('audit_events').selectAll().where('event_id', '=', report.sent[0].event_id).executeTakeFirstOrThrow()
    expect(JSON.parse(stored.detail!)).toMatchObject({ format: 'json' })
  })

  it('answers only for whoever may see the patient history: anyone else gets the same 404, on the record', async () => {
    const { patient, snoop } = await accessedPatient()
    const refused = await audited('GET', `/api/patients/${patient.id}/access-report/?${around()}`, snoop)
    expect(refused.status).toBe(404)
    expect(refused.body).toMatchObject({ code: 'not_found' })
    expect(refused.text).not.toContain('Reported Patient')
    const history = await send('GET', `/api/patients/${patient.id}/history/`, { token: snoop.access, env: { AUDIT_QUEUE: recordingQueue().queue } })
    expect(history.status).toBe(refused.status)
    expect(refused.sent).toMatchObject([{ action: 'patient.access_report', outcome: 'denied', patients: [] }])
    const missing = await audited('GET', `/api/patients/999999999/access-report/?${around()}`, snoop)
    expect(missing.status).toBe(404)
    expect(missing.sent).toMatchObject([{ outcome: 'not_found' }])
  })

  it('refuses a malformed range or format with 400, recording nothing', async () => {
    const { owner, patient } = await accessedPatient()
    for (const query of [
      `from=${iso(Date.now())}&to=${iso(Date.now() - HOUR)}`,
      'from=yesterday&to=today',
      `from=${iso(Date.now())}`,
      `${around()}&format=xml`,
    ]) {
      const answer = await audited('GET', `/api/patients/${patient.id}/access-report/?${query}`, owner)
      expect({ query, status: answer.status, code: answer.body.code }).toEqual({ query, status: 400, code: 'validation_error' })
      expect(answer.sent).toEqual([])
    }
  })

  it('answers CSV, one access a line, with cells no spreadsheet runs as a formula', async () => {
    const owner = await signedInUser({ name: '=HYPERLINK("http://evil.example","click")' })
    const patient = await createPatient(owner.access)
    await audited('GET', `/api/patients/${patient.id}/`, owner)
    const patched = await send('PATCH', `/api/patients/${patient.id}/`, { token: owner.access, body: { address: '=1+1', phone_number: '+1 415 555 0100' } })
    expect(patched.status).toBe(200)
    const answer = await send('GET', `/api/patients/${patient.id}/access-report/?${around()}&format=csv`, { token: owner.access })
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const lines = answer.text.split('\r\n')
    expect(lines[0]).toBe('occurred_at,actor_id,actor_name,role,clinic_id,kind,action,outcome,query,changed,network,request_id,client_request_id,event_id,source')
    expect(lines).toHaveLength(5)
    expect(lines.at(-1)).toBe('')
    expect(lines[2]).toMatch(new RegExp(`,${owner.id},"'=HYPERLINK\\(""http://evil\\.example"",""click""\\)",admin,\\d+,read,patient\\.read,ok,,,`))
    // An update names the fields it changed, space-separated, in the record's field order.
    expect(lines[3]).toMatch(/,change,patient\.update,ok,,phone_number address,/)
    expect(answer.text).not.toContain('=1+1')
  })

  it('answers a FHIR R4 Bundle of BALP AuditEvents that conforms to the AuditEvent structure', async () => {
    const { owner, patient, search, read } = await accessedPatient()
    const answer = await send('GET', `/api/patients/${patient.id}/access-report/?${around()}&format=fhir`, { token: owner.access })
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8')
    const bundle = JSON.parse(answer.text) as Bundle<AuditEvent>
    expect(violations(BundleOfAuditEventsR4, bundle)).toEqual([])
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 5 })
    const events = bundle.entry!.map((entry) => entry.resource!)
    const balp = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit'
    expect(events.map((event) => [event.meta?.profile?.[0], event.action, event.outcome])).toEqual([
      [`${balp}.PatientCreate`, 'C', '0'],
      [`${balp}.PatientRead`, 'R', '0'],
      [`${balp}.PatientQuery`, 'E', '0'],
      [`${balp}.PatientUpdate`, 'U', '0'],
      [`${balp}.PatientRead`, 'R', '4'],
    ])
    const [, readEvent, queryEvent, updateEvent] = events
    expect(updateEvent.entity![0]).toMatchObject({ what: { reference: `Patient/${patient.id}` }, detail: [{ type: 'changed', valueString: 'address' }] })
    expect(readEvent.entity![0].detail).toBeUndefined()
    expect(readEvent.entity).toContainEqual(expect.objectContaining({ what: { reference: `Patient/${patient.id}` } }))
    expect(readEvent.entity).toContainEqual({
      what: { identifier: { value: read.sent[0].request_id } },
      type: { system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType', code: 'XrequestId', display: 'X-Request-Id' },
    })
    expect(readEvent.agent[0]).toMatchObject({ who: { identifier: { value: String(owner.id) }, display: 'Olive Owner' }, requestor: true, network: { address: '2001:db8:1:2::/64', type: '2' } })
    const query = queryEvent.entity!.find((entity) => entity.query)
    expect(new URLSearchParams(atob(query!.query!)).get('search')).toBe('reported')
    expect(queryEvent.entity).toContainEqual(expect.objectContaining({ what: { identifier: { value: search.sent[0].request_id } } }))
  })

  it('has a structure check that fails on what R4 forbids', () => {
    const valid: AuditEvent = {
      resourceType: 'AuditEvent',
      type: { code: 'rest' },
      recorded: '2026-12-05T03:00:00Z',
      agent: [{ requestor: true }],
      source: { observer: { display: 'x' } },
    }
    expect(violations(AuditEventR4, valid)).toEqual([])
    const { recorded: _recorded, ...noTime } = valid
    expect(violations(AuditEventR4, noTime)).toEqual(['AuditEvent.recorded: required (1..1)'])
    expect(violations(AuditEventR4, { ...valid, action: 'X', entity: [{ name: 'n', query: 'cQ==' }], colour: 'red' })).toEqual([
      'AuditEvent.colour: no such element',
      'AuditEvent.action: X is not in the required value set (C, R, U, D, E)',
      'AuditEvent.entity[0]: sev-1: either a name or a query (NOT both)',
    ])
  })

  it('reads a range that crosses the hot window edge from the archive and from D1', async () => {
    const { owner, patient, read } = await accessedPatient()
    await runScheduled()
    // Thirty-one days on, with a thirty-day window: every archived event leaves D1.
    await quietly(() => runScheduled(new Date(Date.now() + 31 * 86_400_000), { AUDIT_HOT_DAYS: '30' }))
    expect(await testDb.selectFrom('audit_events').select('id').where('event_id', '=', read.sent[0].event_id).execute()).toEqual([])
    const later = await audited('GET', `/api/patients/${patient.id}/`, owner)

    const report = await send('GET', `/api/patients/${patient.id}/access-report/?${around()}`, { token: owner.access, env: { AUDIT_QUEUE: recordingQueue().queue } })
    expect(report.status).toBe(200)
    const rows = report.body.accesses.map((access: { action: string; source: string; event_id: string; actor: unknown }) => [access.action, access.source])
    expect(rows).toEqual([
      ['patient.create', 'archive'],
      ['patient.read', 'archive'],
      ['patient.list', 'archive'],
      ['patient.update', 'archive'],
      ['patient.read', 'archive'],
      ['patient.read', 'hot'],
    ])
    expect(report.body.accesses[1]).toMatchObject({ event_id: read.sent[0].event_id, actor: { id: owner.id, name: 'Olive Owner' }, network: '2001:db8:1:2::/64', changed: null })
    // An archived update names its changed fields as a hot one does: they travel in the event's detail.
    expect(report.body.accesses[3]).toMatchObject({ action: 'patient.update', kind: 'change', changed: ['address'], actor: { id: owner.id, name: 'Olive Owner' } })
    expect(report.body.accesses[5]).toMatchObject({ event_id: later.sent[0].event_id })
  })

  it('answers no report rather than an incomplete one when an archived object is missing', async () => {
    const { owner, patient } = await accessedPatient()
    await runScheduled()
    await quietly(() => runScheduled(new Date(Date.now() + 31 * 86_400_000), { AUDIT_HOT_DAYS: '30' }))
    const last = await testDb.selectFrom('audit_archive_manifest').selectAll().orderBy('seq', 'desc').executeTakeFirstOrThrow()
    const bytes = await (await env.AUDIT_ARCHIVE.get(last.object_key))!.arrayBuffer()
    await env.AUDIT_ARCHIVE.delete(last.object_key)
    const audit = recordingQueue()
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const answer = await send('GET', `/api/patients/${patient.id}/access-report/?${around()}`, { token: owner.access, env: { AUDIT_QUEUE: audit.queue } })
    errors.mockRestore()
    await env.AUDIT_ARCHIVE.put(last.object_key, bytes)
    expect(answer.status).toBe(500)
    expect(answer.body).toMatchObject({ code: 'internal_error', request_id: expect.any(String) })
    expect(answer.text).not.toContain(last.object_key)
    expect(audit.sent).toEqual([])
  })
})
