import type { Compilable, SelectQueryBuilder } from 'kysely'
import type { PageQuery } from '../schemas/pagination'
import { batch, type Db } from './client'

/**
 * Runs a filtered, ordered query for one page and its total count in one batch (one round trip).
 * Out-of-range pages give empty results, not an error.
 */
export async function fetchPage<DB, TB extends keyof DB, O>(
  db: Db,
  query: SelectQueryBuilder<DB, TB, O>,
  { page, page_size }: PageQuery,
  /** A query to run first in the same batch, such as a permission check; its rows come back as `checked`. */
  check?: Compilable<unknown>,
): Promise<{ count: number; rows: O[]; checked: unknown[] }> {
  const counting = query
    .clearSelect()
    .clearOrderBy()
    .select((eb) => eb.fn.countAll<number>().as('count')) as unknown as SelectQueryBuilder<DB, TB, { count: number }>
  const pageQuery = query.limit(page_size).offset((page - 1) * page_size)
  const { checked = [], counted, rows } = await batch(db, { ...(check && { checked: check }), counted: counting, rows: pageQuery })
  return { count: Number(counted[0]?.count ?? 0), rows, checked }
}
