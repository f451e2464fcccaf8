import { useState } from 'preact/hooks'
import { get, request } from '../../api'
import { when, yesNo } from '../../format'
import { Link } from '../../router'
import type { PatientDoctors } from '../../types'
import { ACTIONS, Alert, Table, useLoad } from '../../ui'

/** The doctors assigned to one patient, each removable. */
export function PatientDoctorsSection({ id }: { id: string }) {
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
          cells={(doctor) => [
            doctor.name,
            doctor.specialization,
            when(doctor.assigned_at),
            yesNo(doctor.is_active),
            <button type="button" aria-label={`Remove ${doctor.name}`} onClick={() => unassign(doctor.mapping_id)}>
              Remove
            </button>,
          ]}
        />
      )}
    </section>
  )
}
