import createClient from 'openapi-fetch'
import { describe, expect, it } from 'vitest'
import type { paths } from './generated/api'
import { BASE, dispatch, GOOD_PASSWORD, randomIp, uniqueEmail } from './helpers'

/**
 * A client generated from the OpenAPI document alone (`npm run openapi:types` writes
 * test/generated/api.d.ts; `npm run lint:openapi` fails when it is out of date), so a route or a
 * field the document gets wrong fails here, in the type check or at run time.
 */
const client = (token?: string) =>
  createClient<paths>({
    baseUrl: BASE,
    fetch: async (request) => (await dispatch(request)).response,
    headers: { 'cf-connecting-ip': randomIp(), ...(token ? { authorization: `Bearer ${token}` } : {}) },
  })

describe('client generated from the OpenAPI document (openapi-typescript + openapi-fetch)', () => {
  it('registers, logs in, creates a patient, reads it and lists patients', async () => {
    const email = uniqueEmail('openapi')
    const registered = await client().POST('/api/auth/register', { body: { name: 'Generated Client', email, password: GOOD_PASSWORD } })
    expect(registered.response.status).toBe(201)
    expect(registered.data?.user.email).toBe(email)

    const signedIn = await client().POST('/api/auth/login', { body: { email, password: GOOD_PASSWORD } })
    expect(signedIn.response.status).toBe(200)
    const access = signedIn.data!.access
    expect(signedIn.data?.token_type).toBe('Bearer')
    const api = client(access)

    const created = await api.POST('/api/patients', {
      body: { name: 'Generated Patient', date_of_birth: '1990-05-01', gender: 'other', phone_number: null, email: null },
    })
    expect(created.response.status).toBe(201)
    const patient = created.data!
    expect(patient).toMatchObject({ name: 'Generated Patient', phone_number: null, email: null, blood_group: null })
    expect(created.response.headers.get('location')).toBe(`/api/patients/${patient.id}/`)

    const read = await api.GET('/api/patients/{id}', { params: { path: { id: patient.id } } })
    expect(read.response.status).toBe(200)
    expect(read.data).toEqual(patient)
    expect(read.response.headers.get('etag')).toBeTruthy()

    const listed = await api.GET('/api/patients', { params: { query: { search: 'Generated Patient', page_size: 10 } } })
    expect(listed.response.status).toBe(200)
    expect(listed.data?.count).toBe(1)
    expect(listed.data?.results.map((item) => item.id)).toEqual([patient.id])

    const doctor = await api.POST('/api/doctors', {
      body: { name: 'Dr. Generated', specialization: 'Cardiology', consultation_fee: 99.5, email: null },
    })
    expect(doctor.response.status).toBe(201)
    expect(doctor.data?.consultation_fee).toBe('99.50')

    const refused = await client().GET('/api/patients/{id}', { params: { path: { id: patient.id } } })
    expect(refused.response.status).toBe(401)
    expect(refused.error?.code).toBeTruthy()
  })
})
