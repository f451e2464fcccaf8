import type { SortedDump } from './source'
import { emptyState, keyText, type ExistingState, type ImportPlan, type KeyRef, type Planned, type RowRef } from './plan'

/** D1 refuses statements above 100 KB. */
export const MAX_STATEMENT_BYTES = 100_000
/** A read's list of values as JSON: hex-encoded in the statement (see `literal`), so it doubles. */
const READ_CHUNK_BYTES = 40_000

/** Text that goes into a SQL file as it is: nothing any statement splitter could read as SQL. */
const PLAIN_TEXT = /^[\w @.,+=:/#$!]*(-[\w @.,+=:/#$!]+)*-?$/

/**
 * A SQL literal. Statements carry their values inline (wrangler's `--file` binds no parameters).
 * Text beyond a plain set of characters goes as UTF-8 hex (`CAST(X'...' AS TEXT)`): wrangler splits
 * a file on its own reading of quotes, `CASE ... END` and `BEGIN TRANSACTION`, and a patient's
 * notes may hold any of them.
 */
export function literal(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Not a finite number: ${value}`)
    return String(value)
  }
  if (PLAIN_TEXT.test(value) && !/CASE|BEGIN|TRANSACTION|COMMIT/i.test(value)) return `'${value}'`
  const hex = Array.from(new TextEncoder().encode(value), (byte) => byte.toString(16).padStart(2, '0')).join('')
  return `CAST(X'${hex}' AS TEXT)`
}

const keyWhere = (ref: KeyRef) => `kind = ${literal(ref.kind)} AND model = ${literal(ref.model)} AND source_key = ${literal(ref.key)}`
/** The row id an import key points at, as a subquery (NULL when the key is not there). */
const rowOf = (ref: RowRef) => ('id' in ref ? String(ref.id) : `(SELECT row_id FROM import_keys WHERE ${keyWhere(ref)})`)
const keyMissing = (ref: KeyRef) => `NOT EXISTS (SELECT 1 FROM import_keys WHERE ${keyWhere(ref)})`

/**
 * The statements that insert a record: the row (only if its key is new and everything it points at
 * resolved), then its key with the run that made it (only if the row went in: `changes()` is that
 * of the statement just before). Its audit event comes with the rest of its file (`auditRun`).
 */
function create(ref: KeyRef, table: string, columns: Record<string, string>, requires: string[], runId: string): string[] {
  const names = Object.keys(columns)
  const guards = [keyMissing(ref), ...requires.map((sql) => `${sql} IS NOT NULL`)].join(' AND ')
  return [
    `INSERT INTO ${table} (${names.join(', ')}) SELECT ${names.map((name) => columns[name]).join(', ')} WHERE ${guards} ON CONFLICT DO NOTHING`,
    `INSERT INTO import_keys (kind, model, source_key, row_id, run_id) SELECT ${literal(ref.kind)}, ${literal(ref.model)}, ${literal(ref.key)}, last_insert_rowid(), ${literal(runId)} WHERE changes() > 0`,
  ]
}

/** Points a record's key at a row that is already here (same email, same licence): no insert, no event. */
const link = (ref: KeyRef, to: RowRef) =>
  `INSERT INTO import_keys (kind, model, source_key, row_id) SELECT ${literal(ref.kind)}, ${literal(ref.model)}, ${literal(ref.key)}, ${rowOf(to)} WHERE ${rowOf(to)} IS NOT NULL ON CONFLICT DO NOTHING`

/** An import event's id: one per record and run, so writing a run's events twice adds none. */
const EVENT_ID = `k.run_id || ':' || k.kind || ':' || k.model || ':' || k.source_key`

/**
 * The `import` audit event of every row the run created so far, and for each assignment the patient
 * it names (so the patient's history shows it); events already written are left alone. Run at the
 * end of each file, so a file's rows, keys and events land together. Users say their platform role
 * and whether their login was kept; every event names its clinic.
 */
function auditRun(runId: string, file: string): string[] {
  const detail = (extra = '') => `json_object('source', 'django', 'model', k.model, 'pk', k.source_key, 'file', ${literal(file)}${extra})`
  const login = `(SELECT iif(password_hash LIKE '!%', 'disabled', 'kept') FROM users WHERE id = k.row_id)`
  const clinics = {
    user: ['NULL', detail(`, 'role', (SELECT role FROM users WHERE id = k.row_id), 'login', ${login}`)],
    clinic: ['k.row_id', detail()],
    doctor: ['NULL', detail()],
    patient: ['(SELECT clinic_id FROM patients WHERE id = k.row_id)', detail()],
    mapping: ['(SELECT p.clinic_id FROM mappings m JOIN patients p ON p.id = m.patient_id WHERE m.id = k.row_id)', detail()],
  }
  const run = literal(runId)
  // One statement per kind, in this order, so a patient's import event comes before its assignments'.
  return [
    ...Object.entries(clinics).map(
      ([kind, [clinic, eventDetail]]) =>
        `INSERT INTO audit_events (event_id, actor_id, action, resource_type, resource_id, outcome, request_id, client_ip, detail, clinic_id) SELECT ${EVENT_ID}, NULL, 'import', k.kind, k.row_id, 'ok', k.run_id, NULL, ${eventDetail}, ${clinic} FROM import_keys k WHERE k.run_id = ${run} AND k.kind = '${kind}' ON CONFLICT (event_id) DO NOTHING`,
    ),
    `INSERT INTO audit_event_resources (event_id, resource_type, resource_id) SELECT ${EVENT_ID}, 'patient', (SELECT patient_id FROM mappings WHERE id = k.row_id) FROM import_keys k WHERE k.run_id = ${run} AND k.kind = 'mapping' ON CONFLICT DO NOTHING`,
  ]
}

/** What one record of the plan writes; a unit never split across files. */
export interface WriteUnit {
  label: string
  statements: string[]
}

/**
 * Every write of the plan, in dependency order (users, clinics and their members, doctors, patients,
 * assignments), a unit per record. Each statement stands alone: references are subqueries on
 * import_keys, so units can go in any number of files, and a unit whose key is already there writes nothing.
 */
export function writeUnits(plan: ImportPlan, runId: string): WriteUnit[] {
  const units: WriteUnit[] = []
  const add = <Row>(records: Planned<Row>[], build: (record: Planned<Row> & { row: Row }) => string[]) => {
    for (const record of records) {
      if (record.status === 'link' && record.linkTo) units.push({ label: record.label, statements: [link(record.ref, record.linkTo)] })
      if (record.status === 'new' && record.row) units.push({ label: record.label, statements: build(record as Planned<Row> & { row: Row }) })
    }
  }
  add(plan.users, ({ ref, row }) =>
    create(
      ref,
      'users',
      {
        name: literal(row.name),
        email: literal(row.email),
        password_hash: literal(row.password_hash),
        date_joined: row.date_joined ? literal(row.date_joined) : `strftime('%Y-%m-%dT%H:%M:%SZ', 'now')`,
        role: literal(row.role),
        is_active: String(row.is_active),
      },
      [],
      runId,
    ),
  )
  for (const clinic of plan.clinics) {
    const statements: string[] = []
    if (clinic.status === 'new' && clinic.row) {
      statements.push(...create(clinic.ref, 'clinics', { name: literal(clinic.row.name) }, [], runId))
    }
    for (const member of clinic.row?.members ?? []) {
      const role = literal(member.role)
      const added = member.added_at ? literal(member.added_at) : `strftime('%Y-%m-%dT%H:%M:%SZ', 'now')`
      statements.push(
        `INSERT INTO clinic_members (clinic_id, user_id, role, added_by, added_at) SELECT ${rowOf(clinic.ref)}, ${rowOf(member.user)}, ${role}, NULL, ${added} WHERE ${rowOf(clinic.ref)} IS NOT NULL AND ${rowOf(member.user)} IS NOT NULL ON CONFLICT DO NOTHING`,
      )
    }
    if (statements.length) units.push({ label: clinic.label, statements })
  }
  add(plan.doctors, ({ ref, row }) =>
    create(
      ref,
      'doctors',
      {
        created_by: rowOf(row.created_by),
        name: literal(row.name),
        specialization: literal(row.specialization),
        email: literal(row.email),
        phone_number: literal(row.phone_number),
        qualification: literal(row.qualification),
        experience_years: literal(row.experience_years),
        license_number: literal(row.license_number),
        clinic_address: literal(row.clinic_address),
        consultation_fee_cents: literal(row.consultation_fee_cents),
        is_available: String(row.is_available),
        ...timestampColumns('created_at', row.created_at, row.updated_at),
      },
      [rowOf(row.created_by)],
      runId,
    ),
  )
  add(plan.patients, ({ ref, row }) =>
    create(
      ref,
      'patients',
      {
        clinic_id: rowOf(row.clinic),
        created_by: rowOf(row.created_by),
        name: literal(row.name),
        date_of_birth: literal(row.date_of_birth),
        gender: literal(row.gender),
        email: literal(row.email),
        phone_number: literal(row.phone_number),
        address: literal(row.address),
        blood_group: literal(row.blood_group),
        medical_history: literal(row.medical_history),
        ...timestampColumns('created_at', row.created_at, row.updated_at),
      },
      [rowOf(row.clinic), rowOf(row.created_by)],
      runId,
    ),
  )
  add(plan.assignments, ({ ref, row }) => {
    const patient = rowOf(row.patient)
    return create(
      ref,
      'mappings',
      {
        patient_id: patient,
        doctor_id: rowOf(row.doctor),
        notes: literal(row.notes),
        is_active: String(row.is_active),
        assigned_by: rowOf(row.assigned_by),
        ...timestampColumns('assigned_at', row.assigned_at, row.updated_at),
      },
      [patient, rowOf(row.doctor), rowOf(row.assigned_by)],
      runId,
    )
  })
  for (const unit of units) {
    for (const statement of unit.statements) {
      if (new TextEncoder().encode(statement).length > MAX_STATEMENT_BYTES) throw new Error(`${unit.label}: a statement is above D1's 100 KB limit`)
    }
  }
  return units
}

