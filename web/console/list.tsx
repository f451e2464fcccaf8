// The one list behaviour of the console: filters, ordering, page and page size live in the address
// (so Back, bookmarks, reload and a new tab keep them) and are what the API is asked for.
import { useEffect, useState } from 'preact/hooks'
import { get, query } from './api'
import { navigate, useSearch } from './router'
import type { Page } from './types'
import { SelectField, useDebounced, useLoad, type Loaded } from './ui'

export const PAGE_SIZES = [10, 20, 50, 100] as const
const DEFAULT_PAGE_SIZE = 20

interface ListSpec<F extends string> {
  /** The API's list route, such as `/api/patients/`. */
  endpoint: string
  /** The API's filter parameters this view offers; the address uses the same names. */
  filters: readonly F[]
  /** The API's default ordering, for a view whose API orders. */
  ordering?: string
  /** Prefixes this list's parameters in the address, so two lists on one page keep apart. */
  prefix?: string
  /** The API's values for the address's, where they differ (a local time in the address, UTC for the API). */
  toApi?: (filters: Record<F, string>) => Record<string, string | undefined>
  /** Reloads the list when it changes (the record it belongs to was saved). */
  version?: string
}

export interface List<T, F extends string> {
  data: Loaded<Page<T>>
  filters: Record<F, string>
  /** The search box's text: it reaches the address (and the API) once typing pauses. */
  search: string
  setSearch: (text: string) => void
  /** Sets filters and goes back to the first page. */
  filter: (changes: Partial<Record<F, string>>) => void
  page: number
  pageSize: number
  ordering: string
  setPage: (page: number) => void
  setPageSize: (size: number) => void
  setOrdering: (ordering: string) => void
  /** The API query of the current filters and ordering, without page: what an export walks through. */
  apiFilters: Record<string, string | undefined>
  endpoint: string
}

/** One list view's state, read from and written to the address. */
export function useList<T, F extends string>({ endpoint, filters: names, ordering: defaultOrdering, prefix = '', toApi, version = '' }: ListSpec<F>): List<T, F> {
  const params = new URLSearchParams(useSearch())
  const read = (name: string) => params.get(prefix + name) ?? ''
  const filters = Object.fromEntries(names.map((name) => [name, read(name)])) as Record<F, string>
  const page = Math.max(1, Number.parseInt(read('page'), 10) || 1)
  const asked = Number(read('page_size'))
  const pageSize = (PAGE_SIZES as readonly number[]).includes(asked) ? asked : DEFAULT_PAGE_SIZE
  const ordering = read('ordering') || defaultOrdering || ''

  /** Writes parameters into the address; empty values and defaults leave it. */
  const write = (changes: Record<string, string | number>, replace = false) => {
    const next = new URLSearchParams(location.search)
    for (const [name, value] of Object.entries(changes)) {
      const text = String(value)
      const isDefault = text === '' || (name === 'page' && text === '1') || (name === 'page_size' && text === String(DEFAULT_PAGE_SIZE)) || (name === 'ordering' && text === defaultOrdering)
      if (isDefault) next.delete(prefix + name)
      else next.set(prefix + name, text)
    }
    const text = next.toString()
    navigate(location.pathname + (text ? `?${text}` : ''), { replace })
  }

  const searched = (names as readonly string[]).includes('search') ? read('search') : ''
  const [search, setSearch] = useState(searched)
  const settled = useDebounced(search)
  // The address changed under the box (Back, a link): the box follows it.
  useEffect(() => setSearch(searched), [searched])
  useEffect(() => {
    // Only once typing has paused, and only for what was typed: not a stale value after Back.
    if (settled === search && settled !== searched) write({ search: settled, page: 1 }, true)
  }, [settled])

  const apiFilters = { ...(toApi ? toApi(filters) : filters), ...(defaultOrdering ? { ordering } : {}) }
  const path = endpoint + query({ ...apiFilters, page, page_size: pageSize })
  const data = useLoad(() => get<Page<T>>(path), `${path}@${version}`)

  return {
    data,
    filters,
    search,
    setSearch,
    filter: (changes) => write({ ...(changes as Record<string, string>), page: 1 }),
    page,
    pageSize,
    ordering,
    setPage: (value) => write({ page: value }),
    setPageSize: (value) => write({ page_size: value, page: 1 }),
    setOrdering: (value) => write({ ordering: value, page: 1 }),
    apiFilters,
    endpoint,
  }
}

/** Below a list: its pages and the page-size choice. */
export function ListFooter<T, F extends string>({ list, what }: { list: List<T, F>; what: string }) {
  const count = list.data.data?.count ?? 0
  const pages = Math.max(1, Math.ceil(count / list.pageSize))
  return (
    <div class="list-footer">
      <nav class="pager" aria-label={`Pages of ${what}`}>
        <button type="button" disabled={list.page <= 1} onClick={() => list.setPage(list.page - 1)}>
          Previous page
        </button>
        <span>
          Page {list.page} of {pages} ({count} {what})
        </span>
        <button type="button" disabled={list.page >= pages} onClick={() => list.setPage(list.page + 1)}>
          Next page
        </button>
      </nav>
      <SelectField label="Per page" value={String(list.pageSize)} onChange={(event) => list.setPageSize(Number(event.currentTarget.value))}>
        {PAGE_SIZES.map((size) => (
          <option key={size} value={String(size)}>
            {size}
          </option>
        ))}
      </SelectField>
    </div>
  )
}
