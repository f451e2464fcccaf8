import { request } from '../../api'
import { navigate } from '../../router'
import type { Patient } from '../../types'
import { Heading } from '../../ui'
import { blank, bodyOf, PatientForm, type PatientFields } from './form'

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
