import { SessionEndedError } from '../core/session-ended'
import type { D1Handle, Db } from './client'

/**
 * Fails at run time unless the user exists, is active, and is still at the token's generation
 * (a password change, refresh-token theft, logout-all or deactivation moves it on). `json()` of a non-JSON string is the
 * runtime error SQLite offers in a plain SELECT; an error in any statement aborts and rolls back
 * the whole D1 batch, so a write riding in the same batch never lands for a disabled account.
 */
const GUARD_SQL = `SELECT CASE WHEN EXISTS (SELECT 1 FROM users WHERE id = ? AND is_active = 1 AND token_generation = ?) THEN 1 ELSE json('account disabled') END`
const GUARD_FAILURE = /malformed JSON/

/**
 * Wraps a request's D1 handle so its first round trip also proves the signed-in user is still
 * active and the access token's generation is current: the check rides in the same batch, so a
 * disabled account's access tokens, or those issued before a password change, stop working at
 * their next request without costing a round trip.
 */
function guardActiveUser(handle: D1Handle, userId: number, generation: number): D1Handle {
  let guarded = false
  const send = async (statements: D1PreparedStatement[]): Promise<D1Result[]> => {
    if (guarded) return handle.batch(statements)
    guarded = true
    try {
      const [, ...results] = await handle.batch([handle.prepare(GUARD_SQL).bind(userId, generation), ...statements])
      return results
    } catch (error) {
      if (GUARD_FAILURE.test((error as Error).message)) throw new SessionEndedError()
      throw error
    }
  }
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement =>
    ({
      statement,
      bind: (...values: unknown[]) => wrap(statement.bind(...values)),
      all: async () => (await send([statement]))[0],
      run: async () => (await send([statement]))[0],
      first: async () => (await send([statement]))[0].results[0] ?? null,
    }) as unknown as D1PreparedStatement
  const unwrap = (statement: D1PreparedStatement) => (statement as unknown as { statement: D1PreparedStatement }).statement
  return {
    prepare: (sql: string) => wrap(handle.prepare(sql)),
    batch: (statements: D1PreparedStatement[]) => send(statements.map(unwrap)),
  } as unknown as D1Handle
}

/** Guards every later statement of this request's `db` with the session check (see `guardActiveUser`). */
export function guardSession(db: Db, { userId, generation }: { userId: number; generation: number }): void {
  db.wrap((handle) => guardActiveUser(handle, userId, generation))
}
