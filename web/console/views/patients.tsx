import { useState } from 'preact/hooks'
import { RequestFailed, get, query, request } from '../api'
import { Link, navigate } from '../router'
import { ACTIONS, Alert, Heading, Pager, SelectField, Status, Table, TextField, useDebounced, useLoad, when } from '../ui'
import type { HistoryEvent, Page, Patient, PatientDoctors } from '../types'

const GENDERS = ['male', 'female', 'other'] as const
export const BLOOD_GROUPS = ['A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-']
const PAGE_SIZE = 20

export function PatientList() {
  const [search, setSearch] = useState('')
  const [gender, setGender] = useState('')
  const [bloodGroup, setBloodGroup] = useState('')
  const [ordering, setOrdering] = useState('-created_at')
  const [page, setPage] = useState(1)
  const term = useDebounced(search)
  const path = `/api/patients/${query({ search: term, gender, blood_group: bloodGroup, ordering, page, page_size: PAGE_SIZE })}`
  const list = useLoad(() => get<Page<Patient>>(path), path)
  const filter = (set: (value: string) => void) => (event: Event) => {
    set((event.currentTarget as HTMLInputElement).value)
    setPage(1)
  }

  return (
    <>
      <Heading>Patients</Heading>
      <p>
        <Link href="/console/patients/new">Add a patient</Link>
      </p>
      <form role="search" class="filters" aria-label="Filter patients" onSubmit={(event) => event.preventDefault()}>
        <TextField label="Search" type="search" value={search} onInput={filter(setSearch)} placeholder="Name, email or phone" />
        <SelectField label="Gender" value={gender} onChange={filter(setGender)}>
          <option value="">Any</option>
          {GENDERS.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </SelectField>
        <SelectField label="Blood group" value={bloodGroup} onChange={filter(setBloodGroup)}>
          <option value="">Any</option>
          {BLOOD_GROUPS.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </SelectField>
        <SelectField label="Order by" value={ordering} onChange={filter(setOrdering)}>
          <option value="-created_at">Newest first</option>
          <option value="created_at">Oldest first</option>
          <option value="name">Name</option>
          <option value="-date_of_birth">Youngest first</option>
          <option value="date_of_birth">Oldest patients first</option>
        </SelectField>
      </form>
      <Alert error={list.error} />
      {list.data && (
        <>
          <Table
            caption="Your patients"
            columns={['Name', 'Date of birth', 'Age', 'Gender', 'Blood group', 'Phone']}
            rows={list.data.results}
            rowKey={(patient) => patient.id}
            row={(patient) => (
              <>
                <td>
                  <Link href={`/console/patients/${patient.id}`}>{patient.name}</Link>
                </td>
                <td>{patient.date_of_birth}</td>
                <td>{patient.age}</td>
                <td>{patient.gender}</td>
                <td>{patient.blood_group ?? '–'}</td>
                <td>{patient.phone_number ?? '–'}</td>
              </>
            )}
            busy={list.loading}
          />
          {list.data.count === 0 && <p>No patients match.</p>}
          <Pager page={page} pageSize={PAGE_SIZE} count={list.data.count} onPage={setPage} what="patients" />
        </>
      )}
    </>
  )
}

type PatientFields = Record<
  'name' | 'date_of_birth' | 'gender' | 'email' | 'phone_number' | 'address' | 'blood_group' | 'medical_history',
  string
>

const blank: PatientFields = {
  name: '',
  date_of_birth: '',
  gender: '',
  email: '',
  phone_number: '',
  address: '',
  blood_group: '',
  medical_history: '',
}

const fieldsOf = (patient: Patient): PatientFields => ({
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
const bodyOf = (fields: PatientFields) => ({
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
  onSubmit: (fields: PatientFields) => Promise<void>
}

function PatientForm({ initial, submitLabel, onSubmit }: PatientFormProps) {
  const [fields, setFields] = useState(initial)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const bind = (name: keyof PatientFields) => ({
    name,
    value: fields[name],
    onInput: (event: Event) => setFields({ ...fields, [name]: (event.currentTarget as HTMLInputElement).value }),
  })
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await onSubmit(fields)
    } catch (caught) {
      setError(caught)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="record" onSubmit={submit}>
      <Alert error={error} />
      <TextField label="Name" {...bind('name')} required maxLength={120} autoComplete="off" />
      <TextField label="Date of birth" {...bind('date_of_birth')} type="date" required />
      <SelectField label="Gender" {...bind('gender')} required>
        <option value="">Choose…</option>
        {GENDERS.map((value) => (
          <option key={value} value={value}>
            {value}
          </option>
        ))}
      </SelectField>
      <TextField label="Email" {...bind('email')} type="email" autoComplete="off" />
      <TextField label="Phone number" {...bind('phone_number')} type="tel" autoComplete="off" />
      <TextField label="Address" {...bind('address')} maxLength={500} autoComplete="off" />
      <SelectField label="Blood group" {...bind('blood_group')}>
        <option value="">Unknown</option>
        {BLOOD_GROUPS.map((value) => (
          <option key={value} value={value}>
            {value}
          </option>
        ))}
      </SelectField>
      <label>
        Medical history
        <textarea {...bind('medical_history')} rows={4} maxLength={10000} />
      </label>
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  )
}

export function NewPatient() {
  const create = async (fields: PatientFields) => {
    const { data } = await request<Patient>('POST', '/api/patients/', { body: bodyOf(fields) })
    navigate(`/console/patients/${data.id}`)
  }
  return (
    <>
      <Heading>Add a patient</Heading>
      <PatientForm initial={blank} submitLabel="Add patient" onSubmit={create} />
    </>
  )
}

const STALE_EDIT =
  'Someone changed this patient after you opened it, so your edit was not saved. Reload the patient to see the current record, then make your change again.'

export function PatientPage({ id }: { id: string }) {
  const patient = useLoad(() => request<Patient>('GET', `/api/patients/${id}/`), `patient-${id}`)
  const [notice, setNotice] = useState('')
  const [stale, setStale] = useState(false)

  if (patient.error) {
    return (
      <>
        <Heading>Patient</Heading>
        <Alert error={patient.error} />
        <Link href="/console/patients/">Back to patients</Link>
      </>
    )
  }
  if (!patient.data) return <p aria-busy="true">Loading the patient…</p>
  const { data: record, etag } = patient.data

  const save = async (fields: PatientFields) => {
    try {
      await request<Patient>('PUT', `/api/patients/${id}/`, { body: bodyOf(fields), headers: etag ? { 'if-match': etag } : {} })
    } catch (error) {
      throw staleOr(error, () => setStale(true))
    }
    setStale(false)
    setNotice('Changes saved.')
    patient.reload()
  }
  const reload = () => {
    setStale(false)
    setNotice('')
    patient.reload()
  }

  return (
    <>
      <Heading>{record.name}</Heading>
      <p>
        <Link href="/console/patients/">Back to patients</Link>
      </p>
      {notice && <Status>{notice}</Status>}
      <section aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <dl class="details">
          <dt>Date of birth</dt>
          <dd>
            {record.date_of_birth} (age {record.age})
          </dd>
          <dt>Gender</dt>
          <dd>{record.gender}</dd>
          <dt>Email</dt>
          <dd>{record.email ?? '–'}</dd>
          <dt>Phone number</dt>
          <dd>{record.phone_number ?? '–'}</dd>
          <dt>Address</dt>
          <dd>{record.address ?? '–'}</dd>
          <dt>Blood group</dt>
          <dd>{record.blood_group ?? '–'}</dd>
          <dt>Medical history</dt>
          <dd class="pre">{record.medical_history ?? '–'}</dd>
          <dt>Last changed</dt>
          <dd>{when(record.updated_at)}</dd>
        </dl>
      </section>
      <section aria-labelledby="edit-heading">
        <h2 id="edit-heading">Edit patient</h2>
        {stale && (
          <button type="button" onClick={reload}>
            Reload patient
          </button>
        )}
        <PatientForm key={`${etag}`} initial={fieldsOf(record)} submitLabel="Save changes" onSubmit={save} />
      </section>
      <PatientDoctorsSection id={id} />
      <History id={id} version={etag ?? ''} />
      <DeletePatient id={id} name={record.name} etag={etag} onStale={() => setStale(true)} />
    </>
  )
}

/** A 412 in the console's own words (the user did nothing wrong); other errors as they are. */
function staleOr(error: unknown, onStale: () => void): unknown {
  if (error instanceof RequestFailed && error.status === 412) {
    onStale()
    return new RequestFailed(412, error.code, STALE_EDIT)
  }
  return error
}

function DeletePatient({ id, name, etag, onStale }: { id: string; name: string; etag: string | null; onStale: () => void }) {
  const [confirming, setConfirming] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const remove = async () => {
    setError(null)
    try {
      await request('DELETE', `/api/patients/${id}/`, { headers: etag ? { 'if-match': etag } : {} })
      navigate('/console/patients/')
    } catch (caught) {
      setError(staleOr(caught, onStale))
      setConfirming(false)
    }
  }
  return (
    <section aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete patient</h2>
      <Alert error={error} />
      {confirming ? (
        <div role="group" aria-label="Confirm deletion">
          <p>Delete {name} for good? The audit history stays.</p>
          <button type="button" class="danger" onClick={remove}>
            Yes, delete {name}
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" class="danger" onClick={() => setConfirming(true)}>
          Delete patient
        </button>
      )}
    </section>
  )
}

function PatientDoctorsSection({ id }: { id: string }) {
  const doctors = useLoad(() => get<PatientDoctors>(`/api/patients/${id}/doctors/`), `doctors-${id}`)
  const [error, setError] = useState<unknown>(null)
  const unassign = async (mappingId: number) => {
    setError(null)
    try {
      await request('DELETE', `/api/mappings/${mappingId}/`)
      doctors.reload()
    } catch (caught) {
      setError(caught)
    }
  }
  return (
    <section aria-labelledby="doctors-heading">
      <h2 id="doctors-heading">Doctors</h2>
      <Alert error={doctors.error ?? error} />
      {doctors.data && doctors.data.count === 0 && (
        <p>
          No doctor is assigned. <Link href={`/console/assignments/?patient=${id}`}>Assign one</Link>
        </p>
      )}
      {doctors.data && doctors.data.count > 0 && (
        <Table
          caption="Doctors of this patient"
          columns={['Doctor', 'Specialization', 'Assigned', 'Active', ACTIONS]}
          rows={doctors.data.doctors}
          rowKey={(doctor) => doctor.mapping_id}
          row={(doctor) => (
            <>
              <td>{doctor.name}</td>
              <td>{doctor.specialization}</td>
              <td>{when(doctor.assigned_at)}</td>
              <td>{doctor.is_active ? 'yes' : 'no'}</td>
              <td>
                <button type="button" aria-label={`Remove ${doctor.name}`} onClick={() => unassign(doctor.mapping_id)}>
                  Remove
                </button>
              </td>
            </>
          )}
        />
      )}
    </section>
  )
}

function History({ id, version }: { id: string; version: string }) {
  const [page, setPage] = useState(1)
  const path = `/api/patients/${id}/history/${query({ page, page_size: PAGE_SIZE })}`
  const history = useLoad(() => get<Page<HistoryEvent>>(path), `${path}@${version}`)
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <Alert error={history.error} />
      {history.data && (
        <>
          <Table
            caption="Audit events for this patient, newest first"
            columns={['When', 'Action', 'Outcome', 'By user']}
            rows={history.data.results}
            rowKey={(event) => event.id}
            row={(event) => (
              <>
                <td>{when(event.occurred_at)}</td>
                <td>{event.action}</td>
                <td>{event.outcome}</td>
                <td>{event.actor_id ?? '–'}</td>
              </>
            )}
          />
          <Pager page={page} pageSize={PAGE_SIZE} count={history.data.count} onPage={setPage} what="events" />
        </>
      )}
    </section>
  )
}
