import { useState } from 'preact/hooks'
import { get, query, request } from '../api'
import { ACTIONS, Alert, Heading, Pager, SelectField, Status, Table, TextField, useDebounced, useLoad } from '../ui'
import type { Doctor, Page, User } from '../types'

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

const PAGE_SIZE = 20

export function Doctors({ user }: { user: User }) {
  const [search, setSearch] = useState('')
  const [available, setAvailable] = useState('')
  const [page, setPage] = useState(1)
  const [editing, setEditing] = useState<{ doctor: Doctor | null; etag: string | null } | null>(null)
  const [notice, setNotice] = useState('')
  const [error, setError] = useState<unknown>(null)
  const term = useDebounced(search)
  const path = `/api/doctors/${query({ search: term, is_available: available, page, page_size: PAGE_SIZE })}`
  const list = useLoad(() => get<Page<Doctor>>(path), path)

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
    list.reload()
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
          value={search}
          placeholder="Name or specialization"
          onInput={(event) => {
            setSearch(event.currentTarget.value)
            setPage(1)
          }}
        />
        <SelectField
          label="Availability"
          value={available}
          onChange={(event) => {
            setAvailable(event.currentTarget.value)
            setPage(1)
          }}
        >
          <option value="">Any</option>
          <option value="true">Available</option>
          <option value="false">Not available</option>
        </SelectField>
      </form>
      <Alert error={list.error} />
      {list.data && (
        <>
          <Table
            caption="Doctor directory"
            columns={['Name', 'Specialization', 'Fee', 'Available', ACTIONS]}
            rows={list.data.results}
            rowKey={(doctor) => doctor.id}
            row={(doctor) => (
              <>
                <td>{doctor.name}</td>
                <td>{doctor.specialization}</td>
                <td>{doctor.consultation_fee ?? '–'}</td>
                <td>{doctor.is_available ? 'yes' : 'no'}</td>
                <td>
                  {doctor.created_by === user.id && (
                    <button type="button" aria-label={`Edit ${doctor.name}`} onClick={() => edit(doctor)}>
                      Edit
                    </button>
                  )}
                </td>
              </>
            )}
            busy={list.loading}
          />
          {list.data.count === 0 && <p>No doctors match.</p>}
          <Pager page={page} pageSize={PAGE_SIZE} count={list.data.count} onPage={setPage} what="doctors" />
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
  const [fields, setFields] = useState(doctor ? fieldsOf(doctor) : blank)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const text = (name: Exclude<keyof DoctorFields, 'is_available'>) => ({
    name,
    value: fields[name],
    onInput: (event: Event) => setFields({ ...fields, [name]: (event.currentTarget as HTMLInputElement).value }),
  })
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      if (doctor) {
        await request('PUT', `/api/doctors/${doctor.id}/`, { body: bodyOf(fields), headers: etag ? { 'if-match': etag } : {} })
        onDone(`${fields.name} saved.`)
      } else {
        await request('POST', '/api/doctors/', { body: bodyOf(fields) })
        onDone(`${fields.name} added.`)
      }
    } catch (caught) {
      setError(caught)
    } finally {
      setBusy(false)
    }
  }
  const title = doctor ? `Edit ${doctor.name}` : 'Add a doctor'
  return (
    <form class="record" aria-label={title} onSubmit={submit}>
      <h2>{title}</h2>
      <Alert error={error} />
      <TextField label="Name" {...text('name')} required maxLength={120} autoComplete="off" />
      <TextField label="Specialization" {...text('specialization')} required maxLength={120} autoComplete="off" />
      <TextField label="Email" {...text('email')} type="email" autoComplete="off" />
      <TextField label="Phone number" {...text('phone_number')} type="tel" autoComplete="off" />
      <TextField label="Qualification" {...text('qualification')} maxLength={200} autoComplete="off" />
      <TextField label="Experience (years)" {...text('experience_years')} type="number" min={0} max={80} />
      <TextField label="License number" {...text('license_number')} maxLength={50} autoComplete="off" />
      <TextField label="Clinic address" {...text('clinic_address')} maxLength={500} autoComplete="off" />
      <TextField label="Consultation fee" {...text('consultation_fee')} inputMode="decimal" autoComplete="off" />
      <label class="inline">
        <input
          type="checkbox"
          checked={fields.is_available}
          onChange={(event) => setFields({ ...fields, is_available: event.currentTarget.checked })}
        />
        Available
      </label>
      <div>
        <button type="submit" disabled={busy}>
          {doctor ? 'Save doctor' : 'Add doctor'}
        </button>{' '}
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}
