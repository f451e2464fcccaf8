import { useState } from 'preact/hooks'
import { get, query, request } from '../api'
import { Link } from '../router'
import { ACTIONS, Alert, Heading, Pager, SelectField, Status, Table, TextField, useLoad, when } from '../ui'
import type { Assignment, Doctor, Page, Patient } from '../types'

const PAGE_SIZE = 20

/** Assign a doctor to one of your patients, and remove assignments. */
export function Assignments() {
  const preset = new URLSearchParams(location.search).get('patient') ?? ''
  const [patient, setPatient] = useState(preset)
  const [doctor, setDoctor] = useState('')
  const [notes, setNotes] = useState('')
  const [page, setPage] = useState(1)
  const [notice, setNotice] = useState('')
  const [error, setError] = useState<unknown>(null)
  // The choices: the first 100 of each, by name (the API's largest page).
  const choices = useLoad(
    () =>
      Promise.all([
        get<Page<Patient>>('/api/patients/?ordering=name&page_size=100'),
        get<Page<Doctor>>('/api/doctors/?ordering=name&page_size=100'),
      ]),
    'choices',
  )
  const path = `/api/mappings/${query({ page, page_size: PAGE_SIZE })}`
  const list = useLoad(() => get<Page<Assignment>>(path), path)

  const assign = async (event: Event) => {
    event.preventDefault()
    setError(null)
    setNotice('')
    try {
      const { data } = await request<Assignment>('POST', '/api/mappings/', {
        body: { patient: Number(patient), doctor: Number(doctor), notes: notes || null },
      })
      setNotice(`${data.doctor_name} assigned to ${data.patient_name}.`)
      setNotes('')
      list.reload()
    } catch (caught) {
      setError(caught)
    }
  }
  const remove = async (mapping: Assignment) => {
    setError(null)
    setNotice('')
    try {
      await request('DELETE', `/api/mappings/${mapping.id}/`)
      setNotice(`${mapping.doctor_name} is no longer assigned to ${mapping.patient_name}.`)
      list.reload()
    } catch (caught) {
      setError(caught)
    }
  }

  return (
    <>
      <Heading>Assignments</Heading>
      {notice && <Status>{notice}</Status>}
      <Alert error={error ?? choices.error} />
      <form class="record" aria-label="Assign a doctor" onSubmit={assign}>
        <h2>Assign a doctor</h2>
        <SelectField label="Patient" value={patient} required onChange={(event) => setPatient(event.currentTarget.value)}>
          <option value="">Choose a patient…</option>
          {choices.data?.[0].results.map((item) => (
            <option key={item.id} value={String(item.id)}>
              {item.name} ({item.date_of_birth})
            </option>
          ))}
        </SelectField>
        <SelectField label="Doctor" value={doctor} required onChange={(event) => setDoctor(event.currentTarget.value)}>
          <option value="">Choose a doctor…</option>
          {choices.data?.[1].results.map((item) => (
            <option key={item.id} value={String(item.id)}>
              {item.name} ({item.specialization})
            </option>
          ))}
        </SelectField>
        <TextField label="Notes" value={notes} maxLength={1000} onInput={(event) => setNotes(event.currentTarget.value)} />
        <button type="submit">Assign doctor</button>
      </form>
      <Alert error={list.error} />
      {list.data && (
        <>
          <Table
            caption="Assignments of your patients"
            columns={['Patient', 'Doctor', 'Notes', 'Assigned', ACTIONS]}
            rows={list.data.results}
            rowKey={(mapping) => mapping.id}
            row={(mapping) => (
              <>
                <td>
                  <Link href={`/console/patients/${mapping.patient}`}>{mapping.patient_name}</Link>
                </td>
                <td>
                  {mapping.doctor_name} ({mapping.doctor_specialization})
                </td>
                <td>{mapping.notes ?? '–'}</td>
                <td>{when(mapping.assigned_at)}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Remove ${mapping.doctor_name} from ${mapping.patient_name}`}
                    onClick={() => remove(mapping)}
                  >
                    Remove
                  </button>
                </td>
              </>
            )}
            busy={list.loading}
          />
          {list.data.count === 0 && <p>No assignments yet.</p>}
          <Pager page={page} pageSize={PAGE_SIZE} count={list.data.count} onPage={setPage} what="assignments" />
        </>
      )}
    </>
  )
}
