import { useState } from 'preact/hooks'
import { FLAGS } from '../../../../src/core/enums'
import { AVAILABILITY_LABELS, fee, yesNo } from '../../format'
import { ListFooter, useList } from '../../list'
import { Link } from '../../router'
import type { Doctor } from '../../types'
import { Alert, Feedback, Heading, Options, SelectField, Table, TextField } from '../../ui'
import { DoctorForm } from './form'

export function Doctors() {
  const list = useList<Doctor, 'search' | 'is_available'>({
    endpoint: '/api/doctors/',
    filters: ['search', 'is_available'],
    ordering: '-created_at',
  })
  const { data } = list
  const [adding, setAdding] = useState(false)
  const [notice, setNotice] = useState('')
  const added = async (doctor: Doctor) => {
    setAdding(false)
    setNotice(`${doctor.name} added.`)
    await data.reload()
    return ''
  }

  return (
    <>
      <Heading>Doctors</Heading>
      {adding ? (
        <DoctorForm doctor={null} etag={null} onSaved={added} onCancel={() => setAdding(false)} />
      ) : (
        <p>
          <button type="button" onClick={() => setAdding(true)}>
            Add a doctor
          </button>
        </p>
      )}
      <Feedback notice={notice} />
      <form role="search" class="filters" aria-label="Filter doctors" onSubmit={(event) => event.preventDefault()}>
        <TextField
          label="Search"
          type="search"
          value={list.search}
          placeholder="Name or specialization"
          onInput={(event) => list.setSearch(event.currentTarget.value)}
        />
        <SelectField
          label="Availability"
          value={list.filters.is_available}
          onChange={(event) => list.filter({ is_available: event.currentTarget.value })}
        >
          <option value="">Any</option>
          <Options values={FLAGS} labels={AVAILABILITY_LABELS} />
        </SelectField>
      </form>
      <Alert error={data.error} />
      {data.data && (
        <>
          <Table
            caption="Doctor directory"
            columns={[
              { label: 'Name', sort: 'name' },
              'Specialization',
              { label: 'Experience (years)', sort: 'experience_years' },
              { label: 'Fee', sort: 'consultation_fee' },
              'Available',
            ]}
            rows={data.data.results}
            rowKey={(doctor) => doctor.id}
            cells={(doctor) => [
              <Link href={`/console/doctors/${doctor.id}`}>{doctor.name}</Link>,
              doctor.specialization,
              doctor.experience_years ?? '–',
              fee(doctor.consultation_fee),
              yesNo(doctor.is_available),
            ]}
            busy={data.loading}
            ordering={list.ordering}
            onSort={list.setOrdering}
          />
          {data.data.count === 0 && <p>No doctors match.</p>}
          <ListFooter list={list} what="doctors" />
        </>
      )}
    </>
  )
}

