import { hc } from 'hono/client'
import { describe, expect, it } from 'vitest'
import type { AppType } from '../src/index'
import { BASE, dispatch, randomIp, uniqueEmail } from './helpers'

/** The typed client callers get from `hono/client`, wired to the Worker under test through the harness. */
const client = (token?: string) =>
  hc<AppType>(BASE, {
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => (await dispatch(new Request(input, init))).response,
    headers: () => ({ 'cf-connecting-ip': randomIp(), ...(token ? { authorization: `Bearer ${token}` } : {}) }),
  })

describe('typed client (hono/client)', () => {
  it('registers, logs in, creates a patient and a doctor, assigns them and lists', async () => {
    const email = uniqueEmail('typed')
    const registered = await client().api.auth.register.$post({ json: { name: 'Typed Client', email, password: 'Sturdy-Kettle-42' } })
    expect(registered.status).toBe(201)
    if (registered.status !== 201) return
    expect((await registered.json()).user.email).toBe(email)

    const signedIn = await client().api.auth.login.$post({ json: { email, password: 'Sturdy-Kettle-42' } })
    expect(signedIn.status).toBe(200)
    if (signedIn.status !== 200) return
    const { access } = await signedIn.json()
    const api = client(access).api

    const patientResponse = await api.patients.$post({ json: { name: 'Typed Patient', date_of_birth: '1990-05-01', gender: 'other' } })
    expect(patientResponse.status).toBe(201)
    if (patientResponse.status !== 201) return
    const patient = await patientResponse.json()

    const doctorResponse = await api.doctors.$post({ json: { name: 'Dr. Typed', specialization: 'Cardiology', consultation_fee: '99.50' } })
    expect(doctorResponse.status).toBe(201)
    if (doctorResponse.status !== 201) return
    const doctor = await doctorResponse.json()
    expect(doctor.consultation_fee).toBe('99.50')

    const assigned = await api.mappings.$post({ json: { patient: patient.id, doctor: doctor.id } })
    expect(assigned.status).toBe(201)

    const list = await api.mappings.$get({ query: { patient: String(patient.id) } })
    expect(list.status).toBe(200)
    if (list.status !== 200) return
    const page = await list.json()
    expect(page.results.map((assignment) => [assignment.patient_name, assignment.doctor_name])).toEqual([['Typed Patient', 'Dr. Typed']])

    const doctors = await api.patients[':patient_id'].doctors.$get({ param: { patient_id: String(patient.id) } })
    expect(doctors.status).toBe(200)
    if (doctors.status !== 200) return
    expect((await doctors.json()).doctors.map((entry) => entry.name)).toEqual(['Dr. Typed'])
  })
})
