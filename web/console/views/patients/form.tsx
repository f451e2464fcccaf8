import { BLOOD_GROUPS, GENDERS } from '../../../../src/core/enums'
import { BLOOD_GROUP_LABELS, GENDER_LABELS } from '../../format'
import { Submit, useForm } from '../../form'
import { useMay } from '../../session'
import type { Patient } from '../../types'
import { Options, SelectField, TextArea, TextField } from '../../ui'

export type PatientFields = Record<
  'name' | 'date_of_birth' | 'gender' | 'email' | 'phone_number' | 'address' | 'blood_group' | 'medical_history',
  string
>

export const blank: PatientFields = {
  name: '',
  date_of_birth: '',
  gender: '',
  email: '',
  phone_number: '',
  address: '',
  blood_group: '',
  medical_history: '',
}

export const fieldsOf = (patient: Patient): PatientFields => ({
  name: patient.name,
  date_of_birth: patient.date_of_birth,
  gender: patient.gender,
  email: patient.email ?? '',
  phone_number: patient.phone_number ?? '',
  address: patient.address ?? '',
  blood_group: patient.blood_group ?? '',
  medical_history: patient.medical_history ?? '',
})

/**
 * The body for POST or PUT: empty optional fields are sent as null (PUT clears them). Without
 * `history` (a role that may not see it) medical history is left out, and a PUT keeps it as it is.
 */
const bodyOf = (fields: PatientFields, history: boolean) => ({
  name: fields.name,
  date_of_birth: fields.date_of_birth,
  gender: fields.gender,
  email: fields.email || null,
  phone_number: fields.phone_number || null,
  address: fields.address || null,
  blood_group: fields.blood_group || null,
  ...(history ? { medical_history: fields.medical_history || null } : {}),
})

export type PatientBody = ReturnType<typeof bodyOf>

interface PatientFormProps {
  initial: PatientFields
  submitLabel: string
  /** Saves the body and says what happened. */
  onSubmit: (body: PatientBody) => Promise<string | void>
}

export function PatientForm({ initial, submitLabel, onSubmit }: PatientFormProps) {
  // A front-desk member never sees medical history: no field, no label, nothing sent.
  const history = useMay('patient.medical_history')
  const form = useForm(initial, (fields) => onSubmit(bodyOf(fields, history)))
  return (
    <form class="record" onSubmit={form.onSubmit} ref={form.formRef} noValidate>
      <TextField label="Name" {...form.text('name')} required maxLength={120} autoComplete="off" />
      <TextField label="Date of birth" {...form.text('date_of_birth')} type="date" required />
      <SelectField label="Gender" {...form.text('gender')} required>
        <option value="">Choose…</option>
        <Options values={GENDERS} labels={GENDER_LABELS} />
      </SelectField>
      <TextField label="Email" {...form.text('email')} type="email" autoComplete="off" />
      <TextField label="Phone number" {...form.text('phone_number')} type="tel" autoComplete="off" />
      <TextField label="Address" {...form.text('address')} maxLength={500} autoComplete="off" />
      <SelectField label="Blood group" {...form.text('blood_group')}>
        <option value="">Unknown</option>
        <Options values={BLOOD_GROUPS} labels={BLOOD_GROUP_LABELS} />
      </SelectField>
      {history && <TextArea label="Medical history" {...form.text('medical_history')} rows={4} maxLength={10000} />}
      <Submit form={form} label={submitLabel} />
    </form>
  )
}
