import type { Page, PageQuery } from '../schemas/pagination'

/** Builds the page body with absolute `next`/`previous` links that keep every other query parameter. */
export function pageOf<T>(requestUrl: string, { page, page_size }: PageQuery, { count, results }: { count: number; results: T[] }): Page<T> {
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
