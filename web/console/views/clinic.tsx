import { CLINIC_ROLE_LABELS, labelOf } from '../format'
import { Submit, useForm } from '../form'
import type { Me } from '../types'
import { SelectField } from '../ui'

/**
 * The header's clinic and role. With several clinics it is a menu of them and a Switch button: the
 * menu alone changes nothing, since moving to another clinic reloads everything on screen.
 */
export function ClinicSwitcher({ user, onSwitch }: { user: Me; onSwitch: (clinic: number) => Promise<void> }) {
  const current = user.clinic
  const form = useForm({ clinic: String(current?.id ?? '') }, async ({ clinic }) => {
    if (clinic && Number(clinic) !== current?.id) await onSwitch(Number(clinic))
  })
  if (user.clinics.length === 0) return <p class="clinic">No clinic</p>
  if (current && user.clinics.length === 1) {
    return (
      <p class="clinic">
        {current.name} <span class="role">({labelOf(CLINIC_ROLE_LABELS, user.clinic_role)})</span>
      </p>
    )
  }
  return (
    <form class="clinic" aria-label="Switch clinic" onSubmit={form.onSubmit} ref={form.formRef}>
      <SelectField label="Clinic" {...form.text('clinic')}>
        {!current && <option value="">None chosen</option>}
        {user.clinics.map(({ clinic, role }) => (
          <option key={clinic.id} value={String(clinic.id)}>
            {clinic.name} ({labelOf(CLINIC_ROLE_LABELS, role)})
          </option>
        ))}
      </SelectField>
      <Submit form={form} label="Switch" />
    </form>
  )
}
