import type { ExpressionBuilder } from 'kysely'
import { ASSIGNMENT_FIELDS } from '../core/enums'
import type { FieldErrors } from '../core/error-codes'
import type { Outcome, Unseen } from '../core/refusal'
import type { IfMatch, Versioned } from '../core/versions'
import type {
  Assignment,
  AssignmentCreate,
  AssignmentDetail,
  AssignmentListQuery,
  AssignmentUpdate,
  PatientDoctors,
} from '../schemas/assignments'
import { auditPatientQuery, auditUpdateQuery, auditWriteQuery, changedDetail, insertedId, newEventId } from './audit'
import { batch, type Db } from './client'
import { refusingConstraints } from './constraints'
import { DOCTOR_COLUMNS, toDoctor, type DoctorFields } from './doctors'
import { fetchPage } from './page'
import { anyPatient, toPatient } from './patients'
import type { Database } from './schema'
import type { ClinicScope } from './scope'
import { nowUtc, versionMatches } from './sql'

const ASSIGNMENT_COLUMNS = [
  'mappings.id',
  'mappings.patient_id',
  'mappings.doctor_id',
  'mappings.notes',
  'mappings.is_active',
  'mappings.assigned_by',
  'mappings.assigned_at',
  'mappings.updated_at',
  'patients.name as patient_name',
  'doctors.name as doctor_name',
  'doctors.specialization as doctor_specialization',
  'mappings.version',
  'patients.version as patient_version',
  'doctors.version as doctor_version',
] as const

/**
 * Every assignment query starts here: assignments of the clinic's patients only, joined to the
 * names the assignment object shows. The clinic check is part of the SQL, never a later filter.
 */
const clinicAssignments = (db: Db, clinicId: number) =>
  db.kysely
    .selectFrom('mappings')
    .innerJoin('patients', 'patients.id', 'mappings.patient_id')
    .innerJoin('doctors', 'doctors.id', 'mappings.doctor_id')
    .where('patients.clinic_id', '=', clinicId)

/** The ids of the clinic's patients, for guarding writes in the same statement. */
const clinicPatientIds = (eb: ExpressionBuilder<Database, 'mappings'>, clinicId: number) =>
  eb.selectFrom('patients').select('patients.id').where('patients.clinic_id', '=', clinicId)

/** The assignment with this id whoever owns its patient, for the audit trail's "denied or not found". */
const anyAssignment = (db: Db, id: number) => db.kysely.selectFrom('mappings').select('id').where('id', '=', id)

/** The patient of the assignment with this id, whoever owns it, as a subquery for the audit trail. */
const patientOf = (db: Db, id: number) => db.kysely.selectFrom('mappings').select('mappings.patient_id').where('mappings.id', '=', id)

/**
 * What an assignment's ETag is made of, on a `mappings` row in SQL: its own version and its
 * patient's and doctor's, since every assignment answer shows fields of both.
 */
const versionColumns = (eb: ExpressionBuilder<Database, 'mappings'>) => [
  eb.ref('mappings.version'),
  eb.selectFrom('patients').select('patients.version').whereRef('patients.id', '=', 'mappings.patient_id'),
  eb.selectFrom('doctors').select('doctors.version').whereRef('doctors.id', '=', 'mappings.doctor_id'),
]

interface AssignmentFields {
  id: number
  patient_id: number
  doctor_id: number
  notes: string | null
  is_active: number
  assigned_by: number
  assigned_at: string
  updated_at: string
  patient_name: string
  doctor_name: string
  doctor_specialization: string
  version: number
  patient_version: number
  doctor_version: number
}

/** `record` with the versions of the assignment row it was built from (see `versionColumns`). */
const versioned = <T>(record: T, row: AssignmentFields): Versioned<T> => ({
  record,
  versions: [row.version, row.patient_version, row.doctor_version],
})

function toAssignment(row: AssignmentFields): Assignment {
  return {
    id: row.id,
    patient: row.patient_id,
    doctor: row.doctor_id,
    patient_name: row.patient_name,
    doctor_name: row.doctor_name,
    doctor_specialization: row.doctor_specialization,
    notes: row.notes,
    is_active: row.is_active === 1,
    assigned_by: row.assigned_by,
    assigned_at: row.assigned_at,
    updated_at: row.updated_at,
  }
}

