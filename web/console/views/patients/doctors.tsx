import { useState } from 'preact/hooks'
import { get, request } from '../../api'
import { when, yesNo } from '../../format'
import { Link } from '../../router'
import type { PatientDoctors } from '../../types'
import { ConfirmButton } from '../../confirm'
import { ACTIONS, Alert, Feedback, Table, useLoad } from '../../ui'

/** The doctors assigned to one patient, each removable. */
export function PatientDoctorsSection({ id, patientName }: { id: string; patientName: string }) {
  const doctors = useLoad(() => get<PatientDoctors>(`/api/patients/${id}/doctors/`), `doctors-${id}`)
  const [error, setError] = useState<unknown>(null)
  const [notice, setNotice] = useState('')
  const unassign = async (doctor: PatientDoctors['doctors'][number]) => {
    setError(null)
    setNotice('')
    try {
      await request('DELETE', `/api/mappings/${doctor.mapping_id}/`)
      await doctors.reload()
      setNotice(`${doctor.name} is no longer assigned.`)
    } catch (caught) {
      setError(caught)
    }
  }
  return (
    <section aria-labelledby="doctors-heading">
      <h2 id="doctors-heading">Doctors</h2>
      <Alert error={doctors.error} />
      <Feedback notice={notice} error={error} />
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
          cells={(doctor) => [
            doctor.name,
            doctor.specialization,
            when(doctor.assigned_at),
            yesNo(doctor.is_active),
            <ConfirmButton
              label={`Remove ${doctor.name}`}
              question={`Remove ${doctor.name} from ${patientName}?`}
              consequence="The assignment ends now; the audit history keeps it."
              confirm={`Remove ${doctor.name}`}
              onConfirm={() => unassign(doctor)}
              danger
            >
              Remove
            </ConfirmButton>,
          ]}
        />
      )}
    </section>
  )
}