const timestampColumns = (created: string, createdAt?: string, updatedAt?: string): Record<string, string> => ({
  ...(createdAt ? { [created]: literal(createdAt) } : {}),
  ...(updatedAt ? { updated_at: literal(updatedAt) } : {}),
})

/**
 * Groups units into files of about `maxStatements` statements (a unit is never split), each ending
 * with the audit events of what the run has created so far.
 */
export function writeFiles(units: WriteUnit[], maxStatements: number, runId: string, file: string): { units: WriteUnit[]; statements: string[] }[] {
  const audit = auditRun(runId, file)
  return chunks(units, maxStatements).map((group) => ({ units: group, statements: [...group.flatMap((unit) => unit.statements), ...audit] }))
}

function chunks(units: WriteUnit[], maxStatements: number): WriteUnit[][] {
  const files: WriteUnit[][] = []
  let current: WriteUnit[] = []
  let count = 0
  for (const unit of units) {
    if (count + unit.statements.length > maxStatements && current.length) {
      files.push(current)
      current = []
      count = 0
    }
    current.push(unit)
    count += unit.statements.length
  }
  if (current.length) files.push(current)
  return files
}

/** The state reads, each below the statement limit: `json_each` of a JSON list, split as needed. */
function readsOfList(values: string[], build: (json: string) => string): string[] {
  const statements: string[] = []
  let batch: string[] = []
  let size = 0
  const flush = () => {
    if (batch.length) statements.push(build(literal(JSON.stringify(batch))))
    batch = []
    size = 0
  }
  for (const value of values) {
    const bytes = new TextEncoder().encode(value).length + 4
    if (size + bytes > READ_CHUNK_BYTES) flush()
    batch.push(value)
    size += bytes
  }
  flush()
  return statements
}

