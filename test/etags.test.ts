import { describe, expect, it } from 'vitest'
import { doctorRow, assignmentRow, patientRow } from './db'
import { clinic as anyClinic, createDoctor, createPatient, send, signedInUser } from './helpers'

const STRONG_ETAG = /^"[^"]+"$/

const ROWS = { patients: patientRow, doctors: doctorRow, mappings: assignmentRow }
const row = (table: keyof typeof ROWS, id: number) => ROWS[table](id)

/** A signed-in user with a patient, a doctor they added, and the assignment between them. */
const clinic = () => anyClinic({ assigned: true })

const etagOf = async (path: string, token: string) => (await send('GET', path, { token })).headers.get('etag')!

describe('Patients: ETag', () => {
  it('comes with create, read and update as a strong, quoted validator that changes with every update', async () => {
    const user = await signedInUser()
    const created = await send('POST', '/api/patients/', { token: user.access, body: { name: 'Tag', date_of_birth: '1990-01-01', gender: 'male' } })
    const path = `/api/patients/${created.body.id}/`
    const read = await send('GET', path, { token: user.access })
    expect(created.headers.get('etag')).toMatch(STRONG_ETAG)
    expect(read.headers.get('etag')).toBe(created.headers.get('etag'))
    const patched = await send('PATCH', path, { token: user.access, body: { name: 'Tag Two' } })
    const put = await send('PUT', path, { token: user.access, body: { name: 'Tag Three', date_of_birth: '1990-01-01', gender: 'male' } })
    expect(patched.headers.get('etag')).toMatch(STRONG_ETAG)
    expect(new Set([created.headers.get('etag'), patched.headers.get('etag'), put.headers.get('etag')]).size).toBe(3)
    expect(await etagOf(path, user.access)).toBe(put.headers.get('etag'))
    expect(read.body).not.toHaveProperty('version')
  })
})

describe('Patients: If-None-Match', () => {
  it('answers 304 with no body and the ETag while the patient is unchanged, 200 once it changed', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const path = `/api/patients/${patient.id}/`
    const etag = await etagOf(path, user.access)
    for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const cached = await send('GET', path, { token: user.access, headers: { 'if-none-match': header } })
      expect(cached.status).toBe(304)
      expect(cached.body).toBeNull()
      expect(cached.headers.get('etag')).toBe(etag)
    }
    await send('PATCH', path, { token: user.access, body: { name: 'Changed' } })
    const fresh = await send('GET', path, { token: user.access, headers: { 'if-none-match': etag } })
    expect(fresh.status).toBe(200)
    expect(fresh.body.name).toBe('Changed')
  })

  it("still answers another user's patient with 404", async () => {
    const owner = await signedInUser()
    const other = await signedInUser()
    const patient = await createPatient(owner.access)
    const response = await send('GET', `/api/patients/${patient.id}/`, { token: other.access, headers: { 'if-none-match': '*' } })
    expect(response.status).toBe(404)
  })
})

