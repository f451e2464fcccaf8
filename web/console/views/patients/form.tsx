import { BLOOD_GROUPS, GENDERS } from '../../../../src/core/enums'
import { BLOOD_GROUP_LABELS, GENDER_LABELS } from '../../format'
import { Submit, useForm } from '../../form'
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

/** The body for POST or PUT: empty optional fields are sent as null (PUT clears them). */
export const bodyOf = (fields: PatientFields) => ({
  name: fields.name,
  date_of_birth: fields.date_of_birth,
  gender: fields.gender,
  email: fields.email || null,
  phone_number: fields.phone_number || null,
  address: fields.address || null,
  blood_group: fields.blood_group || null,
  medical_history: fields.medical_history || null,
})

interface PatientFormProps {
  initial: PatientFields
  submitLabel: string
  /** Saves the fields and says what happened. */
  onSubmit: (fields: PatientFields) => Promise<string | void>
}

export function PatientForm({ initial, submitLabel, onSubmit }: PatientFormProps) {
  const form = useForm(initial, onSubmit)
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
      <TextArea label="Medical history" {...form.text('medical_history')} rows={4} maxLength={10000} />
      <Submit form={form} label={submitLabel} />
    </form>
  )
}
