import { expressionBuilder, sql, type Expression, type SqlBool } from 'kysely'
import type { IfMatch } from '../core/versions'
import type { Database } from './schema'

/** The current time in the format every timestamp column uses. */
export const nowUtc = () => sql<string>`strftime('%Y-%m-%dT%H:%M:%SZ', 'now')`

/**
 * Case-insensitive substring match of a column (ASCII case, as SQLite's `lower()` folds it), with
 * every character of the input taken literally. `instr()`, not `LIKE`: D1 refuses LIKE patterns
 * over 50 bytes, shorter than the longest search the API accepts.
 */
export const containsText = (column: string, term: string) => sql<boolean>`instr(lower(${sql.ref(column)}), lower(${term})) > 0`

/**
 * Text that starts with `prefix`, as a range the column's index can serve (`LIKE` would treat `_` in
 * the prefix as a wildcard and is limited to 50 bytes on D1). The prefix must end with `.`, whose
 * successor `/` bounds the range.
 */
export const startsWithDot = (column: string, prefix: string) =>
  sql<boolean>`(${sql.ref(column)} >= ${prefix} and ${sql.ref(column)} < ${`${prefix.slice(0, -1)}/`})`

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
