// The bench data set: the measured user (registered through the API, so its password hash is real)
// with 1,000 patients, another user with 50,000, 200 doctors, and 3 doctors for 500 of the measured
// user's patients. Bulk rows are generated inside SQLite by recursive CTEs, sent as one batch: no
// bound parameters to count against D1's limit of 100, and no 51,000-row literal to build.

export const MEASURED = { name: 'Bench Clinician', email: 'bench@bench.test', password: 'Bench-Kettle-2026!' }

const SIZES = { ownPatients: 1_000, otherPatients: 50_000, doctors: 200, mappedPatients: 500, doctorsPerPatient: 3 }
const SPECIALIZATIONS = ['Cardiology', 'Neurology', 'Pediatrics', 'Orthopedics', 'Dermatology', 'Oncology', 'General Practice', 'Psychiatry']

/** Rows per INSERT for the large patient set, so progress shows while it is written. */
const CHUNK = 10_000

/**
 * Rows `from`..`to` of `count` patients for `owner`, with every gender and blood group, born
 * 1940–2019. Names are a permutation of the row number (7919 is prime), so ordering by name is not
 * ordering by id.
 */
const patientsSql = (/** @type {number} */ owner, /** @type {number} */ count, /** @type {string} */ prefix, from = 1, to = count) => `
  WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to})
  INSERT INTO patients (created_by, name, date_of_birth, gender, email, blood_group)
  SELECT ${owner}, 'Patient ' || printf('%05d', (i * 7919) % ${count}), date('1940-01-01', '+' || ((i * 7919) % 29000) || ' days'),
    CASE i % 3 WHEN 0 THEN 'male' WHEN 1 THEN 'female' ELSE 'other' END,
    '${prefix}' || i || '@patients.bench.test',
    CASE i % 8 WHEN 0 THEN 'A+' WHEN 1 THEN 'A-' WHEN 2 THEN 'B+' WHEN 3 THEN 'B-' WHEN 4 THEN 'AB+' WHEN 5 THEN 'AB-' WHEN 6 THEN 'O+' ELSE 'O-' END
  FROM n`

const doctorsSql = (/** @type {number} */ owner) => `
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${SIZES.doctors})
  INSERT INTO doctors (created_by, name, specialization, email, license_number, experience_years, consultation_fee_cents)
  SELECT ${owner}, 'Dr. Bench ' || i, json_extract('${JSON.stringify(SPECIALIZATIONS)}', '$[' || (i % ${SPECIALIZATIONS.length}) || ']'),
    'doctor' || i || '@doctors.bench.test', 'BENCH-' || i, i % 41, 5000 + i * 100
  FROM n`

/** @type {(db: D1Database, sql: string) => Promise<number[]>} */
const ids = async (db, sql) => (await db.prepare(sql).all()).results.map((row) => Number(row.id))

/**
 * Seeds a freshly migrated database and signs the measured user in.
 * @param {D1Database} db the D1 binding, from `mf.getD1Database()`
 * @param {(path: string, init: { method: string, headers: Record<string, string>, body: string }) => Promise<{ status: number, text(): Promise<string>, json(): Promise<unknown> }>} call
 *   a request to the Worker over HTTP
 * @param {(step: string) => void} [progress] told about each step as it is done
 */
export async function seed(db, call, progress = () => {}) {
  const registered = await call('/api/auth/register/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(MEASURED) })
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${await registered.text()}`)
  const { user } = /** @type {{ user: { id: number } }} */ (await registered.json())

  const [other] = await ids(db, `INSERT INTO users (name, email, password_hash) VALUES ('Other Clinic', 'other@bench.test', 'pbkdf2_sha256$1$unusable$unusable') RETURNING id`)
  await db.batch([db.prepare(doctorsSql(user.id)), db.prepare(patientsSql(user.id, SIZES.ownPatients, 'own'))])
  progress(`${SIZES.doctors} doctors and the measured user's ${SIZES.ownPatients.toLocaleString('en-US')} patients`)
  for (let from = 1; from <= SIZES.otherPatients; from += CHUNK) {
    const to = Math.min(from + CHUNK - 1, SIZES.otherPatients)
    await db.prepare(patientsSql(other, SIZES.otherPatients, 'other', from, to)).run()
    progress(`${to.toLocaleString('en-US')} of ${SIZES.otherPatients.toLocaleString('en-US')} patients of the other user`)
  }
  const patientIds = await ids(db, `SELECT id FROM patients WHERE created_by = ${user.id} ORDER BY id`)
  const doctorIds = await ids(db, 'SELECT id FROM doctors ORDER BY id')

  const assigned = new Set()
  const mapped = patientIds.slice(0, SIZES.mappedPatients)
  const rows = mapped.flatMap((patient, index) =>
    Array.from({ length: SIZES.doctorsPerPatient }, (_, k) => {
      const doctor = doctorIds[(index * SIZES.doctorsPerPatient + k) % doctorIds.length]
      assigned.add(`${patient}:${doctor}`)
      return `(${patient}, ${doctor}, ${user.id})`
    }),
  )
  await db.prepare(`INSERT INTO mappings (patient_id, doctor_id, assigned_by) VALUES ${rows.join(', ')}`).run()
  progress(`${rows.length.toLocaleString('en-US')} assignments`)

  const login = await call('/api/auth/login/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: MEASURED.email, password: MEASURED.password }) })
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`)
  const { access } = /** @type {{ access: string }} */ (await login.json())

  /** Every (patient, doctor) pair of the measured user not yet assigned: about 198,000, doctor by doctor. */
  function* unassignedPairs() {
    for (const doctor of doctorIds) {
      for (const patient of patientIds) if (!assigned.has(`${patient}:${doctor}`)) yield { patient, doctor }
    }
  }

  return {
    token: access,
    patientIds,
    mappedPatientIds: mapped,
    unassignedPairs,
    rows: { users: 2, patients: SIZES.ownPatients + SIZES.otherPatients, doctors: doctorIds.length, mappings: rows.length },
  }
}
