import { request } from '../../api'
import { Submit, useForm } from '../../form'
import type { Doctor } from '../../types'
import { TextField } from '../../ui'

export type DoctorFields = Record<
  | 'name'
  | 'specialization'
  | 'email'
  | 'phone_number'
  | 'qualification'
  | 'experience_years'
  | 'license_number'
  | 'clinic_address'
  | 'consultation_fee',
  string
> & { is_available: boolean }

export const blank: DoctorFields = {
  name: '',
  specialization: '',
  email: '',
  phone_number: '',
  qualification: '',
  experience_years: '',
  license_number: '',
  clinic_address: '',
  consultation_fee: '',
  is_available: true,
}

export const fieldsOf = (doctor: Doctor): DoctorFields => ({
  name: doctor.name,
  specialization: doctor.specialization,
  email: doctor.email ?? '',
  phone_number: doctor.phone_number ?? '',
  qualification: doctor.qualification ?? '',
  experience_years: doctor.experience_years === null ? '' : String(doctor.experience_years),
  license_number: doctor.license_number ?? '',
  clinic_address: doctor.clinic_address ?? '',
  consultation_fee: doctor.consultation_fee ?? '',
  is_available: doctor.is_available,
})

export const bodyOf = (fields: DoctorFields) => ({
  name: fields.name,
  specialization: fields.specialization,
  email: fields.email || null,
  phone_number: fields.phone_number || null,
  qualification: fields.qualification || null,
  experience_years: fields.experience_years === '' ? null : Number(fields.experience_years),
  license_number: fields.license_number || null,
  clinic_address: fields.clinic_address || null,
  consultation_fee: fields.consultation_fee || null,
  is_available: fields.is_available,
})

interface DoctorFormProps {
  doctor: Doctor | null
  etag: string | null
  /** After a save: what to tell the user (shown next to the button). */
  onSaved: (saved: Doctor) => Promise<string>
  onCancel?: () => void
}

/** Adds a doctor (`doctor` null) or replaces one with If-Match (412 when someone changed it meanwhile). */
export function DoctorForm({ doctor, etag, onSaved, onCancel }: DoctorFormProps) {
  const form = useForm(doctor ? fieldsOf(doctor) : blank, async (fields) => {
    const { data } = doctor
      ? await request<Doctor>('PUT', `/api/doctors/${doctor.id}/`, { body: bodyOf(fields), headers: etag ? { 'if-match': etag } : {} })
      : await request<Doctor>('POST', '/api/doctors/', { body: bodyOf(fields) })
    return onSaved(data)
  })
  const title = doctor ? 'Edit doctor' : 'Add a doctor'
  return (
    <form class="record" aria-label={title} onSubmit={form.onSubmit} ref={form.formRef} noValidate>
      {!doctor && <h2>{title}</h2>}
      <TextField label="Name" {...form.text('name')} required maxLength={120} autoComplete="off" />
      <TextField label="Specialization" {...form.text('specialization')} required maxLength={120} autoComplete="off" />
      <TextField label="Email" {...form.text('email')} type="email" autoComplete="off" />
      <TextField label="Phone number" {...form.text('phone_number')} type="tel" autoComplete="off" />
      <TextField label="Qualification" {...form.text('qualification')} maxLength={200} autoComplete="off" />
      <TextField label="Experience (years)" {...form.text('experience_years')} type="number" min={0} max={80} />
      <TextField label="License number" {...form.text('license_number')} maxLength={50} autoComplete="off" />
      <TextField label="Clinic address" {...form.text('clinic_address')} maxLength={500} autoComplete="off" />
      <TextField label="Consultation fee" {...form.text('consultation_fee')} inputMode="decimal" autoComplete="off" />
      <label class="inline">
        <input type="checkbox" {...form.flag('is_available')} />
        Available
      </label>
      <Submit form={form} label={doctor ? 'Save doctor' : 'Add doctor'}>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </Submit>
    </form>
  )
}
