// What the bench requests, and the targets for each. A scenario is one autocannon request;
// its `setupRequest` runs before every request, so ids cycle and write bodies never repeat across
// connections, the warm-up and the runs (no write is a 409).
import { MEASURED } from './seed.mjs'

/** Path the second Worker (pbkdf2-worker.js) is routed on, inside the same Miniflare instance. */
export const PBKDF2_PATH = '/__bench/pbkdf2'
/** Path the third Worker (bare-worker.js, a constant answer) is routed on: the tail reference. */
export const BARE_PATH = '/__bench/bare'
/** Path of read-floor-worker.js (`/__bench/read-floor/{id}`): an audited read doing only what is unavoidable. */
export const READ_FLOOR_PATH = '/__bench/read-floor'
/** Path of create-floor-worker.js: a create doing only what is unavoidable. */
export const CREATE_FLOOR_PATH = '/__bench/create-floor'

/**
 * Throughput targets as a ratio of a reference scenario measured in the same run at the same
 * concurrency, judged at TARGET_CONNECTIONS (other concurrencies are reported, not judged).
 */
export const TARGETS = {
  read: { reference: 'read_floor', min: 0.9, label: 'req/s ≥ 0.9 × read_floor' },
  clinic: { reference: 'get_patient', min: 0.95, label: 'req/s ≥ 0.95 × get_patient (within 5%)' },
  create: { reference: 'create_floor', min: 0.9, label: 'req/s ≥ 0.9 × create_floor' },
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

/**
 * A POST of a new patient each time, its email unique under `prefix` (the clinic's emails are UNIQUE).
 * @returns {import('autocannon').Request}
 */
const creating = (/** @type {SeedData} */ data, /** @type {string} */ path, /** @type {string} */ prefix) => {
  let created = 0
  return {
    method: 'POST',
    path,
    headers: { ...auth(data), ...json },
    setupRequest: (/** @type {import('autocannon').Request} */ req) => {
      const n = ++created
      const body = { name: `New Patient ${n}`, date_of_birth: '1984-06-01', gender: 'other', email: `${prefix}${n}@patients.bench.test`, blood_group: 'O+' }
      return { ...req, body: JSON.stringify(body) }
    },
  }
}

/** GETs of `path(id)`, cycling through `ids`, with `token`. */
const reading = (/** @type {string} */ token, /** @type {number[]} */ ids, /** @type {(id: number) => string} */ path) => {
  const next = cycle(ids)
  return { headers: { authorization: `Bearer ${token}` }, setupRequest: (/** @type {import('autocannon').Request} */ req) => ({ ...req, path: path(next()) }) }
}

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
  { name: 'read_floor', discloses: true, request: (data) => reading(data.token, data.patientIds, (id) => `${READ_FLOOR_PATH}/${id}`) },
  { name: 'get_patient', target: 'read', discloses: true, request: (data) => reading(data.token, data.patientIds, (id) => `/api/patients/${id}/`) },
  {
    name: 'get_patient_clinic',
    target: 'clinic',
    discloses: true,
    request: (data) => reading(data.clinicToken, data.clinicPatientIds, (id) => `/api/patients/${id}/`),
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
  { name: 'create_floor', request: (data) => creating(data, CREATE_FLOOR_PATH, 'floor') },
  { name: 'create_patient', target: 'create', request: (data) => creating(data, '/api/patients/', 'new') },
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
