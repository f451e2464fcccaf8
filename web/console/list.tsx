// The one list behaviour of the console: filters, ordering, page and page size live in the address
// (so Back, bookmarks, reload and a new tab keep them) and are what the API is asked for.
import { useEffect, useState } from 'preact/hooks'
import { get, query } from './api'
import { navigate, useSearch } from './router'
import type { Page } from './types'
import { Feedback, SelectField, useDebounced, useLoad, type Loaded } from './ui'

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

/** The API's largest page: an export asks for as few as it can. */
const EXPORT_PAGE_SIZE = 100
/** An export stops here rather than walk an unbounded list. */
const EXPORT_MAX_ROWS = 10_000

/**
 * One CSV cell. A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, return
 * first) is prefixed with `'`, so exported text stays text.
 */
function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** Rows as CSV text: a header of the API's field names, then one line per row (CRLF, as RFC 4180). */
export function toCsv(rows: object[]): string {
  const fields = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  const lines = [fields.join(','), ...rows.map((row) => fields.map((field) => csvCell((row as Record<string, unknown>)[field])).join(','))]
  return lines.join('\r\n') + '\r\n'
}

/**
 * Every row of the list under its current filters and ordering, page by page through the API's own
 * list route: each page is a list read, and the API records it as it records any list page.
 */
async function allRows<T, F extends string>(list: List<T, F>): Promise<T[]> {
  const rows: T[] = []
  for (let page = 1; rows.length < EXPORT_MAX_ROWS; page++) {
    const answer = await get<Page<T>>(list.endpoint + query({ ...list.apiFilters, page, page_size: EXPORT_PAGE_SIZE }))
    rows.push(...answer.results)
    if (!answer.next) break
  }
  return rows
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }))
  const link = document.createElement('a')
  link.href = url
  link.download = name
  link.click()
  setTimeout(() => URL.revokeObjectURL(url))
}

/** Downloads the whole list, as filtered and ordered, as CSV. */
function ExportButton<T, F extends string>({ list, what }: { list: List<T, F>; what: string }) {
  const [busy, setBusy] = useState(false)
  const [notice, setNotice] = useState('')
  const [error, setError] = useState<unknown>(null)
  const run = async () => {
    if (busy) return
    setBusy(true)
    setError(null)
    setNotice('')
    try {
      const rows = await allRows(list)
      download(`${what}-${new Date().toISOString().slice(0, 10)}.csv`, toCsv(rows as object[]))
      setNotice(`Exported ${rows.length} ${what}.`)
    } catch (caught) {
      setError(caught)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="export">
      <button type="button" aria-disabled={busy} onClick={run}>
        Export {what} as CSV
      </button>
      <Feedback notice={notice} error={error} />
    </div>
  )
}

/** Below a list: its pages, the page-size choice and the export. */
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
      {count > 0 && <ExportButton list={list} what={what} />}
    </div>
  )
}
