import { request, get } from '../api'
import { when } from '../format'
import { Submit, useForm } from '../form'
import { ListFooter, useList } from '../list'
import { ConfirmButton } from '../confirm'
import { Link } from '../router'
import type { Assignment, Doctor, Page, Patient } from '../types'
import { ACTIONS, Alert, Feedback, Heading, SelectField, Table, TextField, useLoad } from '../ui'
import { useState } from 'preact/hooks'

/** Assign a doctor to one of your patients, and remove assignments. */
export function Assignments() {
  const list = useList<Assignment, never>({ endpoint: '/api/mappings/', filters: [] })
  const { data } = list
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
  const form = useForm({ patient: new URLSearchParams(location.search).get('patient') ?? '', doctor: '', notes: '' }, async (fields) => {
    const { data: created } = await request<Assignment>('POST', '/api/mappings/', {
      body: { patient: Number(fields.patient), doctor: Number(fields.doctor), notes: fields.notes || null },
    })
    form.reset({ ...fields, notes: '' })
    data.reload()
    return `${created.doctor_name} assigned to ${created.patient_name}.`
  })
  const remove = async (mapping: Assignment) => {
    setError(null)
    setNotice('')
    try {
      await request('DELETE', `/api/mappings/${mapping.id}/`)
      await data.reload()
      setNotice(`${mapping.doctor_name} is no longer assigned to ${mapping.patient_name}.`)
    } catch (caught) {
      setError(caught)
    }
  }

  return (
    <>
      <Heading>Assignments</Heading>
      <Alert error={choices.error} />
      <form class="record" aria-label="Assign a doctor" onSubmit={form.onSubmit} ref={form.formRef} noValidate>
        <h2>Assign a doctor</h2>
        <SelectField label="Patient" {...form.text('patient')} required>
          <option value="">Choose a patient…</option>
          {choices.data?.[0].results.map((item) => (
            <option key={item.id} value={String(item.id)}>
              {item.name} ({item.date_of_birth})
            </option>
          ))}
        </SelectField>
        <SelectField label="Doctor" {...form.text('doctor')} required>
          <option value="">Choose a doctor…</option>
          {choices.data?.[1].results.map((item) => (
            <option key={item.id} value={String(item.id)}>
              {item.name} ({item.specialization})
            </option>
          ))}
        </SelectField>
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
            rowKey={(mapping) => mapping.id}
            cells={(mapping) => [
              <Link href={`/console/patients/${mapping.patient}`}>{mapping.patient_name}</Link>,
              `${mapping.doctor_name} (${mapping.doctor_specialization})`,
              mapping.notes ?? '–',
              when(mapping.assigned_at),
              <ConfirmButton
                label={`Remove ${mapping.doctor_name} from ${mapping.patient_name}`}
                question={`Remove ${mapping.doctor_name} from ${mapping.patient_name}?`}
                consequence="The assignment ends now; the audit history keeps it."
                confirm={`Remove ${mapping.doctor_name}`}
                onConfirm={() => remove(mapping)}
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
