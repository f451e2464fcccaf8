import { useState } from 'preact/hooks'
import { request } from '../../api'
import { BLOOD_GROUP_LABELS, day, GENDER_LABELS, labelOf, phone, when } from '../../format'
import { Link } from '../../router'
import type { Patient } from '../../types'
import { Alert, Heading, useLoad } from '../../ui'
import { DeletePatient } from './delete'
import { PatientDoctorsSection } from './doctors'
import { fieldsOf, PatientForm, type PatientBody } from './form'
import { History } from './history'
import { staleOr } from './stale'

export function PatientPage({ id }: { id: string }) {
  const patient = useLoad(() => request<Patient>('GET', `/api/patients/${id}/`), `patient-${id}`)
  const [stale, setStale] = useState(false)
  // Bumped only when the user asks for the current record: the form then starts again from it.
  const [round, setRound] = useState(0)

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

  const save = async (body: PatientBody) => {
    try {
      await request<Patient>('PUT', `/api/patients/${id}/`, { body, headers: etag ? { 'if-match': etag } : {} })
    } catch (error) {
      throw staleOr(error, () => setStale(true))
    }
    setStale(false)
    await patient.reload()
    return 'Changes saved.'
  }
  const reload = async () => {
    setStale(false)
    await patient.reload()
    setRound((value) => value + 1)
  }

  return (
    <>
      <Heading>{record.name}</Heading>
      <p>
        <Link href="/console/patients/">Back to patients</Link>
      </p>
      <section aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <dl class="details">
          <dt>Date of birth</dt>
          <dd>
            {day(record.date_of_birth)} (age {record.age})
          </dd>
          <dt>Gender</dt>
          <dd>{labelOf(GENDER_LABELS, record.gender)}</dd>
          <dt>Email</dt>
          <dd>{record.email ?? '–'}</dd>
          <dt>Phone number</dt>
          <dd>{phone(record.phone_number)}</dd>
          <dt>Address</dt>
          <dd>{record.address ?? '–'}</dd>
          <dt>Blood group</dt>
          <dd>{labelOf(BLOOD_GROUP_LABELS, record.blood_group)}</dd>
          {/* The API leaves the field out for a role that may not see it: then it has no row here at all. */}
          {record.medical_history !== undefined && (
            <>
              <dt>Medical history</dt>
              <dd class="pre">{record.medical_history ?? '–'}</dd>
            </>
          )}
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
        <PatientForm key={`${id}-${round}`} initial={fieldsOf(record)} submitLabel="Save changes" onSubmit={save} />
      </section>
      <PatientDoctorsSection id={id} patientName={record.name} />
      <History id={id} version={etag ?? ''} />
      <DeletePatient id={id} name={record.name} etag={etag} onStale={() => setStale(true)} />
    </>
  )
}
