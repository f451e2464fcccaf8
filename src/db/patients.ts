import { sql, type ExpressionBuilder } from 'kysely'
import { byTime, namesPatient, toAccess, type Access } from '../core/access-report'
import { changedOf } from '../core/audit'
import { decodeObject, type ArchivedEvent } from '../core/audit-chain'
import { ageInYears } from '../core/clock'
import { PATIENT_FIELDS, READ_ACTIONS } from '../core/enums'
import { rolesWith } from '../core/permissions'
import type { Outcome, Refusal, Unseen } from '../core/refusal'
import type { IfMatch, Versioned } from '../core/versions'
import type { HistoryEvent, HistoryQuery, Patient, PatientChanges, PatientInput, PatientListQuery } from '../schemas/patients'
import { actorNameOf, auditUpdateQuery, auditWriteQuery, changedDetail, insertedId, sincePatientCreated } from './audit'
import { batch, type Db } from './client'
import { refusingConstraints } from './constraints'
import { fetchPage } from './page'
import type { Database, PatientRow } from './schema'
import type { ClinicScope } from './scope'
import { containsText, nowUtc, sortKey, versionMatches } from './sql'

/** The API object for a patient row: age computed now, `version` kept internal. */
export function toPatient(row: PatientRow): Patient {
  return {
    id: row.id,
    name: row.name,
    date_of_birth: row.date_of_birth,
    age: ageInYears(row.date_of_birth),
    gender: row.gender,
    email: row.email,
    phone_number: row.phone_number,
    address: row.address,
    blood_group: row.blood_group as Patient['blood_group'],
    medical_history: row.medical_history,
    created_by: row.created_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

const versioned = (row: PatientRow): Versioned<Patient> => ({ record: toPatient(row), versions: [row.version] })

/** Every patient query starts here, so none can forget the clinic. */
const clinicPatients = (db: Db, clinicId: number) => db.kysely.selectFrom('patients').where('clinic_id', '=', clinicId)

/**
 * The stored medical history after a PUT that left it out: cleared for a member whose role may see
 * it (PUT replaces the record), kept for one who may not, since they never saw it. The role is read
 * as SQL in the same batch as the guard that checked it.
 */
const historyAfterReplace = (clinicId: number, userId: number) =>
  sql<string | null>`case when exists (select 1 from clinic_members where clinic_id = ${clinicId} and user_id = ${userId} and status = 'active' and role in (${sql.join(
    rolesWith('patient.medical_history').map((role) => sql.val(role)),
  )})) then null else medical_history end`

/** The patient with this id whoever owns it: only ever tested for existence, for the audit trail. */
export const anyPatient = (db: Db, id: number) => db.kysely.selectFrom('patients').select('id').where('id', '=', id)

/** The most events one access report answers, and the most archived objects it reads: past them, a narrower range is asked for. */
export const REPORT_MAX_EVENTS = 10_000
export const REPORT_MAX_OBJECTS = 200

function tooLarge(): Refusal {
  const message = `The range holds more than one report reads at once (${REPORT_MAX_EVENTS} accesses, ${REPORT_MAX_OBJECTS} archived objects); ask for a shorter one.`
  return { refused: 'invalid', message, details: { from: [message] } }
}

/** Events about this patient itself, and those that named it among others (list pages, assignments). */
const namingPatient = (id: number) => (eb: ExpressionBuilder<Database, 'audit_events'>) =>
  eb.or([
    eb.and([eb('resource_type', '=', 'patient'), eb('resource_id', '=', id)]),
    eb('event_id', 'in', eb.selectFrom('audit_event_resources').select('event_id').where('resource_type', '=', 'patient').where('resource_id', '=', id)),
  ])

type Verdict = { owned: number }

/** The refusal a verdict row means: no row, no such patient; a row that is not the caller's, denied; null when it may be seen. */
const refusalOf = ([patient]: Verdict[]): Unseen | null => (patient?.owned ? null : { refused: patient ? 'denied' : 'not_found' })

/** The patient queries of one signed-in member: every one of them is scoped to the patients of their clinic. */
export function patientsRepo({ db, stamp, userId, clinicId }: ClinicScope) {
  const own = () => clinicPatients(db, clinicId)
  /**
   * Who may see a patient's audit record: its history and its access report answer to this one
   * rule, so they cannot drift apart. `visible` returns a row only then, for every statement that
   * reads the record; `verdict` tells a missing patient from one the caller may not see.
   */
  const auditRecordOf = (id: number) => ({
    visible: () => own().select('id').where('id', '=', id),
    verdict: db.kysely.selectFrom('patients').select((eb) => eb('clinic_id', '=', clinicId).as('owned')).where('id', '=', id),
  })
  return {
    /**
     * Inserts a patient of the clinic, created by the user, audited in the same batch; a second patient
     * with the same email in the clinic fails on the UNIQUE index, and then neither the patient nor its event is written.
     */
    insert(input: PatientInput): Promise<Outcome<Versioned<Patient>>> {
      return refusingConstraints(async () => {
        const { created } = await batch(db, {
          created: db.kysely.insertInto('patients').values({ ...input, clinic_id: clinicId, created_by: userId }).returningAll(),
          audit: auditWriteQuery(db, stamp, { action: 'patient.create', resourceType: 'patient', resourceId: insertedId() }),
        })
        return versioned(created[0])
      })
    },

    /** One of the clinic's patients; otherwise whether it exists at all, which only the audit trail learns. */
    async find(id: number): Promise<Versioned<Patient> | Unseen> {
      const { found, other } = await batch(db, { found: own().selectAll().where('id', '=', id), other: anyPatient(db, id) })
      if (found[0]) return versioned(found[0])
      return { refused: other[0] ? 'denied' : 'not_found' }
    },

    /** One page of the clinic's patients, filtered and ordered, with the total count, in one round trip. */
    async list({ search, gender, blood_group, ordering, ...page }: PatientListQuery): Promise<{ count: number; results: Patient[] }> {
      let query = own().selectAll()
      if (search) {
        // Phone numbers are stored without spaces or dashes, so "555-123" must find "+1555123...".
        const phoneTerm = search.replace(/[\s-]/g, '') || search
        query = query.where((eb) =>
          eb.or([containsText('name', search), containsText('email', search), containsText('phone_number', phoneTerm)]),
        )
      }
      if (gender) query = query.where('gender', '=', gender)
      if (blood_group) query = query.where('blood_group', '=', blood_group)
      const direction = ordering.startsWith('-') ? 'desc' : 'asc'
      const column = ordering.replace(/^-/, '') as 'name' | 'created_at' | 'date_of_birth'
      // Ties broken by id in the same direction keep pages stable and match the (clinic, column, id) indexes.
      query = query.orderBy(sortKey(column), direction).orderBy('id', direction)
      const { count, rows } = await fetchPage(db, query, page)
      return { count, results: rows.map(toPatient) }
    },

    /**
     * Applies the changes in one statement guarded by clinic and If-Match, audited in the same batch
     * by an event that names the fields whose value changed; the clinic's read in that batch tells a
     * changed version ('stale') from a missing patient. There
     * must be a change: a PATCH of nothing is a read (routes/patients.ts).
     */
    update(id: number, changes: PatientChanges, ifMatch: IfMatch, { replace = false } = {}): Promise<Outcome<Versioned<Patient>>> {
      const history = replace && changes.medical_history === undefined ? { medical_history: historyAfterReplace(clinicId, userId) } : {}
      const values = { ...changes, ...history }
      // One guard for the UPDATE and for the audit event that reads the row just before it.
      const target = (eb: ExpressionBuilder<Database, 'patients'>) =>
        eb.and([eb('id', '=', id), eb('clinic_id', '=', clinicId), versionMatches([sql.ref('version')], ifMatch)])
      return refusingConstraints(async () => {
        const { owned, updated } = await batch(db, {
          owned: own().select('id').where('id', '=', id),
          audit: auditUpdateQuery(
            db,
            stamp,
            { action: 'patient.update', resourceType: 'patient', resourceId: id },
            db.kysely.selectFrom('patients').select(changedDetail(PATIENT_FIELDS, values).as('detail')).where(target),
            anyPatient(db, id),
          ),
          updated: db.kysely
            .updateTable('patients')
            .set((eb) => ({ ...values, version: eb('version', '+', 1), updated_at: nowUtc() }))
            .where(target)
            .returningAll(),
        })
        if (updated[0]) return versioned(updated[0])
        return { refused: owned[0] ? 'stale' : 'not_found' }
      })
    },

    /**
     * Deletes the clinic's patient unless it still has doctor assignments or changed since `ifMatch`,
     * atomically in one audited batch: the count is read in the same batch as the guarded DELETE, so
     * a concurrent assignment cannot slip between.
     */
    async remove(id: number, ifMatch: IfMatch): Promise<Outcome<{ deleted: true }>> {
      const { found, deleted } = await batch(db, {
        found: own()
          .select((eb) => [
            'id',
            eb
              .selectFrom('mappings')
              .select((inner) => inner.fn.countAll<number>().as('count'))
              .whereRef('mappings.patient_id', '=', 'patients.id')
              .as('assignments'),
          ])
          .where('id', '=', id),
        deleted: db.kysely
          .deleteFrom('patients')
          .where('id', '=', id)
          .where('clinic_id', '=', clinicId)
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('mappings').select('mappings.id').whereRef('mappings.patient_id', '=', 'patients.id'))),
          )
          .where(versionMatches([sql.ref('version')], ifMatch))
          .returning('id'),
        audit: auditWriteQuery(db, stamp, { action: 'patient.delete', resourceType: 'patient', resourceId: id }, anyPatient(db, id)),
      })
      if (deleted.length === 1) return { deleted: true }
      if (found.length === 0) return { refused: 'not_found' }
      const count = Number(found[0].assignments)
      return count > 0 ? { refused: 'in_use', count } : { refused: 'stale' }
    },

    /**
     * One page of a patient's audit events, newest first, with their count, in one round trip; only
     * a patient whose audit record the caller may see has any (auditRecordOf, in every statement).
     */
    async history(id: number, { reads, ...page }: HistoryQuery): Promise<{ count: number; results: HistoryEvent[] } | Unseen> {
      const record = auditRecordOf(id)
      let events = db.kysely
        .selectFrom('audit_events')
        .select((eb) => [
          'id',
          'occurred_at',
          'actor_id',
          actorNameOf(eb),
          'action',
          'resource_type',
          'resource_id',
          'outcome',
          'request_id',
          'detail',
        ])
        .where(namingPatient(id))
        .where(sincePatientCreated(id))
        .where(({ exists }) => exists(record.visible()))
      // A residual test on rows the patient's indexes found: `in` would tempt SQLite to the action index.
      if (!reads) events = events.where('action', 'not in', READ_ACTIONS)
      const { count, rows, checked } = await fetchPage(db, events.orderBy('id', 'desc'), page, record.verdict)
      return refusalOf(checked as Verdict[]) ?? { count, results: rows.map(({ detail, ...event }) => ({ ...event, changed: changedOf(detail) })) }
    },

    /**
     * Every access to a patient in [from, to): the events still in D1 (the hot window), and those of
     * the archived objects of that range whose events D1 no longer holds all of, read through
     * `readObject`. The same visibility rule as the history (auditRecordOf). One round trip when the
     * range is in the hot window, two when it reaches into the archive (the archived actors' names).
     * 'invalid' when the range holds more than the report reads at once.
     */
    async accessReport(id: number, range: { from: string; to: string }, readObject: (key: string) => Promise<Uint8Array | null>): Promise<Outcome<Access[]>> {
      const record = auditRecordOf(id)
      const hot = db.kysely
        .selectFrom('audit_events')
        .selectAll()
        .where(namingPatient(id))
        .where(sincePatientCreated(id))
        .where('occurred_at', '>=', range.from)
        .where('occurred_at', '<', range.to)
        .where(({ exists }) => exists(record.visible()))
      const { verdict, events, names, objects } = await batch(db, {
        verdict: record.verdict,
        events: hot.orderBy('id').limit(REPORT_MAX_EVENTS + 1),
        names: db.kysely.selectFrom('users').select(['id', 'name']).where('id', 'in', hot.clearSelect().select('actor_id')),
        objects: db.kysely
          .selectFrom('audit_archive_manifest as m')
          .select(['m.object_key', 'm.seq'])
          .where('m.max_occurred_at', '>=', range.from)
          .where('m.min_occurred_at', '<', range.to)
          .where((eb) =>
            eb(
              eb
                .selectFrom('audit_events')
                .select((inner) => inner.fn.countAll<number>().as('n'))
                .whereRef('audit_events.id', '>', 'm.after_event_id')
                .whereRef('audit_events.id', '<=', 'm.last_event_id'),
              '<',
              eb.ref('m.event_count'),
            ),
          )
          .where(({ exists }) => exists(record.visible()))
          .limit(REPORT_MAX_OBJECTS + 1),
      })
      const refused = refusalOf(verdict as Verdict[])
      if (refused) return refused
      if (events.length > REPORT_MAX_EVENTS || objects.length > REPORT_MAX_OBJECTS) return tooLarge()
      const known = new Map(names.map((user) => [user.id, user.name]))
      const inD1 = new Set(events.map((event) => event.id))
      const accesses = events.map((event) => ({ ...toAccess({ ...event, resources: {} }, known, 'hot'), id: event.id }))
      const archived: ArchivedEvent[] = []
      for (const { object_key } of objects) {
        const bytes = await readObject(object_key)
        // An incomplete report would say that nobody saw what someone did: no answer rather than that.
        if (!bytes) throw new Error(`audit archive object ${object_key} is missing: run npm run audit:verify`)
        for (const event of await decodeObject(bytes)) {
          const at = String(event.occurred_at)
          if (!inD1.has(event.id) && at >= range.from && at < range.to && namesPatient(event, id)) archived.push(event)
        }
      }
      if (accesses.length + archived.length > REPORT_MAX_EVENTS) return tooLarge()
      const unnamed = [...new Set(archived.map((event) => event.actor_id).filter((actor): actor is number => typeof actor === 'number' && !known.has(actor)))]
      if (unnamed.length > 0) {
        for (const user of await db.kysely.selectFrom('users').select(['id', 'name']).where('id', 'in', unnamed).execute()) known.set(user.id, user.name)
      }
      accesses.push(...archived.map((event) => ({ ...toAccess(event, known, 'archive'), id: event.id })))
      return accesses.sort(byTime).map(({ id: _id, ...access }) => access)
    },
  }
}
