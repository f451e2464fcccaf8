import { Kysely, type Compilable } from 'kysely'
import { D1Dialect } from 'kysely-d1'
import type { Database } from './schema'

/** A D1 binding or one of its sessions (read replication): both prepare and batch statements. */
export type D1Handle = D1Database | D1DatabaseSession

/** The per-request database: one Kysely for building and running statements, and the handle they go through. */
export interface Db {
  kysely: Kysely<Database>
  /** Where every statement goes: the session, or the session behind a guard once a user is signed in. */
  readonly d1: D1Handle
  /** Puts `wrapper` in front of the handle, for Kysely and batches alike (db/session-guard.ts). */
  wrap(wrapper: (handle: D1Handle) => D1Handle): void
}

/** The request's one Kysely instance over `d1`; a guard wrapped in later applies to it too. */
export function connect(d1: D1Handle): Db {
  let handle = d1
  // kysely-d1 only calls prepare/bind/all, which sessions and the guard implement too.
  const current = { prepare: (query: string) => handle.prepare(query), batch: (statements: D1PreparedStatement[]) => handle.batch(statements) }
  return {
    kysely: new Kysely<Database>({ dialect: new D1Dialect({ database: current as unknown as D1Database }) }),
    get d1() {
      return handle
    },
    wrap(wrapper) {
      handle = wrapper(handle)
    },
  }
}

export const BOOKMARK_HEADER = 'x-d1-bookmark'
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/

/** Whether a client-sent bookmark has D1's shape; anything else would fail deep inside D1. */
export const isBookmark = (value: string) => BOOKMARK.test(value)

/**
 * Opens the request's D1 session (read replication). With a bookmark from the client, reads see at
 * least that point (its own earlier writes); without one, reads may go to the nearest replica,
 * and requests that write start on the primary.
 */
export function openSession(d1: D1Database, { writes, bookmark }: { writes: boolean; bookmark?: string }): D1DatabaseSession {
  return d1.withSession(bookmark ?? (writes ? 'first-primary' : 'first-unconstrained'))
}

/** Statements of one batch, each under the name its result comes back as. */
export type NamedStatements = Record<string, Compilable<unknown>>

/** The rows of each named statement, under the same name. */
export type NamedRows<Q extends NamedStatements> = {
  [K in keyof Q]: Q[K] extends Compilable<infer Row> ? Row[] : never
}

/**
 * Runs named Kysely queries as one D1 `batch()`, in the order they are named: one round trip, and
 * atomic (all or none), since D1 has no interactive transactions. Results come back by name, so
 * adding a statement never shifts another's.
 *
 * @example
 * const { created } = await batch(db, { created: insertQuery.returningAll(), audit: auditQuery })
 */
export async function batch<const Q extends NamedStatements>(db: Db, queries: Q): Promise<NamedRows<Q>> {
  const names = Object.keys(queries)
  const statements = names.map((name) => {
    const { sql, parameters } = queries[name].compile()
    return db.d1.prepare(sql).bind(...parameters)
  })
  const results = await db.d1.batch(statements)
  return Object.fromEntries(names.map((name, index) => [name, results[index].results])) as NamedRows<Q>
}
