import { z } from '@hono/zod-openapi'
import type { Compilable, SelectQueryBuilder } from 'kysely'
import { batch, type Db } from '../db/client'

export const MAX_PAGE_SIZE = 100

export const PageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1).openapi({ description: 'Page number, from 1.', example: 1 }),
  page_size: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(20)
    .openapi({ description: `Items per page (at most ${MAX_PAGE_SIZE}).`, example: 20 }),
})

export type PageQuery = z.infer<typeof PageQuerySchema>

/** The list envelope, Django REST framework's shape: `{count, next, previous, results}`. */
export const paginated = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      count: z.number().int().openapi({ example: 1 }),
      next: z.string().nullable().openapi({ example: null }),
      previous: z.string().nullable().openapi({ example: null }),
      results: z.array(item),
    })
    .openapi(name)

export interface Page<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

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
  const [checked, counted, rows] = check
    ? await batch(db, [check, counting, pageQuery])
    : [[], ...(await batch(db, [counting, pageQuery]))]
  return { count: Number(counted[0]?.count ?? 0), rows: rows as O[], checked }
}

/** Builds the page body with absolute `next`/`previous` links that keep every other query parameter. */
export function pageOf<T>(requestUrl: string, { page, page_size }: PageQuery, count: number, results: T[]): Page<T> {
  const link = (target: number) => {
    const url = new URL(requestUrl)
    url.searchParams.set('page', String(target))
    return url.toString()
  }
  const lastPage = Math.max(1, Math.ceil(count / page_size))
  return {
    count,
    next: page < lastPage ? link(page + 1) : null,
    previous: page > 1 ? link(Math.min(page - 1, lastPage)) : null,
    results,
  }
}
