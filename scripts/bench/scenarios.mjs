// What the bench requests, and the targets for each. A scenario is one autocannon request;
// its `setupRequest` runs before every request, so ids cycle and write bodies never repeat across
// connections, the warm-up and the runs (no write is a 409).
import { MEASURED } from './seed.mjs'

/** Path the second Worker (pbkdf2-worker.js) is routed on, inside the same Miniflare instance. */
export const PBKDF2_PATH = '/__bench/pbkdf2'
/** Path the third Worker (bare-worker.js, a constant answer) is routed on: the tail reference. */
export const BARE_PATH = '/__bench/bare'

/**
 * Throughput targets as a ratio of a reference scenario measured in the same run at the same
 * concurrency, judged at TARGET_CONNECTIONS (other concurrencies are reported, not judged).
 */
export const TARGETS = {
  read: { reference: 'd1_floor', min: 0.8, label: 'req/s ≥ 0.8 × d1_floor' },
  list: { reference: 'd1_floor', min: 0.6, label: 'req/s ≥ 0.6 × d1_floor' },
  write: { reference: 'd1_floor', min: 0.5, label: 'req/s ≥ 0.5 × d1_floor' },
  login: { reference: 'pbkdf2', min: 1 / 1.2, label: 'cost ≤ 1.2 × pbkdf2' },
}
export const TARGET_CONNECTIONS = 16

/** Every disclosed read is in D1 within this long after its load stops (the audit queue's consumer keeps up). */
export const MAX_AUDIT_LAG_MS = 5000
/** The audit actions a `discloses` scenario writes, one event per answer. */
export const DISCLOSURE_ACTIONS = ['patient.read', 'patient.list']

/** @type {<T>(items: T[]) => () => T} */
const cycle = (items) => {
  let next = 0
  return () => items[next++ % items.length]
}

const auth = (/** @type {SeedData} */ data) => ({ authorization: `Bearer ${data.token}` })
const json = { 'content-type': 'application/json' }

/** @typedef {Awaited<ReturnType<typeof import('./seed.mjs').seed>>} SeedData */
/**
 * `discloses`: each 200 answer puts one event (an action of DISCLOSURE_ACTIONS) on the audit queue.
 * @typedef {{ name: string, target?: keyof typeof TARGETS, discloses?: boolean, request: (data: SeedData) => import('autocannon').Request }} Scenario
 */

/**
 * The scenarios in the order they run. `request(data)` is called once per scenario with what
 * `seed()` returned, and its result is reused by the warm-up and every concurrency.
 * @type {Scenario[]}
 */
export const SCENARIOS = [
  { name: 'bare', request: () => ({ path: BARE_PATH }) },
  { name: 'baseline', request: () => ({ path: '/api/health/live/' }) },
  { name: 'd1_floor', request: () => ({ path: '/api/health/' }) },
  {
    name: 'get_patient',
    target: 'read',
    discloses: true,
    request: (data) => {
      const patient = cycle(data.patientIds)
      return { headers: auth(data), setupRequest: (req) => ({ ...req, path: `/api/patients/${patient()}/` }) }
    },
  },
  {
    name: 'list_patients',
    target: 'list',
    discloses: true,
    request: (data) => ({ headers: auth(data), path: '/api/patients/?gender=female&ordering=name&page_size=20' }),
  },
  {
    name: 'patient_doctors',
    target: 'list',
    discloses: true,
    request: (data) => {
      const patient = cycle(data.mappedPatientIds)
      return { headers: auth(data), setupRequest: (req) => ({ ...req, path: `/api/patients/${patient()}/doctors/` }) }
    },
  },
  { name: 'list_doctors', target: 'list', request: (data) => ({ headers: auth(data), path: '/api/doctors/?search=card' }) },
  {
    name: 'create_patient',
    target: 'write',
    request: (data) => {
      let created = 0
      return {
        method: 'POST',
        path: '/api/patients/',
        headers: { ...auth(data), ...json },
        setupRequest: (req) => {
          const n = ++created
          const body = { name: `New Patient ${n}`, date_of_birth: '1984-06-01', gender: 'other', email: `new${n}@patients.bench.test`, blood_group: 'O+' }
          return { ...req, body: JSON.stringify(body) }
        },
      }
    },
  },
  {
    name: 'create_mapping',
    target: 'write',
    request: (data) => {
      const pairs = data.unassignedPairs()
      return {
        method: 'POST',
        path: '/api/mappings/',
        headers: { ...auth(data), ...json },
        setupRequest: (req) => {
          const pair = pairs.next()
          if (pair.done) throw new Error('create_mapping ran out of unassigned (patient, doctor) pairs')
          return { ...req, body: JSON.stringify(pair.value) }
        },
      }
    },
  },
  { name: 'pbkdf2', request: () => ({ path: PBKDF2_PATH }) },
  {
    name: 'login',
    target: 'login',
    request: () => ({ method: 'POST', path: '/api/auth/login/', headers: json, body: JSON.stringify({ email: MEASURED.email, password: MEASURED.password }) }),
  },
]