/** Assignments of one clinic's patients to doctors of the directory, for one signed-in member. */
export function assignmentsRepo({ db, stamp, userId, clinicId }: ClinicScope) {
  const own = () => clinicAssignments(db, clinicId)
  return {
    /**
     * Assigns a doctor to one of the clinic's patients in one atomic batch: a check of both ids, the
     * INSERT ... SELECT that only inserts when the patient is the clinic's and the doctor exists, its
     * audit event, and the read-back. UNIQUE(patient_id, doctor_id) decides races between identical
     * requests (and then nothing is written, the event included).
     */
    insert(input: AssignmentCreate): Promise<Outcome<Versioned<Assignment>>> {
      const eventId = newEventId()
      return refusingConstraints(async () => {
        const { checked, created } = await batch(db, {
          checked: db.kysely.selectNoFrom((eb) => [
            eb
              .exists(eb.selectFrom('patients').select('id').where('id', '=', input.patient).where('clinic_id', '=', clinicId))
              .as('patient_found'),
            eb.exists(eb.selectFrom('doctors').select('id').where('id', '=', input.doctor)).as('doctor_found'),
          ]),
          inserted: db.kysely
            .insertInto('mappings')
            .columns(['patient_id', 'doctor_id', 'notes', 'is_active', 'assigned_by'])
            .expression(
              db.kysely
                .selectFrom(['patients', 'doctors'])
                .select((eb) => [
                  'patients.id',
                  'doctors.id',
                  eb.val(input.notes).as('notes'),
                  eb.val(Number(input.is_active)).as('is_active'),
                  eb.val(userId).as('assigned_by'),
                ])
                .where('patients.id', '=', input.patient)
                .where('patients.clinic_id', '=', clinicId)
                .where('doctors.id', '=', input.doctor),
            ),
          // Both ids exist but no row was inserted: the patient is someone else's ('denied').
          audit: auditWriteQuery(
            db,
            stamp,
            { action: 'mapping.create', resourceType: 'mapping', resourceId: insertedId(), eventId },
            db.kysely
              .selectFrom(['patients', 'doctors'])
              .select('patients.id')
              .where('patients.id', '=', input.patient)
              .where('doctors.id', '=', input.doctor),
          ),
          // The patient it targeted, whoever owns it: a refused attempt shows in that patient's history.
          patient: auditPatientQuery(db, eventId, input.patient),
          created: own()
            .select(ASSIGNMENT_COLUMNS)
            .where('mappings.patient_id', '=', input.patient)
            .where('mappings.doctor_id', '=', input.doctor),
        })
        if (created[0]) return versioned(toAssignment(created[0]), created[0])
        const details: FieldErrors = {}
        // The same answer for a missing patient and another clinic's: nothing about theirs leaks.
        if (!checked[0].patient_found) details.patient = ['No patient of yours has this id.']
        if (!checked[0].doctor_found) details.doctor = ['No doctor has this id.']
        return { refused: 'invalid', details }
      })
    },

    async list({ patient, doctor, is_active, ...page }: AssignmentListQuery): Promise<{ count: number; results: Assignment[] }> {
      let query = own().select(ASSIGNMENT_COLUMNS)
      if (patient !== undefined) query = query.where('mappings.patient_id', '=', patient)
      if (doctor !== undefined) query = query.where('mappings.doctor_id', '=', doctor)
      if (is_active !== undefined) query = query.where('mappings.is_active', '=', Number(is_active))
      query = query.orderBy('mappings.assigned_at', 'desc').orderBy('mappings.id', 'desc')
      const { count, rows } = await fetchPage(db, query, page)
      return { count, results: rows.map(toAssignment) }
    },

    /** One assignment with its patient's and doctor's full records, in one round trip; otherwise whether it exists, for the audit. */
    async find(id: number): Promise<Versioned<AssignmentDetail> | Unseen> {
      const pairOf = own().where('mappings.id', '=', id)
      const found = await batch(db, {
        assignment: pairOf.select(ASSIGNMENT_COLUMNS),
        patient: db.kysely
          .selectFrom('patients')
          .selectAll()
          .where('id', '=', pairOf.select('mappings.patient_id'))
          .where('clinic_id', '=', clinicId),
        doctor: db.kysely.selectFrom('doctors').select(DOCTOR_COLUMNS).where('id', '=', pairOf.select('mappings.doctor_id')),
        other: anyAssignment(db, id),
      })
      const [[assignment], [patient], [doctor]] = [found.assignment, found.patient, found.doctor]
      if (!assignment || !patient || !doctor) return { refused: found.other[0] ? 'denied' : 'not_found' }
      return versioned({ ...toAssignment(assignment), patient_details: toPatient(patient), doctor_details: toDoctor(doctor) }, assignment)
    },

    /**
     * Changes notes / is_active of one of the clinic's assignments in one atomic, audited batch, if it
     * is still at `ifMatch`. The pair is fixed: echoing the current patient or doctor is fine, a
     * different one is refused as invalid (audited as denied). An empty change runs the same guarded
     * statement without altering the row.
     */
    async update(id: number, { changes, pair }: AssignmentUpdate, ifMatch: IfMatch): Promise<Outcome<Versioned<Assignment>>> {
      const values = {
        notes: changes.notes,
        is_active: changes.is_active === undefined ? undefined : Number(changes.is_active),
      }
      const hasChanges = values.notes !== undefined || values.is_active !== undefined
      const current = own().select(ASSIGNMENT_COLUMNS).where('mappings.id', '=', id)
      const update = db.kysely.updateTable('mappings')
      const eventId = newEventId()
      // One guard for the UPDATE and for the audit event that reads the row just before it.
      const target = (eb: ExpressionBuilder<Database, 'mappings'>) =>
        eb.and([
          eb('mappings.id', '=', id),
          eb('mappings.patient_id', 'in', clinicPatientIds(eb, clinicId)),
          eb('mappings.patient_id', '=', pair.patient ?? eb.ref('mappings.patient_id')),
          eb('mappings.doctor_id', '=', pair.doctor ?? eb.ref('mappings.doctor_id')),
          versionMatches(versionColumns(eb), ifMatch),
        ])
      const { before, updated, after } = await batch(db, {
        before: current,
        audit: auditUpdateQuery(
          db,
          stamp,
          { action: 'mapping.update', resourceType: 'mapping', resourceId: id, eventId },
          db.kysely.selectFrom('mappings').select(changedDetail(ASSIGNMENT_FIELDS, values).as('detail')).where(target),
          anyAssignment(db, id),
        ),
        patient: auditPatientQuery(db, eventId, patientOf(db, id)),
        updated: (hasChanges
          ? update.set({ ...values, version: (eb) => eb('version', '+', 1), updated_at: nowUtc() })
          : update.set({ version: (eb) => eb.ref('version') })
        )
          .where(target)
          .returning('mappings.id'),
        after: current,
      })
      if (!before[0]) return { refused: 'not_found' }
      const details: FieldErrors = {}
      if (pair.patient !== undefined && pair.patient !== before[0].patient_id) details.patient = ['The patient of an assignment cannot be changed.']
      if (pair.doctor !== undefined && pair.doctor !== before[0].doctor_id) details.doctor = ['The doctor of an assignment cannot be changed.']
      if (Object.keys(details).length) return { refused: 'invalid', details }
      if (!updated.length) return { refused: 'stale' }
      return versioned(toAssignment(after[0]), after[0])
    },

    /** Deletes one of the clinic's assignments if it is still at `ifMatch`, audited in the same batch; the read in that batch tells why not. */
    async remove(id: number, ifMatch: IfMatch): Promise<Outcome<{ deleted: true }>> {
      const eventId = newEventId()
      const { found, deleted } = await batch(db, {
        found: own().select('mappings.id').where('mappings.id', '=', id),
        // Named before the DELETE, while the assignment still says whose patient it is.
        patient: auditPatientQuery(db, eventId, patientOf(db, id)),
        deleted: db.kysely
          .deleteFrom('mappings')
          .where('mappings.id', '=', id)
          .where('mappings.patient_id', 'in', (eb) => clinicPatientIds(eb, clinicId))
          .where((eb) => versionMatches(versionColumns(eb), ifMatch))
          .returning('mappings.id'),
        audit: auditWriteQuery(db, stamp, { action: 'mapping.delete', resourceType: 'mapping', resourceId: id, eventId }, anyAssignment(db, id)),
      })
      if (deleted.length === 1) return { deleted: true }
      return { refused: found.length === 1 ? 'stale' : 'not_found' }
    },

    /**
     * The doctors of one of the clinic's patients, with each assignment's id, state and date;
     * otherwise whether the patient exists, for the audit.
     */
    async doctorsOf(patientId: number): Promise<PatientDoctors | Unseen> {
      const { rows, other } = await batch(db, {
        rows: db.kysely
          .selectFrom('patients')
          .leftJoin('mappings', 'mappings.patient_id', 'patients.id')
          .leftJoin('doctors', 'doctors.id', 'mappings.doctor_id')
          .select([
            ...DOCTOR_COLUMNS,
            'patients.id as patient_id',
            'patients.name as patient_name',
            'mappings.id as mapping_id',
            'mappings.is_active as assignment_is_active',
            'mappings.assigned_at as assigned_at',
          ])
          .where('patients.id', '=', patientId)
          .where('patients.clinic_id', '=', clinicId)
          .orderBy('mappings.assigned_at')
          .orderBy('mappings.id'),
        other: anyPatient(db, patientId),
      })
      if (rows.length === 0) return { refused: other[0] ? 'denied' : 'not_found' }
      const doctors = rows
        .filter((row) => row.mapping_id !== null)
        .map(({ patient_id, patient_name, mapping_id, assignment_is_active, assigned_at, ...doctor }) => ({
          ...toDoctor(doctor as DoctorFields),
          mapping_id: mapping_id!,
          is_active: assignment_is_active === 1,
          assigned_at: assigned_at!,
        }))
      return { patient_id: rows[0].patient_id, patient_name: rows[0].patient_name, count: doctors.length, doctors }
    },
  }
}
