// Nothing irreversible in one keystroke: the action's button opens a modal dialog that names the
// record; Escape or Cancel closes it, and focus goes back to where it was.
import type { ComponentChildren } from 'preact'
import { useId, useRef, useState } from 'preact/hooks'

interface ConfirmProps {
  /** The button's visible text. */
  children: ComponentChildren
  /** The button's accessible name, when its text alone does not name the record. */
  label?: string
  /** The question, naming the record: "Delete Ada Lovelace?" */
  question: string
  /** What follows, in a sentence. */
  consequence: string
  /** The confirming button's text: "Delete Ada Lovelace". */
  confirm: string
  /** Does the thing; a thrown error is the caller's to show (it closes the dialog first). */
  onConfirm: () => Promise<void>
  danger?: boolean
  disabled?: boolean
}

/**
 * Where focus goes once the dialog is closed: the button that opened it, or, when the action took
 * that button away (a removed row), the message the action left in its section, else the section's
 * heading.
 */
function returnFocus(opener: HTMLElement, region: Element | null) {
  if (opener.isConnected) return opener.focus()
  const target = ['.feedback .status', '.feedback [role="alert"]', 'h2', 'h1']
    .map((selector) => region?.querySelector<HTMLElement>(selector))
    .find((element) => element)
  if (!target) return
  if (!target.hasAttribute('tabindex')) target.tabIndex = -1
  target.focus()
}

export function ConfirmButton({ children, label, question, consequence, confirm, onConfirm, danger, disabled }: ConfirmProps) {
  const dialog = useRef<HTMLDialogElement>(null)
  const opener = useRef<HTMLButtonElement>(null)
  const [busy, setBusy] = useState(false)
  const titleId = useId()
  const bodyId = useId()

  const close = () => {
    dialog.current?.close()
  }
  const proceed = async () => {
    if (busy) return
    setBusy(true)
    const button = opener.current
    const region = button?.closest('section, main') ?? null
    try {
      await onConfirm()
    } finally {
      setBusy(false)
      close()
      // After the action's own re-render, so a removed row's button is known to be gone.
      if (button) setTimeout(() => returnFocus(button, region))
    }
  }
  return (
    <>
      <button type="button" ref={opener} class={danger ? 'danger' : undefined} aria-label={label} aria-haspopup="dialog" disabled={disabled} onClick={() => dialog.current?.showModal()}>
        {children}
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        aria-describedby={bodyId}
        onClose={() => {
          // Browsers that do not restore focus themselves leave it on the page body.
          if (document.activeElement === document.body && opener.current?.isConnected) opener.current.focus()
        }}
      >
        <h2 id={titleId}>{question}</h2>
        <p id={bodyId}>{consequence}</p>
        <div class="buttons">
          <button type="button" class={danger ? 'danger' : undefined} aria-disabled={busy} onClick={proceed}>
            {confirm}
          </button>
          <button type="button" autoFocus onClick={close}>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  )
}