describe('Patients: If-Match', () => {
  it('refuses a stale ETag with 412 precondition_failed and leaves the row unchanged (PATCH, PUT, DELETE)', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access, { name: 'Original' })
    const path = `/api/patients/${patient.id}/`
    const stale = await etagOf(path, user.access)
    await send('PATCH', path, { token: user.access, body: { name: 'Moved On' } })
    const before = await row('patients', patient.id)
    const attempts = [
      await send('PATCH', path, { token: user.access, headers: { 'if-match': stale }, body: { name: 'Overwrite' } }),
      await send('PUT', path, { token: user.access, headers: { 'if-match': stale }, body: { name: 'Overwrite', date_of_birth: '1990-01-01', gender: 'male' } }),
      await send('PATCH', path, { token: user.access, headers: { 'if-match': stale }, body: {} }),
      await send('DELETE', path, { token: user.access, headers: { 'if-match': stale } }),
    ]
    for (const response of attempts) {
      expect(response.status).toBe(412)
      expect(response.body).toEqual({ error: expect.any(String), code: 'precondition_failed' })
    }
    expect(await row('patients', patient.id)).toEqual(before)
    expect(before).toMatchObject({ name: 'Moved On', version: 2 })
  })

  it('applies the change with the current ETag, bumping the version, and answers the new ETag', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const path = `/api/patients/${patient.id}/`
    const current = await etagOf(path, user.access)
    const patched = await send('PATCH', path, { token: user.access, headers: { 'if-match': current }, body: { name: 'Fresh' } })
    expect(patched.status).toBe(200)
    expect(patched.headers.get('etag')).not.toBe(current)
    expect(await row('patients', patient.id)).toMatchObject({ name: 'Fresh', version: 2 })
    const listed = await send('PATCH', path, { token: user.access, headers: { 'if-match': `"0", ${patched.headers.get('etag')}` }, body: { name: 'Listed' } })
    expect(listed.status).toBe(200)
    const removed = await send('DELETE', path, { token: user.access, headers: { 'if-match': listed.headers.get('etag')! } })
    expect(removed.status).toBe(204)
    expect(await row('patients', patient.id)).toBeNull()
  })

  it('keeps an empty PATCH with the current ETag a no-op', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const path = `/api/patients/${patient.id}/`
    const current = await etagOf(path, user.access)
    const response = await send('PATCH', path, { token: user.access, headers: { 'if-match': current }, body: {} })
    expect(response.status).toBe(200)
    expect(response.headers.get('etag')).toBe(current)
    expect(await row('patients', patient.id)).toMatchObject({ version: 1, updated_at: patient.updated_at })
  })

  it('matches any version with *, and works as before without If-Match', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const path = `/api/patients/${patient.id}/`
    await send('PATCH', path, { token: user.access, body: { name: 'No Header' } })
    const star = await send('PATCH', path, { token: user.access, headers: { 'if-match': '*' }, body: { name: 'Star' } })
    expect(star.status).toBe(200)
    expect(await row('patients', patient.id)).toMatchObject({ name: 'Star', version: 3 })
    const missing = await send('PATCH', '/api/patients/987654321/', { token: user.access, headers: { 'if-match': '*' }, body: { name: 'Ghost' } })
    expect(missing.status).toBe(404)
  })

  it('treats a malformed or weak If-Match as not matching (412)', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const path = `/api/patients/${patient.id}/`
    const current = await etagOf(path, user.access)
    for (const header of ['1', current.slice(1), `W/${current}`, '"abc"', '"1.1.1"', `${current}, junk`, '"-1"']) {
      const response = await send('PATCH', path, { token: user.access, headers: { 'if-match': header }, body: { name: 'Nope' } })
      expect({ header, status: response.status }).toEqual({ header, status: 412 })
    }
    expect(await row('patients', patient.id)).toMatchObject({ version: 1, name: 'Grace Hopper' })
  })

  it("answers another user's patient with 404, not 412, whatever the ETag", async () => {
    const owner = await signedInUser()
    const other = await signedInUser()
    const patient = await createPatient(owner.access)
    const response = await send('PATCH', `/api/patients/${patient.id}/`, { token: other.access, headers: { 'if-match': '"99"' }, body: { name: 'X' } })
    expect(response.status).toBe(404)
  })

  it('lets exactly one of two concurrent PATCHes with the same ETag win', async () => {
    const user = await signedInUser()
    const patient = await createPatient(user.access)
    const path = `/api/patients/${patient.id}/`
    const [first, second] = await Promise.all([etagOf(path, user.access), etagOf(path, user.access)])
    expect(first).toBe(second)
    const answers = await Promise.all([
      send('PATCH', path, { token: user.access, headers: { 'if-match': first }, body: { name: 'Client A' } }),
      send('PATCH', path, { token: user.access, headers: { 'if-match': second }, body: { name: 'Client B' } }),
    ])
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 412])
    const winner = answers.find((answer) => answer.status === 200)!
    expect(await row('patients', patient.id)).toMatchObject({ name: winner.body.name, version: 2 })
  })
})

