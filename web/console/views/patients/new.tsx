import { request } from '../../api'
import { navigate } from '../../router'
import type { Patient } from '../../types'
import { Heading } from '../../ui'
import { blank, PatientForm, type PatientBody } from './form'

export function NewPatient() {
  const create = async (body: PatientBody) => {
    const { data } = await request<Patient>('POST', '/api/patients/', { body })
    navigate(`/console/patients/${data.id}`)
  }
  return (
    <>
      <Heading>Add a patient</Heading>
      <PatientForm initial={blank} submitLabel="Add patient" onSubmit={create} />
    </>
  )
}
