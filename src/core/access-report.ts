import type { AuditEvent as FhirAuditEvent, AuditEventEntity, Bundle, Coding } from 'fhir/r4'
import { changedOf, type ChangedField } from './audit'
import { READ_ACTIONS } from './enums'
import type { ArchivedEvent } from './audit-chain'
import { networkOf } from './network'

/**
 * What an access was, as a patient or a compliance officer asks it; `report` is a disclosure that is
 * neither a read nor a list (the history, the access report, a read of the audit trail).
 */
export type AccessKind = 'read' | 'list' | 'search' | 'change' | 'refused' | 'report'

/** One access to a patient's record, from the hot window in D1 or from the archive. */
export interface Access {
  event_id: string | null
  occurred_at: string
  actor: { id: number; name: string | null } | null
  /** The actor's role when the event recorded one (clinics), else null. */
  role: string | null
  /** The clinic the actor acted in when the event recorded one (clinics), else null. */
  clinic_id: number | null
  kind: AccessKind
  action: string
  outcome: 'ok' | 'denied' | 'not_found'
  /** What a list or a search asked for (its query parameters). */
  query: Record<string, unknown> | null
  /** The fields an update changed, by name (never their values); null for anything else. */
  changed: ChangedField[] | null
  /** The client's network: an IPv4 address, or an IPv6 /64. */
  network: string | null
  request_id: string
  client_request_id: string | null
  source: 'hot' | 'archive'
}

/** Whether an event is about this patient: its own resource, or one of the records it named. */
export const namesPatient = (event: ArchivedEvent, patientId: number) =>
  (event.resource_type === 'patient' && event.resource_id === patientId) || (event.resources.patient ?? []).includes(patientId)

function kindOf(action: string, outcome: string, query: Record<string, unknown> | null): AccessKind {
  if (outcome !== 'ok') return 'refused'
  const verb = action.slice(action.indexOf('.') + 1)
  if (verb === 'list') return query && typeof query.search === 'string' && query.search !== '' ? 'search' : 'list'
  if (verb === 'read') return 'read'
  return (READ_ACTIONS as readonly string[]).includes(action) ? 'report' : 'change'
}

const asRecord = (value: unknown): Record<string, unknown> | null =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null

/** What a list asked for: `detail.query` (the query parameters its event recorded). */
const queryOf = (detail: unknown): Record<string, unknown> | null => {
  if (typeof detail !== 'string') return null
  try {
    return asRecord(asRecord(JSON.parse(detail))?.query)
  } catch {
    return null
  }
}

const numberOrNull = (value: unknown) => (typeof value === 'number' ? value : null)
const textOrNull = (value: unknown) => (typeof value === 'string' ? value : null)

/** An event as the access report shows it; `names` maps actor ids to their names. */
export function toAccess(event: ArchivedEvent, names: ReadonlyMap<number, string>, source: Access['source']): Access {
  const query = queryOf(event.detail)
  const actorId = numberOrNull(event.actor_id)
  const outcome = event.outcome as Access['outcome']
  const ip = textOrNull(event.client_ip)
  return {
    event_id: textOrNull(event.event_id),
    occurred_at: String(event.occurred_at),
    actor: actorId === null ? null : { id: actorId, name: names.get(actorId) ?? null },
    role: textOrNull(event.actor_role),
    clinic_id: numberOrNull(event.clinic_id),
    kind: kindOf(String(event.action), outcome, query),
    action: String(event.action),
    outcome,
    query,
    changed: changedOf(event.detail),
    network: ip === null ? null : networkOf(ip),
    request_id: String(event.request_id),
    client_request_id: textOrNull(event.client_request_id),
    source,
  }
}

/** Oldest first, then by event id: one order whatever mix of hot and archived events. */
export const byTime = (a: Access & { id: number }, b: Access & { id: number }) =>
  a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : a.id - b.id

/** A list's query parameters as they were sent: `search=gr&ordering=name`. */
const queryString = (query: Record<string, unknown>) =>
  new URLSearchParams(Object.entries(query).map(([key, value]): [string, string] => [key, String(value)])).toString()

const CSV_COLUMNS = [
  'occurred_at',
  'actor_id',
  'actor_name',
  'role',
  'clinic_id',
  'kind',
  'action',
  'outcome',
  'query',
  'changed',
  'network',
  'request_id',
  'client_request_id',
  'event_id',
  'source',
] as const

/** The report's CSV header line. */
export const CSV_HEADER = CSV_COLUMNS.join(',')

