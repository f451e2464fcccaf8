import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { recordingD1 } from './d1-wrapper'
import { createDoctor, createMapping, createPatient, send, signedInUser } from './helpers'

const TABLES = ['patients', 'doctors', 'mappings']
/** SQLite says `SCAN <table>` for a full table scan; `SCAN <table> USING [COVERING] INDEX` walks an index. */
const fullScan = (detail: string) => TABLES.some((table) => new RegExp(`^SCAN ${table}$`).test(detail.trim()))

let access = ''
let patientId = 0

beforeAll(async () => {
  const user = await signedInUser()
  access = user.access
  const patient = await createPatient(access, { email: 'plans@example.com', blood_group: 'O+' })
  const doctor = await createDoctor(access)
  await createMapping(access, patient.id, doctor.id)
  patientId = patient.id
})

const patientLists = [
  '',
  '?ordering=name',
  '?ordering=-name',
  '?ordering=created_at',
  '?ordering=date_of_birth',
  '?ordering=-date_of_birth',
  '?gender=female',
  '?gender=male&ordering=name',
  '?blood_group=O%2B',
  '?blood_group=O%2B&ordering=-date_of_birth',
  '?search=ada',
  '?search=555&gender=other&blood_group=A-&ordering=name',
].map((query) => `/api/patients/${query}`)

const doctorLists = [
  '',
  '?ordering=name',
  '?ordering=-experience_years',
  '?ordering=consultation_fee',
  '?ordering=created_at',
  '?specialization=cardiology',
  '?is_available=true',
  '?is_available=false&ordering=name',
  '?search=card',
  '?search=card&specialization=cardiology&is_available=true&ordering=-consultation_fee',
].map((query) => `/api/doctors/${query}`)

const mappingLists = ['', '?is_active=true', '?patient={patient}', '?doctor=1', '?patient={patient}&doctor=1&is_active=false'].map(
  (query) => `/api/mappings/${query}`,
)

describe('query plans of every list, filter and ordering', () => {
  it.each([...patientLists, ...doctorLists, ...mappingLists, '/api/mappings/patient/{patient}/', '/api/patients/{patient}/doctors/'])(
    'GET %s never scans a whole table',
    async (template) => {
      const d1 = recordingD1()
      const path = template.replaceAll('{patient}', String(patientId))
      const response = await send('GET', path, { token: access, env: { DB: d1.binding } })
      expect(response.status).toBe(200)
      const statements = d1.trips.flatMap((trip) => trip.sql.map((sql, index) => ({ sql, params: trip.params[index] })))
      expect(statements.length).toBeGreaterThan(0)
      for (const { sql, params } of statements) {
        const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .bind(...params)
          .all<{ detail: string }>()
        const scans = plan.results.map((row) => row.detail).filter(fullScan)
        expect({ sql, scans }).toEqual({ sql, scans: [] })
      }
    },
  )
})
