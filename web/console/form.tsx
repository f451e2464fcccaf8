// The one form binding of the console: fields bound to inputs, one submit at a time, the API's field
// errors on their fields, and the outcome next to the button that asked for it.
import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { RequestFailed, NON_FIELD } from './api'
import { asApiError, Feedback } from './ui'

type Values = Record<string, string | boolean>

/** The forms on screen whose fields differ from what they were given or last saved. */
const unsaved = new Set<object>()

/** Whether some form on screen holds edits not yet saved (said when a forced sign-out loses them). */
export const hasUnsavedEdits = () => unsaved.size > 0
type TextKeys<F> = { [K in keyof F]: F[K] extends string ? K : never }[keyof F] & string
type FlagKeys<F> = { [K in keyof F]: F[K] extends boolean ? K : never }[keyof F] & string

export interface Form<F extends Values> {
  fields: F
  set: (changes: Partial<F>) => void
  /** Shows a refusal that came another way (a list's filters refused) as if the form's own. */
  refuse: (error: unknown) => void
  /** Starts again from `values`, as if just loaded or saved. */
  reset: (values: F) => void
  /** Props for a TextField, TextArea or SelectField bound to a text field. */
  text: (name: TextKeys<F>) => { name: string; value: string; onInput: (event: Event) => void; errors?: string[] }
  /** Props for a checkbox bound to a yes/no field. */
  flag: (name: FlagKeys<F>) => { name: string; checked: boolean; onChange: (event: Event) => void }
  /** The form's onSubmit: runs `action` once at a time; its answer (a sentence) is shown as the outcome. */
  onSubmit: (event: Event) => void
  busy: boolean
  notice: string
  error: unknown
  formRef: { current: HTMLFormElement | null }
}

/**
 * Binds a form to `initial` values. `action` gets the fields and resolves with what to tell the user;
 * a refusal with field details puts each message on its field and focuses the first one.
 */
export function useForm<F extends Values>(initial: F, action: (fields: F) => Promise<string | void>): Form<F> {
  const [fields, setFields] = useState(initial)
  const [saved, setSaved] = useState(initial)
  const [identity] = useState(() => ({}))
  const [busy, setBusy] = useState(false)
  const [notice, setNotice] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({})
  const [focusRound, setFocusRound] = useState(0)
  const running = useRef(false)
  const formRef = useRef<HTMLFormElement>(null)

  const dirty = (Object.keys(fields) as (keyof F)[]).some((name) => fields[name] !== saved[name])
  useEffect(() => {
    if (dirty) unsaved.add(identity)
    else unsaved.delete(identity)
    return () => unsaved.delete(identity)
  }, [dirty])

  useEffect(() => {
    if (!focusRound) return
    const target = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], [role="alert"]')
    target?.focus()
  }, [focusRound])

  const reset = (values: F) => {
    setFields(values)
    setSaved(values)
    setError(null)
    setFieldErrors({})
  }

  const set = (changes: Partial<F>) => {
    setFields((previous) => ({ ...previous, ...changes }))
    setNotice('')
  }

  const refuse = (caught: unknown) => {
    const refusal = asApiError(caught)
    const own: Record<string, string[]> = {}
    const rest: Record<string, string[]> = {}
    for (const [field, messages] of Object.entries(refusal.details ?? {})) {
      if (field !== NON_FIELD && field in fields) own[field] = messages
      else rest[field] = messages
    }
    setFieldErrors(own)
    setError(new RequestFailed(refusal.status, refusal.code, refusal.message, rest))
    setFocusRound((round) => round + 1)
  }

  const onSubmit = async (event: Event) => {
    event.preventDefault()
    // A second press while the first is on its way would send the same change twice.
    if (running.current) return
    running.current = true
    setBusy(true)
    setError(null)
    setNotice('')
    setFieldErrors({})
    try {
      const before = saved
      setNotice((await action(fields)) ?? '')
      // Unless the action started the form afresh (reset), what was sent is now what is saved.
      setSaved((current) => (current === before ? fields : current))
    } catch (caught) {
      refuse(caught)
    } finally {
      running.current = false
      setBusy(false)
    }
  }

  return {
    fields,
    set,
    reset,
    refuse,
    text: (name) => ({
      name,
      value: fields[name] as string,
      onInput: (event: Event) => set({ [name]: (event.currentTarget as HTMLInputElement).value } as Partial<F>),
      errors: fieldErrors[name],
    }),
    flag: (name) => ({
      name,
      checked: fields[name] as boolean,
      onChange: (event: Event) => set({ [name]: (event.currentTarget as HTMLInputElement).checked } as Partial<F>),
    }),
    onSubmit,
    busy,
    notice,
    error,
    formRef,
  }
}

/**
 * The submit button, never disabled (a disabled button drops keyboard focus to the page), and the
 * form's outcome beside it.
 */
export function Submit<F extends Values>({ form, label, children }: { form: Form<F>; label: string; children?: ComponentChildren }) {
  return (
    <div class="submit">
      <div class="buttons">
        <button type="submit" aria-disabled={form.busy}>
          {label}
        </button>
        {children}
      </div>
      <Feedback notice={form.notice} error={form.error} />
    </div>
  )
}
