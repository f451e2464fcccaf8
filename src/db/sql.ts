import { expressionBuilder, sql, type Expression, type SqlBool } from 'kysely'
import type { IfMatch } from '../core/versions'
import type { Database } from './schema'

/** The current time in the format every timestamp column uses. */
export const nowUtc = () => sql<string>`strftime('%Y-%m-%dT%H:%M:%SZ', 'now')`

/** `LIKE` wildcards in user input are matched literally. */
export const likeContains = (term: string) => `%${term.replace(/[\\%_]/g, (char) => `\\${char}`)}%`

/**
 * Case-insensitive substring match of a column (SQLite's LIKE folds ASCII case),
 * with the input's `%` and `_` taken literally.
 */
export const containsText = (column: string, term: string) =>
  sql<boolean>`${sql.ref(column)} like ${likeContains(term)} escape '\\'`

/** A column for ORDER BY; `name` sorts case-insensitively, matching its NOCASE indexes. */
export const sortKey = (column: string) => (column === 'name' ? sql`${sql.ref(column)} collate nocase` : sql.ref(column))

/**
 * The `If-Match` condition of a guarded write: the row's versions equal one of the accepted tuples
 * (none accepted: never); always true when any version will do.
 */
export function versionMatches(columns: readonly Expression<unknown>[], accepted: IfMatch): Expression<SqlBool> {
  const eb = expressionBuilder<Database>()
  if (accepted === undefined) return eb.and([])
  return eb.or(accepted.map((versions) => eb.and(versions.map((version, index) => eb(columns[index], '=', version)))))
}
