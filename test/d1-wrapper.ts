import { env } from 'cloudflare:workers'

/** Every D1 round trip one request made: a statement run on its own, or a whole batch. */
export interface RoundTrip {
  kind: 'statement' | 'batch'
  sql: string[]
  params: unknown[][]
}

export interface RecordingD1 {
  binding: D1Database
  sessions: (string | undefined)[]
  trips: RoundTrip[]
}

/**
 * Wraps the real D1 binding so a test can see what a request did with it: the session constraint
 * or bookmark it opened, and each round trip (a `batch()` counts as one). `beforeTrip` runs before
 * each round trip is sent, with the trips so far: a test makes a concurrent change land there.
 */
export function recordingD1({ beforeTrip }: { beforeTrip?: (trip: RoundTrip, index: number) => Promise<void> } = {}): RecordingD1 {
  const record: RecordingD1 = { binding: undefined as unknown as D1Database, sessions: [], trips: [] }
  const describe = (statement: D1PreparedStatement) => (statement as unknown as { sqlText: { sql: string; params: unknown[] } }).sqlText

  const wrapStatement = (statement: D1PreparedStatement, sql: string, params: unknown[] = []): D1PreparedStatement => {
    const wrapped = {
      sqlText: { sql, params },
      bind: (...values: unknown[]) => wrapStatement(statement.bind(...values), sql, values),
      first: (...args: []) => trip(() => statement.first(...args)),
      run: () => trip(() => statement.run()),
      all: () => trip(() => statement.all()),
      raw: (...args: []) => trip(() => statement.raw(...args)),
      inner: statement,
    }
    const trip = async <T>(run: () => Promise<T>) => {
      const sent: RoundTrip = { kind: 'statement', sql: [sql], params: [params] }
      record.trips.push(sent)
      await beforeTrip?.(sent, record.trips.length - 1)
      return run()
    }
    return wrapped as unknown as D1PreparedStatement
  }

  const wrapHandle = (handle: D1Database | D1DatabaseSession) => ({
    prepare: (sql: string) => wrapStatement(handle.prepare(sql), sql),
    batch: async (statements: D1PreparedStatement[]) => {
      const sent: RoundTrip = { kind: 'batch', sql: statements.map((s) => describe(s).sql), params: statements.map((s) => describe(s).params) }
      record.trips.push(sent)
      await beforeTrip?.(sent, record.trips.length - 1)
      return handle.batch(statements.map((s) => (s as unknown as { inner: D1PreparedStatement }).inner))
    },
  })

  record.binding = {
    ...wrapHandle(env.DB),
    withSession: (constraintOrBookmark?: string) => {
      record.sessions.push(constraintOrBookmark)
      const session = env.DB.withSession(constraintOrBookmark)
      return { ...wrapHandle(session), getBookmark: () => session.getBookmark() }
    },
  } as unknown as D1Database
  return record
}

/** Whether a statement is an audit INSERT (Kysely's SQL: `insert into "audit_events" ...`). */
export const isAuditInsert = (sql: string) => /^insert into "audit_events"/.test(sql)

/** Whether a statement changes `table` (Kysely's SQL: `insert into "t"`, `update "t"`, `delete from "t"`). */
export const changes = (table: string) => (sql: string) => new RegExp(`^(insert into|update|delete from) "${table}"`).test(sql)
