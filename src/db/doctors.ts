import { sql, type ExpressionBuilder, type Updateable } from 'kysely'
import { DOCTOR_FIELDS } from '../core/enums'
import { formatCents } from '../core/money'
import type { Outcome } from '../core/refusal'
import type { IfMatch, Versioned } from '../core/versions'
import type { Doctor, DoctorChanges, DoctorListQuery, DoctorOrdering, NewDoctor } from '../schemas/doctors'
import { auditUpdateQuery, auditWriteQuery, changedDetail, insertedId } from './audit'
import { batch, type Db } from './client'
import { refusingConstraints } from './constraints'
import { fetchPage } from './page'
import type { Database, DoctorRow, DoctorsTable } from './schema'
import type { Scope } from './scope'
import { containsText, nowUtc, sortKey, versionMatches } from './sql'

/** The doctor columns `toDoctor` reads, table-qualified so they also select cleanly in a join. */
export const DOCTOR_COLUMNS = [
  'doctors.id',
  'doctors.name',
  'doctors.specialization',
  'doctors.email',
  'doctors.phone_number',
  'doctors.qualification',
  'doctors.experience_years',
  'doctors.license_number',
  'doctors.clinic_address',
  'doctors.consultation_fee_cents',
  'doctors.is_available',
  'doctors.created_by',
  'doctors.created_at',
  'doctors.updated_at',
] as const

/** The doctor columns and the version its ETag is made of. */
const VERSIONED_COLUMNS = [...DOCTOR_COLUMNS, 'doctors.version'] as const

/** A row holding at least the doctor columns (a `DoctorRow`, or a join that selected `DOCTOR_COLUMNS`). */
export type DoctorFields = Omit<DoctorRow, 'version'>

