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
