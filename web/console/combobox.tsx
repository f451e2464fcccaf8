// A picker that searches the API as the user types: the ARIA combobox pattern with a list box popup
// (arrow keys move through the choices, Enter picks, Escape closes).
import { useEffect, useId, useRef, useState } from 'preact/hooks'
import { asApiError, useDebounced } from './ui'

export interface Choice {
  id: string
  label: string
  /** What tells two choices of the same name apart (a birth date, a specialization). */
  detail: string
  /** Marked in the list, still choosable (an unavailable doctor). */
  note?: string
}

interface ComboboxProps {
  label: string
  name: string
  /** The picked choice's id, or '' for none. */
  value: string
  /** The text shown for an id the form starts with (a preset from the address). */
  initialText?: string
  onPick: (id: string) => void
  /** Choices matching the typed text, best first. */
  search: (text: string) => Promise<Choice[]>
  errors?: string[]
  placeholder?: string
}

const textOf = (choice: Choice) => `${choice.label} (${choice.detail})`

export function Combobox({ label, name, value, initialText = '', onPick, search, errors, placeholder }: ComboboxProps) {
  const id = useId()
  const listId = useId()
  const errorId = useId()
  const [text, setText] = useState(initialText)
  const [open, setOpen] = useState(false)
  const [choices, setChoices] = useState<Choice[]>([])
  const [active, setActive] = useState(-1)
  const [problem, setProblem] = useState('')
  const term = useDebounced(text, 200)
  const asked = useRef(0)

  useEffect(() => setText(initialText), [initialText])
  // The form was reset (an assignment made): the box empties with it.
  useEffect(() => {
    if (value === '' && !open) setText('')
  }, [value])

  useEffect(() => {
    if (!open) return
    const round = ++asked.current
    search(term.trim()).then(
      (found) => {
        if (round !== asked.current) return
        setChoices(found)
        setActive(found.length ? 0 : -1)
        setProblem('')
      },
      (error) => round === asked.current && setProblem(asApiError(error).message),
    )
  }, [term, open])

  const pick = (choice: Choice) => {
    onPick(choice.id)
    setText(textOf(choice))
    setOpen(false)
  }
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      if (!open) return setOpen(true)
      const step = event.key === 'ArrowDown' ? 1 : -1
      setActive((index) => (choices.length ? (index + step + choices.length) % choices.length : -1))
    } else if (event.key === 'Enter' && open && choices[active]) {
      event.preventDefault()
      pick(choices[active])
    } else if (event.key === 'Escape' && open) {
      event.preventDefault()
      setOpen(false)
    }
  }
  const describedBy = [errors?.length ? errorId : '', `${id}-status`].filter(Boolean).join(' ')
  const optionId = (index: number) => `${listId}-${index}`

  return (
    <div class="field combobox">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="text"
        role="combobox"
        autoComplete="off"
        placeholder={placeholder}
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open && active >= 0 ? optionId(active) : undefined}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy}
        value={text}
        onInput={(event) => {
          setText(event.currentTarget.value)
          setOpen(true)
          if (value) onPick('')
        }}
        onFocus={() => setOpen(!value)}
        onClick={() => setOpen(true)}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      <ul id={listId} role="listbox" aria-label={label} hidden={!open || choices.length === 0}>
        {choices.map((choice, index) => (
          <li
            key={choice.id}
            id={optionId(index)}
            role="option"
            aria-selected={index === active}
            class={choice.note ? 'noted' : undefined}
            // Before the input's blur closes the list.
            onMouseDown={(event) => {
              event.preventDefault()
              pick(choice)
            }}
          >
            {choice.label} <span class="detail">({choice.detail})</span>
            {choice.note && <strong class="note"> {choice.note}</strong>}
          </li>
        ))}
      </ul>
      <span id={`${id}-status`} class="visually-hidden" aria-live="polite">
        {open && !problem ? `${choices.length} ${choices.length === 1 ? 'match' : 'matches'}` : problem}
      </span>
      {errors?.length ? (
        <span id={errorId} class="field-error">
          {errors.join(' ')}
        </span>
      ) : null}
    </div>
  )
}