/** A CSV cell: quoted when it must be, and never read as a formula by a spreadsheet (a leading =, +, - or @ is escaped). */
function cell(value: string | number | null): string {
  if (value === null) return ''
  let text = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** The report as CSV (RFC 4180, CRLF line ends), one access a line, with a header line. */
export function accessCsv(accesses: readonly Access[]): string {
  const lines = accesses.map((access) =>
    [
      access.occurred_at,
      access.actor?.id ?? null,
      access.actor?.name ?? null,
      access.role,
      access.clinic_id,
      access.kind,
      access.action,
      access.outcome,
      access.query ? queryString(access.query) : null,
      access.changed ? access.changed.join(' ') : null,
      access.network,
      access.request_id,
      access.client_request_id,
      access.event_id,
      access.source,
    ]
      .map(cell)
      .join(','),
  )
  return [CSV_HEADER, ...lines].map((line) => `${line}\r\n`).join('')
}

const BALP = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit'
const SERVER = 'healthcare-records-api'

const coding = (system: string, code: string, display: string): Coding => ({ system, code, display })

/** The BALP profile, the RESTful interaction and the CRUDE action of each kind of access to a patient. */
function interactionOf(access: Access): { profile: string; subtype: Coding; action: NonNullable<FhirAuditEvent['action']> } {
  const restful = (code: string, display: string) => coding('http://hl7.org/fhir/restful-interaction', code, display)
  const verb = access.action.slice(access.action.indexOf('.') + 1)
  if (verb === 'list') return { profile: `${BALP}.PatientQuery`, subtype: restful('search-type', 'search type'), action: 'E' }
  if (verb === 'create') return { profile: `${BALP}.PatientCreate`, subtype: restful('create', 'create'), action: 'C' }
  if (verb === 'update') return { profile: `${BALP}.PatientUpdate`, subtype: restful('update', 'update'), action: 'U' }
  if (verb === 'delete') return { profile: `${BALP}.PatientDelete`, subtype: restful('delete', 'delete'), action: 'D' }
  return { profile: `${BALP}.PatientRead`, subtype: restful('read', 'read'), action: 'R' }
}

/** UTF-8 text as base64 (FHIR's base64Binary). */
function base64(text: string): string {
  let binary = ''
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * One access as a FHIR R4 AuditEvent shaped by the IHE Basic Audit Log Patterns: PatientRead for
 * reads, PatientQuery for lists and searches (the query base64-encoded in `entity.query`),
 * PatientCreate/Update/Delete for changes; the patient as an entity, the request id as the
 * transaction entity, the actor as the requesting agent with their network.
 */
export function toFhirAuditEvent(access: Access, patientId: number): FhirAuditEvent {
  const { profile, subtype, action } = interactionOf(access)
  const entity: AuditEventEntity[] = [
    {
      what: { reference: `Patient/${patientId}` },
      type: coding('http://terminology.hl7.org/CodeSystem/audit-entity-type', '1', 'Person'),
      role: coding('http://terminology.hl7.org/CodeSystem/object-role', '1', 'Patient'),
    },
    {
      what: { identifier: { value: access.request_id } },
      type: coding('https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType', 'XrequestId', 'X-Request-Id'),
    },
  ]
  if (access.changed?.length) {
    // Which fields an update changed, by name: what the trail holds of it, never a value.
    entity[0].detail = [{ type: 'changed', valueString: access.changed.join(' ') }]
  }
  if (action === 'E') {
    const query = queryString(access.query ?? {})
    entity.push({
      type: coding('http://terminology.hl7.org/CodeSystem/audit-entity-type', '2', 'System Object'),
      role: coding('http://terminology.hl7.org/CodeSystem/object-role', '24', 'Query'),
      query: base64(query),
    })
  }
  return {
    resourceType: 'AuditEvent',
    ...(access.event_id ? { id: access.event_id } : {}),
    meta: { profile: [profile] },
    type: coding('http://terminology.hl7.org/CodeSystem/audit-event-type', 'rest', 'Restful Operation'),
    subtype: [subtype],
    action,
    recorded: access.occurred_at,
    // 0 success; 4 minor failure: the request was refused, nothing was disclosed.
    outcome: access.outcome === 'ok' ? '0' : '4',
    ...(access.outcome === 'ok' ? {} : { outcomeDesc: access.outcome }),
    agent: [
      {
        type: { coding: [coding('http://terminology.hl7.org/CodeSystem/v3-ParticipationType', 'IRCP', 'information recipient')] },
        who: access.actor
          ? { identifier: { system: `urn:${SERVER}:user`, value: String(access.actor.id) }, ...(access.actor.name ? { display: access.actor.name } : {}) }
          : { display: 'not signed in' },
        ...(access.role ? { role: [{ text: access.role }] } : {}),
        requestor: true,
        ...(access.network ? { network: { address: access.network, type: '2' as const } } : {}),
      },
      {
        type: { coding: [coding('http://dicom.nema.org/resources/ontology/DCM', '110153', 'Source Role ID')] },
        who: { display: SERVER },
        requestor: false,
      },
    ],
    source: {
      observer: { display: SERVER },
      type: [coding('http://terminology.hl7.org/CodeSystem/security-source-type', '4', 'Application Server')],
    },
    entity,
  }
}

/** The report as a FHIR R4 searchset Bundle of AuditEvents. */
export function accessBundle(accesses: readonly Access[], patientId: number, now: string): Bundle<FhirAuditEvent> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: now,
    total: accesses.length,
    entry: accesses.map((access, index) => ({
      fullUrl: `urn:uuid:${access.event_id ?? `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`}`,
      resource: toFhirAuditEvent(access, patientId),
      search: { mode: 'match' },
    })),
  }
}
