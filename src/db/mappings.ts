import type { ExpressionBuilder } from 'kysely'
import { ApiError, type FieldErrors } from '../lib/errors'
import { preconditionFailed, type IfMatch, type Versioned } from '../lib/etag'
import { fetchPage } from '../lib/pagination'
import type { Mapping, MappingCreate, MappingDetail, MappingListQuery, MappingUpdate, PatientDoctors } from '../schemas/mappings'
import { auditWriteQuery, insertedId, type AuditStamp } from './audit'
import { batch, type Db } from './client'
import { DOCTOR_COLUMNS, toDoctor, type DoctorFields } from './doctors'
import { anyPatient, toPatient, type Refused } from './patients'
import type { Database } from './schema'
import { nowUtc, versionMatches } from './sql'

const MAPPING_COLUMNS = [
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
 * Every mapping query starts here: mappings of the caller's own patients only, joined to the
 * names the mapping object shows. The owner check is part of the SQL, never a later filter.
 */
const ownMappings = (db: Db, userId: number) =>
  db.kysely
    .selectFrom('mappings')
    .innerJoin('patients', 'patients.id', 'mappings.patient_id')
    .innerJoin('doctors', 'doctors.id', 'mappings.doctor_id')
    .where('patients.created_by', '=', userId)

/** The ids of the caller's own patients, for guarding writes in the same statement. */
const ownPatientIds = (eb: ExpressionBuilder<Database, 'mappings'>, userId: number) =>
  eb.selectFrom('patients').select('patients.id').where('patients.created_by', '=', userId)

/** The mapping with this id whoever owns its patient, for the audit trail's "denied or not found". */
const anyMapping = (db: Db, id: number) => db.kysely.selectFrom('mappings').select('id').where('id', '=', id)

/**
 * What a mapping's ETag is made of, on a `mappings` row in SQL: its own version and its patient's
 * and doctor's, since every mapping answer shows fields of both.
 */
const versionColumns = (eb: ExpressionBuilder<Database, 'mappings'>) => [
  eb.ref('mappings.version'),
  eb.selectFrom('patients').select('patients.version').whereRef('patients.id', '=', 'mappings.patient_id'),
  eb.selectFrom('doctors').select('doctors.version').whereRef('doctors.id', '=', 'mappings.doctor_id'),
]

interface MappingFields {
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

/** `record` with the versions of the mapping row it was built from (see `versionColumns`). */
const versioned = <T>(record: T, row: MappingFields): Versioned<T> => ({
  record,
  versions: [row.version, row.patient_version, row.doctor_version],
})

function toMapping(row: MappingFields): Mapping {
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

const duplicateAssignment = () => new ApiError(409, 'conflict', 'This doctor is already assigned to this patient.')

/**
 * Assigns a doctor to one of the caller's patients in one atomic batch: a check of both ids, the
 * INSERT ... SELECT that only inserts when the patient is the caller's and the doctor exists, its
 * audit event, and the read-back. UNIQUE(patient_id, doctor_id) decides races between identical
 * requests (and then nothing is written, the event included).
 */
export async function insertMapping(db: Db, stamp: AuditStamp, userId: number, input: MappingCreate): Promise<Versioned<Mapping>> {
  let results
  try {
    results = await batch(db, [
      db.kysely.selectNoFrom((eb) => [
        eb
          .exists(eb.selectFrom('patients').select('id').where('id', '=', input.patient).where('created_by', '=', userId))
          .as('patient_found'),
        eb.exists(eb.selectFrom('doctors').select('id').where('id', '=', input.doctor)).as('doctor_found'),
      ]),
      db.kysely
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
            .where('patients.created_by', '=', userId)
            .where('doctors.id', '=', input.doctor),
        ),
      // Both ids exist but no row was inserted: the patient is someone else's ('denied').
      auditWriteQuery(
        db,
        stamp,
        { action: 'mapping.create', resourceType: 'mapping', resourceId: insertedId() },
        db.kysely
          .selectFrom(['patients', 'doctors'])
          .select('patients.id')
          .where('patients.id', '=', input.patient)
          .where('doctors.id', '=', input.doctor),
      ),
      ownMappings(db, userId)
        .select(MAPPING_COLUMNS)
        .where('mappings.patient_id', '=', input.patient)
        .where('mappings.doctor_id', '=', input.doctor),
    ])
  } catch (error) {
    if (/UNIQUE constraint failed: mappings\./.test((error as Error).message)) throw duplicateAssignment()
    throw error
  }
  const [[found], , , [created]] = results
  if (created) return versioned(toMapping(created), created)
  const details: FieldErrors = {}
  // The same answer for a missing patient and another user's: nothing about theirs leaks.
  if (!found.patient_found) details.patient = ['No patient of yours has this id.']
  if (!found.doctor_found) details.doctor = ['No doctor has this id.']
  throw new ApiError(400, 'validation_error', 'The request is not valid.', { details })
}

export async function listMappings(
  db: Db,
  userId: number,
  { patient, doctor, is_active, ...page }: MappingListQuery,
): Promise<{ count: number; results: Mapping[] }> {
  let query = ownMappings(db, userId).select(MAPPING_COLUMNS)
  if (patient !== undefined) query = query.where('mappings.patient_id', '=', patient)
  if (doctor !== undefined) query = query.where('mappings.doctor_id', '=', doctor)
  if (is_active !== undefined) query = query.where('mappings.is_active', '=', Number(is_active))
  query = query.orderBy('mappings.assigned_at', 'desc').orderBy('mappings.id', 'desc')
  const { count, rows } = await fetchPage(db, query, page)
  return { count, results: rows.map(toMapping) }
}

/** One mapping with its patient's and doctor's full records, in one round trip; otherwise whether it exists, for the audit. */
export async function findMapping(db: Db, userId: number, id: number): Promise<Versioned<MappingDetail> | Refused> {
  const pairOf = ownMappings(db, userId).where('mappings.id', '=', id)
  const [[mapping], [patient], [doctor], [other]] = await batch(db, [
    pairOf.select(MAPPING_COLUMNS),
    db.kysely
      .selectFrom('patients')
      .selectAll()
      .where('id', '=', pairOf.select('mappings.patient_id'))
      .where('created_by', '=', userId),
    db.kysely
      .selectFrom('doctors')
      .select(DOCTOR_COLUMNS)
      .where('id', '=', pairOf.select('mappings.doctor_id')),
    anyMapping(db, id),
  ])
  if (!mapping || !patient || !doctor) return { refused: other ? 'denied' : 'not_found' }
  return versioned({ ...toMapping(mapping), patient_details: toPatient(patient), doctor_details: toDoctor(doctor) }, mapping)
}

/**
 * Changes notes / is_active of one of the caller's mappings in one atomic, audited batch, if it is
 * still at `ifMatch`. The pair is fixed: echoing the current patient or doctor is fine, a different
 * one is a 400 (audited as denied). An empty change runs the same guarded statement without altering the row.
 */
export async function updateMapping(
  db: Db,
  stamp: AuditStamp,
  userId: number,
  id: number,
  { changes, pair }: MappingUpdate,
  ifMatch: IfMatch,
): Promise<Versioned<Mapping>> {
  const values = {
    notes: changes.notes,
    is_active: changes.is_active === undefined ? undefined : Number(changes.is_active),
  }
  const hasChanges = values.notes !== undefined || values.is_active !== undefined
  const current = ownMappings(db, userId).select(MAPPING_COLUMNS).where('mappings.id', '=', id)
  const update = db.kysely.updateTable('mappings')
  const [[before], updated, , [after]] = await batch(db, [
    current,
    (hasChanges
      ? update.set({ ...values, version: (eb) => eb('version', '+', 1), updated_at: nowUtc() })
      : update.set({ version: (eb) => eb.ref('version') })
    )
      .where('mappings.id', '=', id)
      .where('mappings.patient_id', 'in', (eb) => ownPatientIds(eb, userId))
      .where('mappings.patient_id', '=', pair.patient ?? ((eb) => eb.ref('mappings.patient_id')))
      .where('mappings.doctor_id', '=', pair.doctor ?? ((eb) => eb.ref('mappings.doctor_id')))
      .where((eb) => versionMatches(versionColumns(eb), ifMatch))
      .returning('mappings.id'),
    auditWriteQuery(db, stamp, { action: 'mapping.update', resourceType: 'mapping', resourceId: id }, anyMapping(db, id)),
    current,
  ])
  if (!before) throw new ApiError(404, 'not_found', 'Mapping was not found.')
  const details: FieldErrors = {}
  if (pair.patient !== undefined && pair.patient !== before.patient_id) details.patient = ['The patient of an assignment cannot be changed.']
  if (pair.doctor !== undefined && pair.doctor !== before.doctor_id) details.doctor = ['The doctor of an assignment cannot be changed.']
  if (Object.keys(details).length) throw new ApiError(400, 'validation_error', 'The request is not valid.', { details })
  if (!updated.length) throw preconditionFailed()
  return versioned(toMapping(after), after)
}

/** Deletes one of the caller's mappings if it is still at `ifMatch`, audited in the same batch; the read in that batch tells why not. */
export async function deleteMapping(
  db: Db,
  stamp: AuditStamp,
  userId: number,
  id: number,
  ifMatch: IfMatch,
): Promise<'deleted' | 'missing' | 'stale'> {
  const [found, deleted] = await batch(db, [
    ownMappings(db, userId).select('mappings.id').where('mappings.id', '=', id),
    db.kysely
      .deleteFrom('mappings')
      .where('mappings.id', '=', id)
      .where('mappings.patient_id', 'in', (eb) => ownPatientIds(eb, userId))
      .where((eb) => versionMatches(versionColumns(eb), ifMatch))
      .returning('mappings.id'),
    auditWriteQuery(db, stamp, { action: 'mapping.delete', resourceType: 'mapping', resourceId: id }, anyMapping(db, id)),
  ])
  if (deleted.length === 1) return 'deleted'
  return found.length === 1 ? 'stale' : 'missing'
}

/**
 * The doctors of one of the caller's patients, with each assignment's id, state and date;
 * otherwise whether the patient exists, for the audit.
 */
export async function findPatientDoctors(db: Db, userId: number, patientId: number): Promise<PatientDoctors | Refused> {
  const [rows, [other]] = await batch(db, [
    db.kysely
      .selectFrom('patients')
      .leftJoin('mappings', 'mappings.patient_id', 'patients.id')
      .leftJoin('doctors', 'doctors.id', 'mappings.doctor_id')
      .select([
        ...DOCTOR_COLUMNS,
        'patients.id as patient_id',
        'patients.name as patient_name',
        'mappings.id as mapping_id',
        'mappings.is_active as mapping_is_active',
        'mappings.assigned_at as assigned_at',
      ])
      .where('patients.id', '=', patientId)
      .where('patients.created_by', '=', userId)
      .orderBy('mappings.assigned_at')
      .orderBy('mappings.id'),
    anyPatient(db, patientId),
  ])
  if (rows.length === 0) return { refused: other ? 'denied' : 'not_found' }
  const doctors = rows
    .filter((row) => row.mapping_id !== null)
    .map(({ patient_id, patient_name, mapping_id, mapping_is_active, assigned_at, ...doctor }) => ({
      ...toDoctor(doctor as DoctorFields),
      mapping_id: mapping_id!,
      is_active: mapping_is_active === 1,
      assigned_at: assigned_at!,
    }))
  return { patient_id: rows[0].patient_id, patient_name: rows[0].patient_name, count: doctors.length, doctors }
}