describe('Doctors: ETag and preconditions', () => {
  it('sends the ETag on create, read and update, and 304 for a matching If-None-Match', async () => {
    const { token, doctor } = await clinic()
    const path = `/api/doctors/${doctor.id}/`
    const created = await send('POST', '/api/doctors/', { token, body: { name: 'Dr. Tag', specialization: 'Oncology' } })
    expect(created.headers.get('etag')).toMatch(STRONG_ETAG)
    const etag = await etagOf(path, token)
    const cached = await send('GET', path, { token, headers: { 'if-none-match': etag } })
    expect([cached.status, cached.body, cached.headers.get('etag')]).toEqual([304, null, etag])
    const patched = await send('PATCH', path, { token, headers: { 'if-match': etag }, body: { experience_years: 3 } })
    expect(patched.status).toBe(200)
    expect(patched.headers.get('etag')).not.toBe(etag)
    expect(await row('doctors', doctor.id)).toMatchObject({ experience_years: 3, version: 2 })
  })

  it('refuses a stale If-Match with 412 on PUT, PATCH and DELETE, changing nothing', async () => {
    const user = await signedInUser()
    const doctor = await createDoctor(user.access)
    const path = `/api/doctors/${doctor.id}/`
    const stale = await etagOf(path, user.access)
    await send('PATCH', path, { token: user.access, body: { name: 'Dr. Newer' } })
    const before = await row('doctors', doctor.id)
    const answers = [
      await send('PUT', path, { token: user.access, headers: { 'if-match': stale }, body: { name: 'Dr. Old', specialization: 'Surgery' } }),
      await send('PATCH', path, { token: user.access, headers: { 'if-match': stale }, body: { name: 'Dr. Old' } }),
      await send('DELETE', path, { token: user.access, headers: { 'if-match': stale } }),
    ]
    expect(answers.map((answer) => [answer.status, answer.body.code])).toEqual(Array(3).fill([412, 'precondition_failed']))
    expect(await row('doctors', doctor.id)).toEqual(before)
  })

  it('keeps 403 for another user and 409 for an assigned doctor ahead of 412', async () => {
    const { token, doctor } = await clinic()
    const other = await signedInUser()
    const path = `/api/doctors/${doctor.id}/`
    expect((await send('PATCH', path, { token: other.access, headers: { 'if-match': '"99"' }, body: { name: 'X' } })).status).toBe(403)
    expect((await send('DELETE', path, { token, headers: { 'if-match': '"99"' } })).status).toBe(409)
    expect(await row('doctors', doctor.id)).toMatchObject({ version: 1 })
  })

  it('lets exactly one of two concurrent PATCHes with the same ETag win', async () => {
    const user = await signedInUser()
    const doctor = await createDoctor(user.access)
    const path = `/api/doctors/${doctor.id}/`
    const etag = await etagOf(path, user.access)
    const answers = await Promise.all(
      ['Dr. A', 'Dr. B'].map((name) => send('PATCH', path, { token: user.access, headers: { 'if-match': etag }, body: { name } })),
    )
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 412])
    expect(await row('doctors', doctor.id)).toMatchObject({ version: 2 })
  })
})

