import { BLOOD_GROUPS, GENDERS } from '../../../../src/core/enums'
import { BLOOD_GROUP_LABELS, day, GENDER_LABELS, labelOf, phone, when } from '../../format'
import { ListFooter, useList } from '../../list'
import { Link } from '../../router'
import type { Patient } from '../../types'
import { Alert, Heading, Options, SelectField, Table, TextField } from '../../ui'

export function PatientList() {
  const list = useList<Patient, 'search' | 'gender' | 'blood_group'>({
    endpoint: '/api/patients/',
    filters: ['search', 'gender', 'blood_group'],
    ordering: '-created_at',
  })
  const { data } = list
  return (
    <>
      <Heading>Patients</Heading>
      <p>
        <Link href="/console/patients/new">Add a patient</Link>
      </p>
      <form role="search" class="filters" aria-label="Filter patients" onSubmit={(event) => event.preventDefault()}>
        <TextField
          label="Search"
          type="search"
          value={list.search}
          onInput={(event) => list.setSearch(event.currentTarget.value)}
          placeholder="Name, email or phone"
        />
        <SelectField label="Gender" value={list.filters.gender} onChange={(event) => list.filter({ gender: event.currentTarget.value })}>
          <option value="">Any</option>
          <Options values={GENDERS} labels={GENDER_LABELS} />
        </SelectField>
        <SelectField
          label="Blood group"
          value={list.filters.blood_group}
          onChange={(event) => list.filter({ blood_group: event.currentTarget.value })}
        >
          <option value="">Any</option>
          <Options values={BLOOD_GROUPS} labels={BLOOD_GROUP_LABELS} />
        </SelectField>
      </form>
      <Alert error={data.error} />
      {data.data && (
        <>
          <Table
            caption="Your patients"
            columns={[
              { label: 'Name', sort: 'name' },
              { label: 'Date of birth', sort: 'date_of_birth' },
              'Age',
              'Gender',
              'Blood group',
              'Phone',
              { label: 'Added', sort: 'created_at' },
            ]}
            rows={data.data.results}
            rowKey={(patient) => patient.id}
            cells={(patient) => [
              <Link href={`/console/patients/${patient.id}`}>{patient.name}</Link>,
              day(patient.date_of_birth),
              patient.age,
              labelOf(GENDER_LABELS, patient.gender),
              labelOf(BLOOD_GROUP_LABELS, patient.blood_group),
              phone(patient.phone_number),
              when(patient.created_at),
            ]}
            busy={data.loading}
            ordering={list.ordering}
            onSort={list.setOrdering}
          />
          {data.data.count === 0 && <p>No patients match.</p>}
          <ListFooter list={list} what="patients" />
        </>
      )}
    </>
  )
}
