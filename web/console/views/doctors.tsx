import { useState } from 'preact/hooks'
import { request } from '../api'
import { FLAGS } from '../../../src/core/enums'
import { AVAILABILITY_LABELS, yesNo } from '../format'
import { Submit, useForm } from '../form'
import { ListFooter, useList } from '../list'
import type { Doctor, User } from '../types'
import { ACTIONS, Alert, Heading, Options, SelectField, Status, Table, TextField } from '../ui'

type DoctorFields = Record<
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

const blank: DoctorFields = {
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

const fieldsOf = (doctor: Doctor): DoctorFields => ({
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

const bodyOf = (fields: DoctorFields) => ({
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

export function Doctors({ user }: { user: User }) {
  const list = useList<Doctor, 'search' | 'is_available'>({
    endpoint: '/api/doctors/',
    filters: ['search', 'is_available'],
    ordering: '-created_at',
  })
  const { data } = list
  const [editing, setEditing] = useState<{ doctor: Doctor | null; etag: string | null } | null>(null)
  const [notice, setNotice] = useState('')
  const [error, setError] = useState<unknown>(null)

  const edit = async (doctor: Doctor) => {
    setError(null)
    try {
      const { data, etag } = await request<Doctor>('GET', `/api/doctors/${doctor.id}/`)
      setEditing({ doctor: data, etag })
    } catch (caught) {
      setError(caught)
    }
  }
  const saved = (message: string) => {
    setEditing(null)
    setNotice(message)
    data.reload()
  }

  return (
    <>
      <Heading>Doctors</Heading>
      {notice && <Status>{notice}</Status>}
      <Alert error={error} />
      {editing ? (
        <DoctorForm {...editing} onDone={saved} onCancel={() => setEditing(null)} />
      ) : (
        <p>
          <button type="button" onClick={() => setEditing({ doctor: null, etag: null })}>
            Add a doctor
          </button>
        </p>
      )}
      <form role="search" class="filters" aria-label="Filter doctors" onSubmit={(event) => event.preventDefault()}>
        <TextField
          label="Search"
          type="search"
          value={list.search}
          placeholder="Name or specialization"
          onInput={(event) => list.setSearch(event.currentTarget.value)}
        />
        <SelectField
          label="Availability"
          value={list.filters.is_available}
          onChange={(event) => list.filter({ is_available: event.currentTarget.value })}
        >
          <option value="">Any</option>
          <Options values={FLAGS} labels={AVAILABILITY_LABELS} />
        </SelectField>
      </form>
      <Alert error={data.error} />
      {data.data && (
        <>
          <Table
            caption="Doctor directory"
            columns={[
              { label: 'Name', sort: 'name' },
              'Specialization',
              { label: 'Experience (years)', sort: 'experience_years' },
              { label: 'Fee', sort: 'consultation_fee' },
              'Available',
              ACTIONS,
            ]}
            rows={data.data.results}
            rowKey={(doctor) => doctor.id}
            cells={(doctor) => [
              doctor.name,
              doctor.specialization,
              doctor.experience_years ?? '–',
              doctor.consultation_fee ?? '–',
              yesNo(doctor.is_available),
              doctor.created_by === user.id && (
                <button type="button" aria-label={`Edit ${doctor.name}`} onClick={() => edit(doctor)}>
                  Edit
                </button>
              ),
            ]}
            busy={data.loading}
            ordering={list.ordering}
            onSort={list.setOrdering}
          />
          {data.data.count === 0 && <p>No doctors match.</p>}
          <ListFooter list={list} what="doctors" />
        </>
      )}
    </>
  )
}

interface DoctorFormProps {
  doctor: Doctor | null
  etag: string | null
  onDone: (message: string) => void
  onCancel: () => void
}

function DoctorForm({ doctor, etag, onDone, onCancel }: DoctorFormProps) {
  const form = useForm(doctor ? fieldsOf(doctor) : blank, async (fields) => {
    if (doctor) {
      await request('PUT', `/api/doctors/${doctor.id}/`, { body: bodyOf(fields), headers: etag ? { 'if-match': etag } : {} })
      onDone(`${fields.name} saved.`)
    } else {
      await request('POST', '/api/doctors/', { body: bodyOf(fields) })
      onDone(`${fields.name} added.`)
    }
  })
  const title = doctor ? `Edit ${doctor.name}` : 'Add a doctor'
  return (
    <form class="record" aria-label={title} onSubmit={form.onSubmit} ref={form.formRef} noValidate>
      <h2>{title}</h2>
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
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </Submit>
    </form>
  )
}