/** The API object for a doctor row; the stored cents and flag become the public fee text and boolean. */
export function toDoctor(row: DoctorFields): Doctor {
  return {
    id: row.id,
    name: row.name,
    specialization: row.specialization,
    email: row.email,
    phone_number: row.phone_number,
    qualification: row.qualification,
    experience_years: row.experience_years,
    license_number: row.license_number,
    clinic_address: row.clinic_address,
    consultation_fee: row.consultation_fee_cents === null ? null : formatCents(row.consultation_fee_cents),
    is_available: row.is_available === 1,
    created_by: row.created_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

function columnsOf(changes: DoctorChanges): Updateable<DoctorsTable> {
  const { consultation_fee, is_available, ...rest } = changes
  return {
    ...rest,
    consultation_fee_cents: consultation_fee,
    is_available: is_available === undefined ? undefined : Number(is_available),
  }
}

const versioned = (row: DoctorRow): Versioned<Doctor> => ({ record: toDoctor(row), versions: [row.version] })

/** The doctor with this id, for the audit trail's "denied or not found". */
const anyDoctor = (db: Db, id: number) => db.kysely.selectFrom('doctors').select('id').where('id', '=', id)

const ORDER_COLUMNS = {
  name: 'name',
  experience_years: 'experience_years',
  consultation_fee: 'consultation_fee_cents',
  created_at: 'created_at',
} as const

function orderingOf(ordering: DoctorOrdering): [keyof typeof ORDER_COLUMNS, 'asc' | 'desc'] {
  return ordering.startsWith('-')
    ? [ordering.slice(1) as keyof typeof ORDER_COLUMNS, 'desc']
    : [ordering as keyof typeof ORDER_COLUMNS, 'asc']
}

/** The doctor directory: anyone signed in reads it; only a doctor's creator changes or deletes it. */
export function doctorsRepo({ db, stamp, userId }: Scope) {
  return {
    /** Adds a doctor, audited in the same batch; a clashing email or licence is refused by the UNIQUE index (`duplicate`) and writes neither. */
    insert(doctor: NewDoctor): Promise<Outcome<Versioned<Doctor>>> {
      return refusingConstraints(async () => {
        const { created } = await batch(db, {
          created: db.kysely
            .insertInto('doctors')
            .values({ ...columnsOf(doctor), name: doctor.name, specialization: doctor.specialization, created_by: userId })
            .returning(VERSIONED_COLUMNS),
          audit: auditWriteQuery(db, stamp, { action: 'doctor.create', resourceType: 'doctor', resourceId: insertedId() }),
        })
        return versioned(created[0])
      })
    },

    async find(id: number): Promise<Outcome<Versioned<Doctor>>> {
      const row = await db.kysely.selectFrom('doctors').select(VERSIONED_COLUMNS).where('id', '=', id).executeTakeFirst()
      return row ? versioned(row) : { refused: 'not_found' }
    },

    async list({ search, specialization, is_available, ordering, ...page }: DoctorListQuery): Promise<{ count: number; results: Doctor[] }> {
      const [field, direction] = orderingOf(ordering)
      let query = db.kysely.selectFrom('doctors').select(DOCTOR_COLUMNS)
      if (search) query = query.where((eb) => eb.or([containsText('name', search), containsText('specialization', search)]))
      // The column is COLLATE NOCASE, so equality already ignores letter case.
      if (specialization) query = query.where('specialization', '=', specialization)
      if (is_available !== undefined) query = query.where('is_available', '=', Number(is_available))
      query = query.orderBy(sortKey(ORDER_COLUMNS[field]), direction).orderBy('id', direction)
      const { count, rows } = await fetchPage(db, query, page)
      return { count, results: rows.map(toDoctor) }
    },

    /**
     * Applies changes if the user created the doctor and it is still at `ifMatch`, in one audited
     * round trip; the creator read in the same batch tells a missing doctor from someone else's or a
     * changed one. A clashing email or licence is refused by the UNIQUE index. An empty change runs the
     * same guarded statement without altering the row.
     */
    update(id: number, changes: DoctorChanges, ifMatch: IfMatch): Promise<Outcome<Versioned<Doctor>>> {
      const values = columnsOf(changes)
      const hasChanges = Object.values(values).some((value) => value !== undefined)
      // One guard for the UPDATE and for the audit event that reads the row just before it.
      const target = (eb: ExpressionBuilder<Database, 'doctors'>) =>
        eb.and([eb('id', '=', id), eb('created_by', '=', userId), versionMatches([sql.ref('version')], ifMatch)])
      const { consultation_fee_cents, ...sameNames } = values
      const changed = changedDetail(DOCTOR_FIELDS, { ...sameNames, consultation_fee: consultation_fee_cents }, { consultation_fee: 'consultation_fee_cents' })
      return refusingConstraints(async () => {
        const { owners, updated } = await batch(db, {
          owners: db.kysely.selectFrom('doctors').select('created_by').where('id', '=', id),
          audit: auditUpdateQuery(
            db,
            stamp,
            { action: 'doctor.update', resourceType: 'doctor', resourceId: id },
            db.kysely.selectFrom('doctors').select(changed.as('detail')).where(target),
            anyDoctor(db, id),
          ),
          updated: db.kysely
            .updateTable('doctors')
            .set(
              hasChanges ? { ...values, version: (eb) => eb('version', '+', 1), updated_at: nowUtc() } : { version: (eb) => eb.ref('version') },
            )
            .where(target)
            .returning(VERSIONED_COLUMNS),
        })
        if (updated[0]) return versioned(updated[0])
        if (!owners[0]) return { refused: 'not_found' }
        return owners[0].created_by === userId ? { refused: 'stale' } : { refused: 'denied' }
      })
    },

    /**
     * Deletes the doctor if the user created it, it has no assignments and it is still at `ifMatch`,
     * atomically in one audited round trip; the read in the same batch says why nothing was deleted.
     */
    async remove(id: number, ifMatch: IfMatch): Promise<Outcome<{ deleted: true }>> {
      const { found, deleted } = await batch(db, {
        found: db.kysely
          .selectFrom('doctors')
          .select((eb) => [
            'doctors.created_by',
            eb
              .selectFrom('mappings')
              .select(eb.fn.countAll<number>().as('count'))
              .whereRef('mappings.doctor_id', '=', 'doctors.id')
              .as('assignments'),
          ])
          .where('doctors.id', '=', id),
        deleted: db.kysely
          .deleteFrom('doctors')
          .where('doctors.id', '=', id)
          .where('doctors.created_by', '=', userId)
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('mappings').select('mappings.id').whereRef('mappings.doctor_id', '=', 'doctors.id'))),
          )
          .where(versionMatches([sql.ref('doctors.version')], ifMatch))
          .returning('doctors.id'),
        audit: auditWriteQuery(db, stamp, { action: 'doctor.delete', resourceType: 'doctor', resourceId: id }, anyDoctor(db, id)),
      })
      if (deleted[0]) return { deleted: true }
      const doctor = found[0]
      if (!doctor) return { refused: 'not_found' }
      if (doctor.created_by !== userId) return { refused: 'denied' }
      const count = Number(doctor.assignments)
      return count > 0 ? { refused: 'in_use', count } : { refused: 'stale' }
    },
  }
}
