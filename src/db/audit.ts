import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SelectQueryBuilder } from 'kysely'
import type { AuditEvent, AuditMessage, AuditOutcome, AuditStamp } from '../core/audit'
import type { ClinicRole } from '../core/permissions'
import { batch, type Db } from './client'
import type { Database } from './schema'

/** A new event's id, unique in `audit_events.event_id`; resource rows name their event by it. */
export const newEventId = () => crypto.randomUUID()

/** An event's `actor_name` column: its actor's name now, by primary key (none for a count that drops the select). */
export const actorNameOf = (eb: ExpressionBuilder<Database, 'audit_events'>) =>
  eb.selectFrom('users').select('users.name').whereRef('users.id', '=', 'audit_events.actor_id').as('actor_name')

/**
 * The actor's role in the stamp's clinic, as SQL: an event written in the same batch as the
 * request's guard reads the role as the guard saw it, the moment it acted.
 */
function actorRole(stamp: AuditStamp): RawBuilder<ClinicRole | null> {
  if (stamp.actorRole || stamp.clinicId == null || stamp.actorId === null) return sql.val(stamp.actorRole ?? null)
  return sql<ClinicRole | null>`(select role from clinic_members where clinic_id = ${stamp.clinicId} and user_id = ${stamp.actorId})`
}

const stampColumns = (stamp: AuditStamp) => ({
  actor_id: stamp.actorId,
  clinic_id: stamp.clinicId ?? null,
  actor_role: actorRole(stamp),
  request_id: stamp.requestId,
  client_ip: stamp.clientIp,
  client_request_id: stamp.clientRequestId ?? null,
})

const detailOf = (event: AuditEvent) => (event.detail ? JSON.stringify(event.detail) : null)

/** The INSERT for one audit event, to run in the same `batch()` as the change it records. */
export function auditQuery(db: Db, stamp: AuditStamp, event: AuditEvent) {
  return db.kysely.insertInto('audit_events').values({
    ...stampColumns(stamp),
    event_id: newEventId(),
    action: event.action,
    resource_type: event.resourceType,
    resource_id: event.resourceId,
    outcome: event.outcome,
    detail: detailOf(event),
  })
}

/** Who acted, in which clinic, on which record, as SQL read in the batch: for events whose ids the same batch makes (a registration). */
export interface ComputedSubjects {
  actorId: RawBuilder<number | null>
  clinicId: RawBuilder<number | null>
  resourceId: RawBuilder<number | null>
}

/**
 * The INSERT for an audit event that is only written when `condition` returns a row: for a batch
 * whose change may not happen, so the trail records what did.
 */
export function auditQueryIf(
  db: Db,
  stamp: AuditStamp,
  event: AuditEvent,
  condition: SelectQueryBuilder<Database, keyof Database, unknown>,
  computed?: ComputedSubjects,
) {
  const role = computed
    ? sql<ClinicRole | null>`(select role from clinic_members where clinic_id = ${computed.clinicId} and user_id = ${computed.actorId})`
    : actorRole(stamp)
  return db.kysely
    .insertInto('audit_events')
    .columns(['event_id', 'actor_id', 'clinic_id', 'actor_role', 'action', 'resource_type', 'resource_id', 'outcome', 'detail', 'request_id', 'client_ip', 'client_request_id'])
    .expression(
      db.kysely
        .selectNoFrom((eb) => [
          eb.val(newEventId()).as('event_id'),
          (computed?.actorId ?? sql.val(stamp.actorId)).as('actor_id'),
          (computed?.clinicId ?? sql.val(stamp.clinicId ?? null)).as('clinic_id'),
          role.as('actor_role'),
          eb.val(event.action).as('action'),
          eb.val(event.resourceType).as('resource_type'),
          (computed?.resourceId ?? sql.val(event.resourceId)).as('resource_id'),
          eb.val(event.outcome).as('outcome'),
          eb.val(detailOf(event)).as('detail'),
          eb.val(stamp.requestId).as('request_id'),
          eb.val(stamp.clientIp).as('client_ip'),
          eb.val(stamp.clientRequestId ?? null).as('client_request_id'),
        ])
        .where(({ exists }) => exists(condition)),
    )
}

