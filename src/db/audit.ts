import { sql, type Expression, type SelectQueryBuilder } from 'kysely'
import type { AuditEvent, AuditOutcome, AuditStamp } from '../core/audit'
import type { Db } from './client'
import type { Database } from './schema'

/** The INSERT for one audit event, to run in the same `batch()` as the change it records. */
export function auditQuery(db: Db, stamp: AuditStamp, event: AuditEvent) {
  return db.kysely.insertInto('audit_events').values({
    actor_id: stamp.actorId,
    action: event.action,
    resource_type: event.resourceType,
    resource_id: event.resourceId,
    outcome: event.outcome,
    request_id: stamp.requestId,
    client_ip: stamp.clientIp,
    client_request_id: stamp.clientRequestId ?? null,
  })
}

/**
 * The INSERT for an audit event that is only written when `condition` returns a row: for a batch
 * whose change may not happen, so the trail records what did.
 */
export function auditQueryIf(db: Db, stamp: AuditStamp, event: AuditEvent, condition: SelectQueryBuilder<Database, keyof Database, unknown>) {
  return db.kysely
    .insertInto('audit_events')
    .columns(['actor_id', 'action', 'resource_type', 'resource_id', 'outcome', 'request_id', 'client_ip', 'client_request_id'])
    .expression(
      db.kysely.selectNoFrom((eb) => [
        eb.val(stamp.actorId).as('actor_id'),
        eb.val(event.action).as('action'),
        eb.val(event.resourceType).as('resource_type'),
        eb.val(event.resourceId).as('resource_id'),
        eb.val(event.outcome).as('outcome'),
        eb.val(stamp.requestId).as('request_id'),
        eb.val(stamp.clientIp).as('client_ip'),
        eb.val(stamp.clientRequestId ?? null).as('client_request_id'),
      ]).where(({ exists }) => exists(condition)),
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
  event: Pick<AuditEvent, 'action' | 'resourceType'> & { resourceId: number | Expression<number | null> },
  found?: Expression<unknown>,
) {
  const refused = found ? sql<AuditOutcome>`case when exists ${found} then 'denied' else 'not_found' end` : sql<AuditOutcome>`'not_found'`
  return db.kysely.insertInto('audit_events').values({
    actor_id: stamp.actorId,
    action: event.action,
    resource_type: event.resourceType,
    resource_id: event.resourceId,
    outcome: sql<AuditOutcome>`case when changes() > 0 then 'ok' else ${refused} end`,
    request_id: stamp.requestId,
    client_ip: stamp.clientIp,
    client_request_id: stamp.clientRequestId ?? null,
  })
}
