import { get, query, request } from '../api'
import { Combobox, type Choice } from '../combobox'
import { day, when } from '../format'
import { Submit, useForm } from '../form'
import { ListFooter, useList } from '../list'
import { ConfirmButton } from '../confirm'
import { Link } from '../router'
import type { Assignment, Doctor, Page, Patient } from '../types'
import { ACTIONS, Alert, Feedback, Heading, Table, TextField, useLoad } from '../ui'
import { useState } from 'preact/hooks'

const PICKER_SIZE = 10

async function searchPatients(text: string): Promise<Choice[]> {
  const page = await get<Page<Patient>>(`/api/patients/${query({ search: text, ordering: 'name', page_size: PICKER_SIZE })}`)
  return page.results.map((patient) => ({ id: String(patient.id), label: patient.name, detail: `born ${day(patient.date_of_birth)}` }))
}

async function searchDoctors(text: string): Promise<Choice[]> {
  const page = await get<Page<Doctor>>(`/api/doctors/${query({ search: text, ordering: 'name', page_size: PICKER_SIZE })}`)
  return page.results.map((doctor) => ({
    id: String(doctor.id),
    label: doctor.name,
    detail: doctor.specialization,
    note: doctor.is_available ? undefined : 'not available',
  }))
}

/** Assign a doctor to one of your patients, and remove assignments. */
export function Assignments() {
  const list = useList<Assignment, never>({ endpoint: '/api/mappings/', filters: [] })
  const { data } = list
  const [notice, setNotice] = useState('')
  const [error, setError] = useState<unknown>(null)
  const preset = new URLSearchParams(location.search).get('patient') ?? ''
  // A link from a patient's page names the patient: the picker starts with it.
  const presetPatient = useLoad(() => (preset ? get<Patient>(`/api/patients/${preset}/`) : Promise.resolve(null)), `preset-${preset}`)
  const form = useForm({ patient: preset, doctor: '', notes: '' }, async (fields) => {
    const { data: created } = await request<Assignment>('POST', '/api/mappings/', {
      body: { patient: Number(fields.patient), doctor: Number(fields.doctor), notes: fields.notes || null },
    })
    form.reset({ ...fields, notes: '' })
    data.reload()
    return `${created.doctor_name} assigned to ${created.patient_name}.`
  })
  const remove = async (assignment: Assignment) => {
    setError(null)
    setNotice('')
    try {
      await request('DELETE', `/api/mappings/${assignment.id}/`)
      await data.reload()
      setNotice(`${assignment.doctor_name} is no longer assigned to ${assignment.patient_name}.`)
    } catch (caught) {
      setError(caught)
    }
  }

  return (
    <>
      <Heading>Assignments</Heading>
      <Alert error={presetPatient.error} />
      <form class="record" aria-label="Assign a doctor" onSubmit={form.onSubmit} ref={form.formRef} noValidate>
        <h2>Assign a doctor</h2>
        <Combobox
          label="Patient"
          name="patient"
          value={form.fields.patient}
          initialText={presetPatient.data ? `${presetPatient.data.name} (born ${day(presetPatient.data.date_of_birth)})` : ''}
          onPick={(patient) => form.set({ patient })}
          search={searchPatients}
          errors={form.text('patient').errors}
          placeholder="Type a name, email or phone"
        />
        <Combobox
          label="Doctor"
          name="doctor"
          value={form.fields.doctor}
          onPick={(doctor) => form.set({ doctor })}
          search={searchDoctors}
          errors={form.text('doctor').errors}
          placeholder="Type a name or specialization"
        />
        <TextField label="Notes" {...form.text('notes')} maxLength={1000} />
        <Submit form={form} label="Assign doctor" />
      </form>
      <section aria-labelledby="current-heading">
        <h2 id="current-heading">Current assignments</h2>
        <Feedback notice={notice} error={error} />
        <Alert error={data.error} />
        {data.data && (
        <>
          <Table
            caption="Assignments of your patients"
            columns={['Patient', 'Doctor', 'Notes', 'Assigned', ACTIONS]}
            rows={data.data.results}
            rowKey={(assignment) => assignment.id}
            cells={(assignment) => [
              <Link href={`/console/patients/${assignment.patient}`}>{assignment.patient_name}</Link>,
              `${assignment.doctor_name} (${assignment.doctor_specialization})`,
              assignment.notes ?? '–',
              when(assignment.assigned_at),
              <ConfirmButton
                label={`Remove ${assignment.doctor_name} from ${assignment.patient_name}`}
                question={`Remove ${assignment.doctor_name} from ${assignment.patient_name}?`}
                consequence="The assignment ends now; the audit history keeps it."
                confirm={`Remove ${assignment.doctor_name}`}
                onConfirm={() => remove(assignment)}
                danger
              >
                Remove
              </ConfirmButton>,
            ]}
            busy={data.loading}
          />
          {data.data.count === 0 && <p>No assignments yet.</p>}
          <ListFooter list={list} what="assignments" />
        </>
        )}
      </section>
    </>
  )
}
