import { sql } from 'kysely'

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