describe('Mappings: ETag and preconditions', () => {
  it('sends the ETag on create, read and update, and 304 for a matching If-None-Match', async () => {
    const { token, assignment } = await clinic()
    const path = `/api/mappings/${assignment.id}/`
    const etag = await etagOf(path, token)
    expect(etag).toMatch(STRONG_ETAG)
    const cached = await send('GET', path, { token, headers: { 'if-none-match': etag } })
    expect([cached.status, cached.body, cached.headers.get('etag')]).toEqual([304, null, etag])
    const patched = await send('PATCH', path, { token, headers: { 'if-match': etag }, body: { notes: 'Tagged' } })
    expect(patched.status).toBe(200)
    expect(patched.headers.get('etag')).not.toBe(etag)
    expect(await etagOf(path, token)).toBe(patched.headers.get('etag'))
    expect(await row('mappings', assignment.id)).toMatchObject({ notes: 'Tagged', version: 2 })
  })

  it("changes when the patient or doctor it shows changes, so a 304 never serves their old fields", async () => {
    const { token, patient, doctor, assignment } = await clinic()
    const path = `/api/mappings/${assignment.id}/`
    const before = await etagOf(path, token)
    await send('PATCH', `/api/patients/${patient.id}/`, { token, body: { name: 'Renamed Patient' } })
    const afterPatient = await send('GET', path, { token, headers: { 'if-none-match': before } })
    expect(afterPatient.status).toBe(200)
    expect(afterPatient.body.patient_name).toBe('Renamed Patient')
    await send('PATCH', `/api/doctors/${doctor.id}/`, { token, body: { name: 'Dr. Renamed' } })
    expect((await send('GET', path, { token, headers: { 'if-none-match': afterPatient.headers.get('etag')! } })).status).toBe(200)
  })

  it('refuses a stale If-Match with 412 on PUT, PATCH and DELETE, changing nothing', async () => {
    const { token, assignment } = await clinic()
    const path = `/api/mappings/${assignment.id}/`
    const stale = await etagOf(path, token)
    await send('PATCH', path, { token, body: { notes: 'Newer' } })
    const before = await row('mappings', assignment.id)
    const answers = [
      await send('PUT', path, { token, headers: { 'if-match': stale }, body: { notes: 'Old' } }),
      await send('PATCH', path, { token, headers: { 'if-match': stale }, body: { is_active: false } }),
      await send('DELETE', path, { token, headers: { 'if-match': stale } }),
    ]
    expect(answers.map((answer) => [answer.status, answer.body.code])).toEqual(Array(3).fill([412, 'precondition_failed']))
    expect(await row('mappings', assignment.id)).toEqual(before)
    const current = await etagOf(path, token)
    expect((await send('DELETE', path, { token, headers: { 'if-match': current } })).status).toBe(204)
  })

  it('lets exactly one of two concurrent PATCHes with the same ETag win', async () => {
    const { token, assignment } = await clinic()
    const path = `/api/mappings/${assignment.id}/`
    const etag = await etagOf(path, token)
    const answers = await Promise.all(['A', 'B'].map((notes) => send('PATCH', path, { token, headers: { 'if-match': etag }, body: { notes } })))
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 412])
    expect(await row('mappings', assignment.id)).toMatchObject({ version: 2 })
  })
})

describe('OpenAPI document', () => {
  it('documents ETag, If-Match, If-None-Match, 304 and 412 on the versioned routes', async () => {
    const { body } = await send('GET', '/api/openapi.json')
    for (const resource of ['patients', 'doctors', 'mappings']) {
      const item = body.paths[`/api/${resource}/{id}`] ?? body.paths[`/api/${resource}/{id}/`]
      const headerParams = (operation: { parameters: { in: string; name: string }[] }) =>
        operation.parameters.filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name.toLowerCase())
      expect(headerParams(item.get)).toContain('if-none-match')
      expect(item.get.responses['304']).toBeDefined()
      expect(item.get.responses['200'].headers).toHaveProperty('ETag')
      for (const method of ['put', 'patch', 'delete']) {
        expect(headerParams(item[method])).toContain('if-match')
        expect(item[method].responses['412']).toBeDefined()
      }
      expect((body.paths[`/api/${resource}`] ?? body.paths[`/api/${resource}/`]).post.responses['201'].headers).toHaveProperty('ETag')
    }
    expect((body.paths['/api/patients/{id}/history'] ?? body.paths['/api/patients/{id}/history/']).get.responses['200']).toBeDefined()
  })
})
