import type { ComponentChildren, JSX } from 'preact'
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks'
import { RequestFailed } from './api'

/** Any thrown thing as an RequestFailed, so every failure can be shown in words. */
export function asApiError(error: unknown): RequestFailed {
  if (error instanceof RequestFailed) return error
  return new RequestFailed(0, 'client_error', 'Something went wrong in the console. Reload the page and try again.')
}

/** An error in words: the API's message and each field's problem. Announced by screen readers. */
export function Alert({ error }: { error: unknown }) {
  if (!error) return null
  const [first, ...rest] = asApiError(error).lines
  return (
    <div role="alert" class="alert">
      <p>{first}</p>
      {rest.length > 0 && (
        <ul>
          {rest.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  )
}

/** A column header that screen readers hear as "Actions" and sighted users see as nothing. */
export const ACTIONS = Symbol('actions')

interface TableProps<T> {
  caption: string
  columns: (string | typeof ACTIONS)[]
  rows: T[]
  rowKey: (item: T) => string | number
  /** The cells of one row. */
  row: (item: T) => ComponentChildren
  busy?: boolean
}

/** A data table with a caption and column headers, so screen readers can name every cell. */
export function Table<T>({ caption, columns, rows, rowKey, row, busy }: TableProps<T>) {
  return (
    <table aria-busy={busy}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {columns.map((column, index) => (
            <th scope="col" key={index}>
              {column === ACTIONS ? <span class="visually-hidden">Actions</span> : column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((item) => (
          <tr key={rowKey(item)}>{row(item)}</tr>
        ))}
      </tbody>
    </table>
  )
}

/** A polite announcement (saved, deleted) that screen readers read without moving focus. */
export function Status({ children }: { children: ComponentChildren }) {
  return (
    <p role="status" class="status">
      {children}
    </p>
  )
}

/** The page's heading, focused when the page opens so keyboard and screen-reader users start there. */
export function Heading({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null)
  useEffect(() => ref.current?.focus(), [])
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  )
}

export interface Loaded<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  reload: () => void
}

/** Loads data for a view and reloads when `key` changes; only the latest answer is kept. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true })
  const [round, setRound] = useState(0)
  const reload = useCallback(() => setRound((value) => value + 1), [])
  useEffect(() => {
    let current = true
    setState((previous) => ({ ...previous, loading: true }))
    load().then(
      (data) => current && setState({ data, loading: false }),
      (error) => current && setState({ error, loading: false }),
    )
    return () => {
      current = false
    }
    // `load` is a fresh closure on every render; `key` says when what it loads changes.
  }, [key, round])
  return { data: state.data, error: state.error, loading: state.loading, reload }
}

/** The value after it has stopped changing for `ms` (search as you type, without a request per key). */
export function useDebounced<T>(value: T, ms = 250): T {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms)
    return () => clearTimeout(timer)
  }, [value, ms])
  return settled
}

interface PagerProps {
  page: number
  pageSize: number
  count: number
  onPage: (page: number) => void
  what: string
}

export function Pager({ page, pageSize, count, onPage, what }: PagerProps) {
  const pages = Math.max(1, Math.ceil(count / pageSize))
  return (
    <nav class="pager" aria-label={`Pages of ${what}`}>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous page
      </button>
      <span>
        Page {page} of {pages} ({count} {what})
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next page
      </button>
    </nav>
  )
}

/** Short local date and time for a timestamp from the API. */
export const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })

type TextProps = JSX.IntrinsicElements['input'] & { label: string }

/** A labelled input: the label wraps it, so its accessible name is the label's text. */
export function TextField({ label, ...props }: TextProps) {
  return (
    <label>
      {label}
      <input {...props} />
    </label>
  )
}

type SelectProps = JSX.IntrinsicElements['select'] & { label: string }

/**
 * A labelled select. The label points at it by id rather than wrapping it, so the select's
 * accessible name is the label alone, not the label plus the chosen option's text.
 */
export function SelectField({ label, ...props }: SelectProps) {
  const id = useId()
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} {...props} />
    </div>
  )
}
