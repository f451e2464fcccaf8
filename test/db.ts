import { env } from 'cloudflare:workers'
import { Kysely, sql, type Compilable, type Insertable, type Updateable } from 'kysely'
import { D1Dialect } from 'kysely-d1'
import type { AuditEventRow, Database, DoctorRow, AssignmentRow, PatientRow, PatientsTable, Role, UserRow } from '../src/db/schema'

/**
 * The tests' own view of the database: typed queries over the real D1 binding, for what a test
 * sets up behind the API's back and for the rows it asserts on.
 */
export const testDb = new Kysely<Database>({ dialect: new D1Dialect({ database: env.DB }) })

type Table = keyof Database

/** Runs queries as one D1 batch (one round trip, one consistent view) and returns each one's rows. */
export async function batchRows(queries: readonly Compilable<unknown>[]): Promise<unknown[][]> {
  const statements = queries.map((query) => {
    const { sql: text, parameters } = query.compile()
    return env.DB.prepare(text).bind(...parameters)
  })
  return (await env.DB.batch(statements)).map((result) => result.results)
}

const count = async (query: Promise<{ n: number | string | bigint } | undefined>) => Number((await query)?.n ?? 0)

// Users and sessions

export const userRow = async (id: number): Promise<UserRow | null> =>
  (await testDb.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()) ?? null

export const userByEmail = async (email: string): Promise<UserRow | null> =>
  (await testDb.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst()) ?? null

export const countUsersWithEmail = (email: string) =>
  count(testDb.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('email', '=', email).executeTakeFirst())

/** Promotes a user: no route makes the first administrator. */
export async function makeAdmin(id: number, role: Role = 'admin'): Promise<void> {
  await testDb.updateTable('users').set({ role }).where('id', '=', id).execute()
}

export async function setPasswordHash(id: number, passwordHash: string): Promise<void> {
  await testDb.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute()
}

export const refreshTokensOf = (userId: number) => testDb.selectFrom('refresh_tokens').selectAll().where('user_id', '=', userId).execute()

export const liveRefreshTokens = (userId: number) =>
  count(
    testDb
      .selectFrom('refresh_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst(),
  )

/** Login attempts still counted against an email (from every network). */
export const loginAttempts = (email: string) =>
  count(testDb.selectFrom('login_attempts').select((eb) => eb.fn.countAll<number>().as('n')).where('account', '=', email).executeTakeFirst())

// Records

/** The clinic a registered user opened (their first membership). */
export const ownClinicOf = async (userId: number): Promise<number> =>
  (await testDb.selectFrom('clinic_members').select('clinic_id').where('user_id', '=', userId).orderBy('added_at').orderBy('clinic_id').executeTakeFirstOrThrow()).clinic_id

export const patientRow = async (id: number): Promise<PatientRow | null> =>
  (await testDb.selectFrom('patients').selectAll().where('id', '=', id).executeTakeFirst()) ?? null

export const patientsOf = (userId: number) => testDb.selectFrom('patients').selectAll().where('created_by', '=', userId).orderBy('id').execute()

export const countPatientsOf = async (userId: number) => (await patientsOf(userId)).length

/** Changes a patient behind the API's back (a timestamp or a birthday a test needs). */
export async function setPatient(id: number, values: Updateable<PatientsTable>): Promise<void> {
  await testDb.updateTable('patients').set(values).where('id', '=', id).execute()
}

export async function setPatientsOf(userId: number, values: Updateable<PatientsTable>): Promise<void> {
  await testDb.updateTable('patients').set(values).where('created_by', '=', userId).execute()
}

export const doctorRow = async (id: number): Promise<DoctorRow | null> =>
  (await testDb.selectFrom('doctors').selectAll().where('id', '=', id).executeTakeFirst()) ?? null

/** Doctors whose column equals the value: to prove a refused write stored nothing. */
export const countDoctorsWhere = (column: 'name' | 'email' | 'license_number', value: string) =>
  count(testDb.selectFrom('doctors').select((eb) => eb.fn.countAll<number>().as('n')).where(column, '=', value).executeTakeFirst())

export const assignmentRow = async (id: number): Promise<AssignmentRow | null> =>
  (await testDb.selectFrom('mappings').selectAll().where('id', '=', id).executeTakeFirst()) ?? null

export const countAssignmentsWhere = (column: 'patient_id' | 'doctor_id', id: number) =>
  count(testDb.selectFrom('mappings').select((eb) => eb.fn.countAll<number>().as('n')).where(column, '=', id).executeTakeFirst())

/** Rows written straight into D1, so a test needs no other resource's routes. */
export async function insertRow<T extends 'patients' | 'doctors' | 'mappings'>(table: T, values: Insertable<Database[T]>): Promise<number> {
  const row = await testDb
    .insertInto(table)
    .values(values as never)
    .returning('id' as never)
    .executeTakeFirstOrThrow()
  return (row as unknown as { id: number }).id
}

export async function deleteAssignment(id: number): Promise<void> {
  await testDb.deleteFrom('mappings').where('id', '=', id).execute()
}

export async function columnsOf(table: Table): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(testDb)
  return rows.map((row) => row.name)
}

// The audit trail

/** The events of one request, by the id its answer's X-Request-Id carried: the client's own (kept apart) or the server's. */
export const auditEventsOfRequest = (requestId: string): Promise<AuditEventRow[]> =>
  testDb
    .selectFrom('audit_events')
    .selectAll()
    .where((eb) => eb.or([eb('request_id', '=', requestId), eb('client_request_id', '=', requestId)]))
    .orderBy('id')
    .execute()

/** Every event written after the one with this id, oldest first: a rowid range, however long the trail. */
export const auditEventsAfterQuery = (id: number) => testDb.selectFrom('audit_events').selectAll().where('id', '>', id).orderBy('id')

/** Events of one action about one resource, oldest first. */
export const auditEventsFor = (action: string, resourceId: number): Promise<AuditEventRow[]> =>
  testDb.selectFrom('audit_events').selectAll().where('action', '=', action).where('resource_id', '=', resourceId).orderBy('id').execute()

/** One actor's events about one record (ids of deleted rows come back, so the actor tells records apart). */
export const auditEventsOfResource = (type: string, id: number, actorId: number): Promise<AuditEventRow[]> =>
  testDb
    .selectFrom('audit_events')
    .selectAll()
    .where('resource_type', '=', type)
    .where('resource_id', '=', id)
    .where('actor_id', '=', actorId)
    .orderBy('id')
    .execute()

/** Stores a message as the dead-letter queue's consumer would; answers its id. */
export async function insertDeadLetter(body: unknown, error = 'D1_ERROR: the write failed'): Promise<number> {
  const { id } = await testDb
    .insertInto('audit_dead_letters')
    .values({ message_id: crypto.randomUUID(), body: JSON.stringify(body), error })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}
