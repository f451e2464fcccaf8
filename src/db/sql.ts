import { sql } from 'kysely'

/** The current time in the format every timestamp column uses. */
export const nowUtc = () => sql<string>`strftime('%Y-%m-%dT%H:%M:%SZ', 'now')`
