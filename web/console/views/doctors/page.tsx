import { useState } from 'preact/hooks'
import { RequestFailed, request } from '../../api'
import { ConfirmButton } from '../../confirm'
import { fee, phone, when, yesNo } from '../../format'
import { Link, navigate } from '../../router'
import type { Doctor, User } from '../../types'
import { Alert, Feedback, Heading, useLoad } from '../../ui'
import { DoctorForm } from './form'

/** One doctor: every public field; edit and delete for the user who added it. */
export function DoctorPage({ id, user }: { id: string; user: User }) {
  const doctor = useLoad(() => request<Doctor>('GET', `/api/doctors/${id}/`), `doctor-${id}`)
  // Bumped only when the user asks for the current record: the form then starts again from it.
  const [round, setRound] = useState(0)
  const [error, setError] = useState<unknown>(null)

  if (doctor.error) {
    return (
      <>
        <Heading>Doctor</Heading>
        <Alert error={doctor.error} />
        <Link href="/console/doctors/">Back to doctors</Link>
      </>
    )
  }
  if (!doctor.data) return <p aria-busy="true">Loading the doctor…</p>
  const { data: record, etag } = doctor.data
  const mine = record.created_by === user.id

  const saved = async () => {
    await doctor.reload()
    return 'Changes saved.'
  }
  const remove = async () => {
    setError(null)
    try {
      await request('DELETE', `/api/doctors/${id}/`, { headers: etag ? { 'if-match': etag } : {} })
      navigate('/console/doctors/')
    } catch (caught) {
      setError(
        caught instanceof RequestFailed && caught.status === 409
          ? new RequestFailed(409, caught.code, `${record.name} still has assignments: remove them first. ${caught.message}`)
          : caught,
      )
    }
  }

  return (
    <>
      <Heading>{record.name}</Heading>
      <p>
        <Link href="/console/doctors/">Back to doctors</Link>
      </p>
      <section aria-labelledby="doctor-details-heading">
        <h2 id="doctor-details-heading">Details</h2>
        <dl class="details">
          <dt>Specialization</dt>
          <dd>{record.specialization}</dd>
          <dt>Available</dt>
          <dd>{yesNo(record.is_available)}</dd>
          <dt>Qualification</dt>
          <dd>{record.qualification ?? '–'}</dd>
          <dt>Experience</dt>
          <dd>{record.experience_years === null ? '–' : `${record.experience_years} years`}</dd>
          <dt>License number</dt>
          <dd>{record.license_number ?? '–'}</dd>
          <dt>Consultation fee</dt>
          <dd>{fee(record.consultation_fee)}</dd>
          <dt>Email</dt>
          <dd>{record.email ?? '–'}</dd>
          <dt>Phone number</dt>
          <dd>{phone(record.phone_number)}</dd>
          <dt>Clinic address</dt>
          <dd>{record.clinic_address ?? '–'}</dd>
          <dt>Added</dt>
          <dd>{when(record.created_at)}</dd>
          <dt>Last changed</dt>
          <dd>{when(record.updated_at)}</dd>
        </dl>
      </section>
      {mine && (
        <>
          <section aria-labelledby="doctor-edit-heading">
            <h2 id="doctor-edit-heading">Edit doctor</h2>
            <DoctorForm key={`${id}-${round}`} doctor={record} etag={etag} onSaved={saved} />
            <button type="button" onClick={() => doctor.reload().then(() => setRound((value) => value + 1))}>
              Reload doctor
            </button>
          </section>
          <section aria-labelledby="doctor-delete-heading">
            <h2 id="doctor-delete-heading">Delete doctor</h2>
            <ConfirmButton
              danger
              question={`Delete ${record.name}?`}
              consequence={`${record.name} leaves the directory for everyone. A doctor with assignments cannot be deleted.`}
              confirm={`Delete ${record.name}`}
              onConfirm={remove}
            >
              Delete doctor
            </ConfirmButton>
            <Feedback error={error} />
          </section>
        </>
      )}
    </>
  )
}