/** The id of the row the statement just before inserted, or NULL when it inserted none. */
export const insertedId = () => sql<number | null>`case when changes() > 0 then last_insert_rowid() end`

/**
 * The audit INSERT for a guarded write, placed right after that write in the same batch, so both
 * land or neither: 'ok' when the write changed a row (SQLite's `changes()`), else 'denied' when
 * `found` returns a row (the record is someone else's, changed since, or still in use), else 'not_found'.
 */
export function auditWriteQuery(
  db: Db,
  stamp: AuditStamp,
  event: Pick<AuditEvent, 'action' | 'resourceType'> & { resourceId: number | Expression<number | null>; eventId?: string },
  found?: Expression<unknown>,
) {
  const refused = found ? sql<AuditOutcome>`case when exists ${found} then 'denied' else 'not_found' end` : sql<AuditOutcome>`'not_found'`
  return db.kysely.insertInto('audit_events').values({
    ...stampColumns(stamp),
    event_id: event.eventId ?? newEventId(),
    action: event.action,
    resource_type: event.resourceType,
    resource_id: event.resourceId,
    outcome: sql<AuditOutcome>`case when changes() > 0 then 'ok' else ${refused} end`,
  })
}

/**
 * An update event's `detail` as SQL, read from the row as it is before the UPDATE of the same batch:
 * `{"changed":[...]}` with the name of each field whose new value differs from the stored one, in
 * the order of `fields`. `IS NOT`, so NULL to a value is a change and a value sent again is not.
 * Names only: no value is ever written to the trail. `values` holds what the UPDATE sets, keyed by
 * field (undefined: left as it is); `columns` names a field's column where the two differ.
 */
export function changedDetail<F extends string>(fields: readonly F[], values: Partial<Record<F, unknown>>, columns: Partial<Record<F, string>> = {}): RawBuilder<string> {
  const tests = fields
    .filter((field) => values[field] !== undefined)
    .map((field) => sql<string>`case when ${sql.ref(columns[field] ?? field)} is not ${values[field]} then ${`,"${field}"`} else '' end`)
  if (tests.length === 0) return sql<string>`'{"changed":[]}'`
  // Each name comes with its leading comma; substr drops the first one.
  return sql<string>`'{"changed":[' || substr(${sql.join(tests, sql` || `)}, 2) || ']}'`
}

/**
 * The audit INSERT for a guarded UPDATE, placed just BEFORE it in the same batch so that it reads
 * the row as the UPDATE finds it. `before` selects one column, the event's `detail`
 * (`changedDetail`), from the UPDATE's own table under the UPDATE's own WHERE: when it finds the
 * row, the UPDATE changes it (a constraint the UPDATE breaks fails the whole batch, this event
 * with it), so the event is 'ok' with that detail; else 'denied' when `found` returns a row, else
 * 'not_found', with no detail.
 */
export function auditUpdateQuery(
  db: Db,
  stamp: AuditStamp,
  event: Pick<AuditEvent, 'action' | 'resourceType'> & { resourceId: number; eventId?: string },
  before: Expression<{ detail: string }>,
  found: Expression<unknown>,
) {
  return db.kysely.insertInto('audit_events').values({
    ...stampColumns(stamp),
    event_id: event.eventId ?? newEventId(),
    action: event.action,
    resource_type: event.resourceType,
    resource_id: event.resourceId,
    outcome: sql<AuditOutcome>`case when exists ${before} then 'ok' when exists ${found} then 'denied' else 'not_found' end`,
    detail: sql<string | null>`${before}`,
  })
}

/**
 * Names a patient in event `eventId` (audit_event_resources), so the patient's history finds the
 * event; `patientId` may be a subquery run in the same batch (the patient of an assignment).
 */
