import { Kysely, type Compilable } from 'kysely'
import { D1Dialect } from 'kysely-d1'
import type { Database } from './schema'

/** A D1 binding or one of its sessions (read replication): both prepare and batch statements. */
export type D1Handle = D1Database | D1DatabaseSession

/** The per-request database: Kysely for single statements, the raw handle for atomic batches. */
export interface Db {
  kysely: Kysely<Database>
  d1: D1Handle
}

export function connect(d1: D1Handle): Db {
  // kysely-d1 only calls prepare/bind/all, which sessions implement too.
  return { kysely: new Kysely<Database>({ dialect: new D1Dialect({ database: d1 as D1Database }) }), d1 }
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

type BatchRows<Q extends readonly Compilable<unknown>[]> = {
  [K in keyof Q]: Q[K] extends Compilable<infer Row> ? Row[] : never
}

/**
 * Runs Kysely queries as one D1 `batch()`: one round trip, and atomic (all or none),
 * since D1 has no interactive transactions.
 */
export async function batch<const Q extends readonly Compilable<unknown>[]>(db: Db, queries: Q): Promise<BatchRows<Q>> {
  const statements = queries.map((query) => {
    const { sql, parameters } = query.compile()
    return db.d1.prepare(sql).bind(...parameters)
  })
  const results = await db.d1.batch(statements)
  return results.map((result) => result.results) as BatchRows<Q>
}
