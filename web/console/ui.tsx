import type { ComponentChildren, JSX, Ref } from 'preact'
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks'
import { RequestFailed } from './api'

/** Any thrown thing as a RequestFailed, so every failure can be shown in words. */
export function asApiError(error: unknown): RequestFailed {
  if (error instanceof RequestFailed) return error
  return new RequestFailed(0, 'client_error', 'Something went wrong in the console. Reload the page and try again.')
}

/**
 * An error in words: the API's message and each field's problem. Announced by screen readers; it
 * can take focus (`focusRef`) so a keyboard user lands on it.
 */
export function Alert({ error, focusRef }: { error: unknown; focusRef?: Ref<HTMLDivElement> }) {
  if (!error) return null
  const [first, ...rest] = asApiError(error).lines
  return (
    <div role="alert" class="alert" tabIndex={-1} ref={focusRef}>
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

/** A polite announcement (saved, deleted) that screen readers read without moving focus. */
export function Status({ children }: { children: ComponentChildren }) {
  return (
    <p role="status" class="status">
      {children}
    </p>
  )
}

/**
 * What an action did, shown next to the control that caused it: the live regions exist before
 * anything is said in them, so screen readers announce each new message.
 */
export function Feedback({ notice, error }: { notice?: string; error?: unknown }) {
  return (
    <div class="feedback">
      <div role="status">{notice && !error ? <p class="status">{notice}</p> : null}</div>
      <Alert error={error} />
    </div>
  )
}

/**
 * Runs an action, reloads the view, then says what it did. Success is said for the whole view, since
 * the row may be gone from it (removed, or out of a filtered list); a refusal (the last admin, 409)
 * is thrown back to the control that caused it, to be shown beside it (`useRowError`).
 */
export function useActions(reload: () => Promise<void>) {
  const [notice, setNotice] = useState('')
  const run = async (action: () => Promise<unknown>, done: string) => {
    setNotice('')
    await action()
    await reload()
    setNotice(done)
  }
  return { notice, run }
}

/** A control's own refusal: `act` resolves once done, or shows why not beside the control. */
export function useRowError() {
  const [error, setError] = useState<unknown>(null)
  const act = async (action: () => Promise<void>) => {
    setError(null)
    try {
      await action()
    } catch (caught) {
      setError(caught)
    }
  }
  return { error, act }
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

/** A column header that screen readers hear as "Actions" and sighted users see as nothing. */
export const ACTIONS = Symbol('actions')

/** A column the API can order by: `sort` is its ordering field (`name` sorts up, `-name` down). */
export interface SortableColumn {
  label: string
  sort: string
}

type Column = string | typeof ACTIONS | SortableColumn

interface TableProps<T> {
  caption: string
  columns: Column[]
  rows: T[]
  rowKey: (item: T) => string | number
  /** The contents of one row's cells, one per column. */
  cells: (item: T) => ComponentChildren[]
  busy?: boolean
  /** The current ordering and how to change it, for sortable columns. */
  ordering?: string
  onSort?: (ordering: string) => void
}

const labelOfColumn = (column: Column) => (column === ACTIONS ? 'Actions' : typeof column === 'string' ? column : column.label)

/**
 * A data table with a caption and column headers, so screen readers can name every cell. Each cell
 * carries its column's name, shown beside it when a narrow screen stacks the rows as cards.
 */
export function Table<T>({ caption, columns, rows, rowKey, cells, busy, ordering, onSort }: TableProps<T>) {
  return (
    <table aria-busy={busy} class="cards">
      <caption>{caption}</caption>
      <thead>
        <tr>
          {columns.map((column, index) => (
            <th scope="col" key={index} aria-sort={sortState(column, ordering)}>
              {column === ACTIONS ? (
                <span class="visually-hidden">Actions</span>
              ) : typeof column === 'string' || !onSort ? (
                labelOfColumn(column)
              ) : (
                <SortButton column={column} ordering={ordering} onSort={onSort} />
              )}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((item) => (
          <tr key={rowKey(item)}>
            {cells(item).map((cell, index) => (
              <td key={index} data-label={columns[index] === ACTIONS ? undefined : labelOfColumn(columns[index])}>
                {cell}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function sortState(column: Column, ordering: string | undefined): 'ascending' | 'descending' | undefined {
  if (typeof column !== 'object' || !ordering) return undefined
  if (ordering === column.sort) return 'ascending'
  if (ordering === `-${column.sort}`) return 'descending'
  return undefined
}

/** Sorts by its column, ascending first; a second press reverses, as in the Django admin. */
function SortButton({ column, ordering, onSort }: { column: SortableColumn; ordering?: string; onSort: (ordering: string) => void }) {
  const state = sortState(column, ordering)
  const next = state === 'ascending' ? `-${column.sort}` : column.sort
  return (
    <button type="button" class="sort" onClick={() => onSort(next)}>
      {column.label}
      <span aria-hidden="true">{state === 'ascending' ? ' ▲' : state === 'descending' ? ' ▼' : ' ↕'}</span>
    </button>
  )
}

export interface Loaded<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  /** Loads again; resolves once the new answer (or error) is in. */
  reload: () => Promise<void>
}

/** Loads data for a view and reloads when `key` changes; only the latest answer is kept. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true })
  const [round, setRound] = useState(0)
  const waiting = useRef<(() => void)[]>([])
  const reload = useCallback(
    () =>
      new Promise<void>((resolve) => {
        waiting.current.push(resolve)
        setRound((value) => value + 1)
      }),
    [],
  )
  useEffect(() => {
    let current = true
    setState((previous) => ({ ...previous, loading: true }))
    const settle = (next: { data?: T; error?: unknown; loading: boolean }) => {
      if (!current) return
      setState(next)
      for (const resolve of waiting.current.splice(0)) resolve()
    }
    load().then(
      (data) => settle({ data, loading: false }),
      (error) => settle({ error, loading: false }),
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

/** A field's own problems, from the API, shown under it and tied to it for screen readers. */
interface FieldProblem {
  errors?: string[]
}

/** The attributes that tie a control to its error text. */
function problemProps(errorId: string, errors: string[] | undefined) {
  return errors?.length ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {}
}

function FieldErrors({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return null
  return (
    <span id={id} class="field-error">
      {errors.join(' ')}
    </span>
  )
}

type TextProps = JSX.IntrinsicElements['input'] & { label: string } & FieldProblem

/** A labelled input: the label wraps it, so its accessible name is the label's text. */
export function TextField({ label, errors, ...props }: TextProps) {
  const errorId = useId()
  return (
    <label>
      {label}
      <input {...props} {...problemProps(errorId, errors)} />
      <FieldErrors id={errorId} errors={errors} />
    </label>
  )
}

type AreaProps = JSX.IntrinsicElements['textarea'] & { label: string } & FieldProblem

export function TextArea({ label, errors, ...props }: AreaProps) {
  const errorId = useId()
  return (
    <label>
      {label}
      <textarea {...props} {...problemProps(errorId, errors)} />
      <FieldErrors id={errorId} errors={errors} />
    </label>
  )
}

type SelectProps = JSX.IntrinsicElements['select'] & { label: string } & FieldProblem

/**
 * A labelled select. The label points at it by id rather than wrapping it, so the select's
 * accessible name is the label alone, not the label plus the chosen option's text.
 */
export function SelectField({ label, errors, ...props }: SelectProps) {
  const id = useId()
  const errorId = useId()
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} {...props} {...problemProps(errorId, errors)} />
      <FieldErrors id={errorId} errors={errors} />
    </div>
  )
}

/** The options of an enum, labelled: `values` from src/core/enums, `labels` from format.ts. */
export function Options<K extends string>({ values, labels }: { values: readonly K[]; labels: Record<K, string> }) {
  return (
    <>
      {values.map((value) => (
        <option key={value} value={value}>
          {labels[value]}
        </option>
      ))}
    </>
  )
}