export function auditPatientQuery(db: Db, eventId: string, patientId: number | Expression<unknown>) {
  return db.kysely
    .insertInto('audit_event_resources')
    .columns(['event_id', 'resource_type', 'resource_id'])
    .expression(
      db.kysely
        .selectNoFrom((eb) => [
          eb.val(eventId).as('event_id'),
          eb.val('patient').as('resource_type'),
          sql<number>`${patientId}`.as('resource_id'),
        ])
        .where(() => sql<boolean>`${patientId} is not null`),
    )
    .onConflict((oc) => oc.doNothing())
}

/** The columns of `audit_events` a queued event fills, in the order its INSERT names them. */
const EVENT_COLUMNS = [
  'event_id',
  'occurred_at',
  'actor_id',
  'action',
  'resource_type',
  'resource_id',
  'outcome',
  'request_id',
  'client_ip',
  'client_request_id',
  'detail',
  'clinic_id',
  'actor_role',
] as const

/**
 * The two INSERTs that store queued disclosures: every event, then every patient each one named.
 * `messages` is a JSON array of AuditMessage (bound as one parameter, or a subquery) that SQLite
 * unpacks with `json_each`, so two statements carry any batch (D1 allows 100 parameters a
 * statement, a batch holds up to 100 events). Idempotent: an event whose `event_id` is already
 * stored inserts nothing (delivery is at least once).
 */
export function auditMessageInserts(db: Db, messages: Expression<string>) {
  // SQLite reads `ON CONFLICT` after a bare `FROM` as a join constraint; a WHERE ends each SELECT.
  return {
    events: db.kysely
      .insertInto('audit_events')
      .columns(EVENT_COLUMNS)
      .expression(
        db.kysely
          .selectFrom(sql<{ value: string }>`json_each(${messages})`.as('message'))
          .select(EVENT_COLUMNS.map((column) => sql<unknown>`json_extract(message.value, ${`$.${column}`})`.as(column)))
          .where(sql<boolean>`true`),
      )
      .onConflict((oc) => oc.column('event_id').doNothing()),
    patients: db.kysely
      .insertInto('audit_event_resources')
      .columns(['event_id', 'resource_type', 'resource_id'])
      .expression(
        db.kysely
          .selectFrom([
            sql<{ value: string }>`json_each(${messages})`.as('message'),
            sql<{ value: number }>`json_each(json_extract(message.value, '$.patients'))`.as('patient'),
          ])
          .select([
            sql<string>`json_extract(message.value, '$.event_id')`.as('event_id'),
            sql<string>`'patient'`.as('resource_type'),
            sql<number>`patient.value`.as('resource_id'),
          ])
          .where(sql<boolean>`true`),
      )
      .onConflict((oc) => oc.doNothing()),
  }
}

/** Writes queued disclosures in one D1 batch of two statements, whatever their number (see auditMessageInserts). */
export async function writeAuditMessages(db: Db, messages: readonly AuditMessage[]): Promise<void> {
  if (messages.length === 0) return
  await batch(db, auditMessageInserts(db, sql<string>`${JSON.stringify(messages)}`))
}

/**
 * Events from a patient's creation on: its `patient.create` event (or, for a patient brought in by
 * `npm run import:django`, its `import` event) and everything after, by id and by time. Events about
 * the id from before (a probe of an id not yet taken, a refused write, a queued read that was still
 * in flight) belong to no patient's history.
 */
export function sincePatientCreated(patientId: number) {
  const created = (column: 'id' | 'occurred_at') =>
    sql`(select created.${sql.ref(column)} from audit_events as created where created.resource_type = 'patient' and created.resource_id = ${patientId} and created.action in ('patient.create', 'import') and created.outcome = 'ok' order by created.id limit 1)`
  // No creation event in D1 (archived and gone from the hot window, or a patient older than the audit
  // trail): every event still in D1 is then later than any probe from before the patient existed.
  return sql<boolean>`(audit_events.id >= coalesce(${created('id')}, 0) and audit_events.occurred_at >= coalesce(${created('occurred_at')}, ''))`
}