/** A read of the state and what kind of rows it answers. */
export interface StateRead {
  what: 'keys' | 'userEmails' | 'doctors' | 'patientEmails'
  sql: string
}

/** What planning needs to know of the database: the keys of every model in the dump, and what could collide. */
export function stateReads(dump: SortedDump): StateRead[] {
  const models = [...new Set(['clinic', ...Object.values(dump.models)])]
  const strings = (kind: keyof SortedDump['byKind'], fields: string[]) => [
    ...new Set(
      dump.byKind[kind].flatMap((record) =>
        fields.map((field) => record.fields[field]).filter((value): value is string => typeof value === 'string' && value.trim() !== '').map((value) => value.trim().toLowerCase()),
      ),
    ),
  ]
  const reads: StateRead[] = [
    { what: 'keys', sql: `SELECT kind, model, source_key, row_id FROM import_keys WHERE model IN (${models.map(literal).join(', ')})` },
  ]
  for (const sql of readsOfList(strings('users', ['email', 'username']), (json) => `SELECT id, lower(email) AS email FROM users WHERE email IN (SELECT value FROM json_each(${json}))`)) {
    reads.push({ what: 'userEmails', sql })
  }
  for (const sql of readsOfList(
    strings('doctors', ['license_number', 'licence_number', 'license_no', 'registration_number', 'email']),
    (json) =>
      `SELECT id, lower(license_number) AS licence, lower(email) AS email FROM doctors WHERE license_number IN (SELECT value FROM json_each(${json})) OR email IN (SELECT value FROM json_each(${json}))`,
  )) {
    reads.push({ what: 'doctors', sql })
  }
  for (const sql of readsOfList(
    strings('patients', ['email']),
    (json) =>
      `SELECT clinic_id, lower(email) AS email FROM patients WHERE email IN (SELECT value FROM json_each(${json})) AND clinic_id IN (SELECT row_id FROM import_keys WHERE kind = 'clinic')`,
  )) {
    reads.push({ what: 'patientEmails', sql })
  }
  return reads
}

/** The state from the rows the reads answered (one list of rows per read, in order). */
export function stateFrom(reads: StateRead[], results: Record<string, unknown>[][]): ExistingState {
  const state = emptyState()
  reads.forEach((read, index) => {
    for (const row of results[index] ?? []) {
      if (read.what === 'keys') {
        state.keys.set(keyText({ kind: row.kind as KeyRef['kind'], model: String(row.model), key: String(row.source_key) }), Number(row.row_id))
      } else if (read.what === 'userEmails') {
        state.userEmails.set(String(row.email), Number(row.id))
      } else if (read.what === 'doctors') {
        if (row.licence) state.doctorLicences.set(String(row.licence), Number(row.id))
        if (row.email) state.doctorEmails.set(String(row.email), Number(row.id))
      } else {
        state.patientEmails.add(`${row.clinic_id}|${row.email}`)
      }
    }
  })
  return state
}
