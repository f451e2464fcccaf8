import { fetchPage } from '../lib/pagination'
import type { Patient, PatientChanges, PatientInput, PatientListQuery } from '../schemas/patients'
import { todayUtc } from '../schemas/patients'
import { batch, type Db } from './client'
import type { PatientRow } from './schema'
import { containsText, nowUtc, sortKey } from './sql'

/** Whole years from `dateOfBirth` to `today` (both YYYY-MM-DD); a 29 February birthday counts from 1 March. */
export function ageInYears(dateOfBirth: string, today: string = todayUtc()): number {
  const years = Number(today.slice(0, 4)) - Number(dateOfBirth.slice(0, 4))
  // MM-DD strings compare in calendar order.
  return today.slice(5) < dateOfBirth.slice(5) ? years - 1 : years
}

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

/** Every patient query starts here, so none can forget the owner. */
const ownPatients = (db: Db, userId: number) => db.kysely.selectFrom('patients').where('created_by', '=', userId)

/** Inserts a patient owned by `userId`; a second patient with the same email for that user fails on the UNIQUE index. */
export async function insertPatient(db: Db, userId: number, input: PatientInput): Promise<Patient> {
  const row = await db.kysely
    .insertInto('patients')
    .values({ ...input, created_by: userId })
    .returningAll()
    .executeTakeFirstOrThrow()
  return toPatient(row)
}

export async function findPatient(db: Db, userId: number, id: number): Promise<Patient | undefined> {
  const row = await ownPatients(db, userId).selectAll().where('id', '=', id).executeTakeFirst()
  return row && toPatient(row)
}

/** One page of the user's patients, filtered and ordered, with the total count, in one round trip. */
export async function listPatients(
  db: Db,
  userId: number,
  { search, gender, blood_group, ordering, ...page }: PatientListQuery,
): Promise<{ count: number; results: Patient[] }> {
  let query = ownPatients(db, userId).selectAll()
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
  // Ties broken by id in the same direction keep pages stable and match the (owner, column, id) indexes.
  query = query.orderBy(sortKey(column), direction).orderBy('id', direction)
  const { count, rows } = await fetchPage(db, query, page)
  return { count, results: rows.map(toPatient) }
}

/** Applies the changes in one statement; undefined when the patient is missing or not the user's. */
export async function updatePatient(db: Db, userId: number, id: number, changes: PatientChanges): Promise<Patient | undefined> {
  if (Object.keys(changes).length === 0) return findPatient(db, userId, id)
  const row = await db.kysely
    .updateTable('patients')
    .set((eb) => ({ ...changes, version: eb('version', '+', 1), updated_at: nowUtc() }))
    .where('id', '=', id)
    .where('created_by', '=', userId)
    .returningAll()
    .executeTakeFirst()
  return row && toPatient(row)
}

export type DeleteOutcome = { status: 'deleted' } | { status: 'missing' } | { status: 'assigned'; assignments: number }

/**
 * Deletes the user's patient unless it still has doctor assignments, atomically in one batch:
 * the count is read in the same batch as the guarded DELETE, so a concurrent assignment cannot slip between.
 */
export async function deletePatient(db: Db, userId: number, id: number): Promise<DeleteOutcome> {
  const [found, deleted] = await batch(db, [
    ownPatients(db, userId)
      .select((eb) => [
        'id',
        eb
          .selectFrom('mappings')
          .select((inner) => inner.fn.countAll<number>().as('count'))
          .whereRef('mappings.patient_id', '=', 'patients.id')
          .as('assignments'),
      ])
      .where('id', '=', id),
    db.kysely
      .deleteFrom('patients')
      .where('id', '=', id)
      .where('created_by', '=', userId)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('mappings').select('mappings.id').whereRef('mappings.patient_id', '=', 'patients.id'))),
      )
      .returning('id'),
  ])
  if (deleted.length === 1) return { status: 'deleted' }
  if (found.length === 0) return { status: 'missing' }
  return { status: 'assigned', assignments: Number(found[0].assignments) }
}
