import { utcSeconds } from '../core/clock'
import type { AuditListQuery } from '../schemas/admin'
import { actorNameOf, sincePatientCreated } from './audit'
import type { Db } from './client'
import { startsWithDot } from './sql'

/** What an audit list can be filtered by: actor, action (`patient.*` for a family), resource, time, request id, and clinic. */
export type AuditFilters = Omit<AuditListQuery, 'page' | 'page_size'> & { clinic?: number }

/**
 * The audit events matching `filters`, newest first: the admin's whole trail and a clinic's own share
 * it. Each carries its actor's name (a lookup by primary key per row of the page, none for the
 * count). No patient's name: the admin's trail spans clinics whose patients the admin may not see.
 */
export function auditEventsQuery(db: Db, { actor, action, resource, since, until, request_id, client_request_id, clinic }: AuditFilters) {
  let query = db.kysely
    .selectFrom('audit_events')
    .selectAll('audit_events')
    .select(actorNameOf)
  if (clinic !== undefined) query = query.where('clinic_id', '=', clinic)
  if (actor !== undefined) query = query.where('actor_id', '=', actor)
  if (action?.endsWith('.*')) query = query.where(startsWithDot('action', action.slice(0, -1)))
  else if (action) query = query.where('action', '=', action)
  if (resource) {
    const [type, id] = resource.split(':')
    if (id) {
      // The record's own events, and those that named it among others (list pages, assignments).
      query = query.where((eb) =>
        eb.or([
          eb.and([eb('resource_type', '=', type), eb('resource_id', '=', Number(id))]),
          eb(
            'event_id',
            'in',
            eb.selectFrom('audit_event_resources').select('event_id').where('resource_type', '=', type).where('resource_id', '=', Number(id)),
          ),
        ]),
      )
      if (type === 'patient') query = query.where(sincePatientCreated(Number(id)))
    } else {
      query = query.where('resource_type', '=', type)
    }
  }
  if (since) query = query.where('occurred_at', '>=', utcSeconds(since))
  if (until) query = query.where('occurred_at', '<', utcSeconds(until))
  // A support ticket's request id finds that request's events, by either id (both indexed).
  if (request_id) query = query.where('request_id', '=', request_id)
  if (client_request_id) query = query.where('client_request_id', '=', client_request_id)
  return query.orderBy('id', 'desc')
}
