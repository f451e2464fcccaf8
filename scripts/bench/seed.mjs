// The bench data set: the measured user (registered through the API, so its password hash is real)
// alone in a clinic of their own with 1,000 patients, another clinic with 50,000, 200 doctors, 3
// doctors for 500 of the measured user's patients, and a clinic of 5 members (an admin and a
// clinician registered through the API, three more written in D1) with 1,000 patients of its own. Bulk rows are generated inside SQLite by recursive CTEs, sent as one batch: no
// bound parameters to count against D1's limit of 100, and no 51,000-row literal to build.

export const MEASURED = { name: 'Bench Clinician', email: 'bench@bench.test', password: 'Bench-Kettle-2026!' }
/** The clinic of 5: its admin registers it; its clinician is the one measured there. */
const CLINIC_ADMIN = { name: 'Bench Clinic Admin', email: 'clinic-admin@bench.test', password: 'Bench-Kettle-2026!', clinic_name: 'Bench Clinic of Five' }
const CLINIC_CLINICIAN = { name: 'Bench Clinic Clinician', email: 'clinic-clinician@bench.test', password: 'Bench-Kettle-2026!' }
/** The clinic's other members, besides its admin and the measured clinician. */
const CLINIC_OTHERS = [
  ['clinic-nurse@bench.test', 'clinician'],
  ['clinic-desk-1@bench.test', 'front_desk'],
  ['clinic-desk-2@bench.test', 'front_desk'],
]

const SIZES = { ownPatients: 1_000, clinicPatients: 1_000, otherPatients: 50_000, doctors: 200, mappedPatients: 500, doctorsPerPatient: 3 }
const SPECIALIZATIONS = ['Cardiology', 'Neurology', 'Pediatrics', 'Orthopedics', 'Dermatology', 'Oncology', 'General Practice', 'Psychiatry']

/** Rows per INSERT for the large patient set, so progress shows while it is written. */
const CHUNK = 10_000

/**
 * Rows `from`..`to` of `count` patients of `clinic`, created by `owner`, with every gender and blood group, born
 * 1940–2019. Names are a permutation of the row number (7919 is prime), so ordering by name is not
 * ordering by id.
 */
const patientsSql = (/** @type {number} */ clinic, /** @type {number} */ owner, /** @type {number} */ count, /** @type {string} */ prefix, from = 1, to = count) => `
  WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to})
  INSERT INTO patients (clinic_id, created_by, name, date_of_birth, gender, email, blood_group)
  SELECT ${clinic}, ${owner}, 'Patient ' || printf('%05d', (i * 7919) % ${count}), date('1940-01-01', '+' || ((i * 7919) % 29000) || ' days'),
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

const JSON_HEADERS = { 'content-type': 'application/json' }

/**
 * Seeds a freshly migrated database and signs the measured users in.
 * @param {D1Database} db the D1 binding, from `mf.getD1Database()`
 * @param {(path: string, init: { method: string, headers: Record<string, string>, body: string }) => Promise<{ status: number, text(): Promise<string>, json(): Promise<unknown> }>} call
 *   a request to the Worker over HTTP
 * @param {(step: string) => void} [progress] told about each step as it is done
 */
export async function seed(db, call, progress = () => {}) {
  /** Registers an account through the API (a real password hash, a clinic of its own); returns its id and that clinic's. */
  const register = async (/** @type {Record<string, string>} */ account) => {
    const registered = await call('/api/auth/register/', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(account) })
    if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${await registered.text()}`)
    const { user } = /** @type {{ user: { id: number } }} */ (await registered.json())
    const [clinic] = await ids(db, `SELECT clinic_id AS id FROM clinic_members WHERE user_id = ${user.id}`)
    return { userId: user.id, clinicId: clinic }
  }
  /**
   * An access token through the API's login, in `clinic` when given.
   * @param {{ email: string, password: string }} account
   * @param {number} [clinic]
   */
  const signIn = async (account, clinic) => {
    const login = await call('/api/auth/login/', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ email: account.email, password: account.password, clinic }) })
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`)
    return /** @type {{ access: string }} */ (await login.json()).access
  }

  const measured = await register(MEASURED)
  const user = { id: measured.userId }
  const [other] = await ids(db, `INSERT INTO users (name, email, password_hash) VALUES ('Other Clinic', 'other@bench.test', 'pbkdf2_sha256$1$unusable$unusable') RETURNING id`)
  const [otherClinic] = await ids(db, `INSERT INTO clinics (name) VALUES ('Other Clinic') RETURNING id`)
  await db.prepare(`INSERT INTO clinic_members (clinic_id, user_id, role, added_by) VALUES (${otherClinic}, ${other}, 'admin', ${other})`).run()
  await db.batch([db.prepare(doctorsSql(user.id)), db.prepare(patientsSql(measured.clinicId, user.id, SIZES.ownPatients, 'own'))])
  progress(`${SIZES.doctors} doctors and the measured user's ${SIZES.ownPatients.toLocaleString('en-US')} patients`)
  for (let from = 1; from <= SIZES.otherPatients; from += CHUNK) {
    const to = Math.min(from + CHUNK - 1, SIZES.otherPatients)
    await db.prepare(patientsSql(otherClinic, other, SIZES.otherPatients, 'other', from, to)).run()
    progress(`${to.toLocaleString('en-US')} of ${SIZES.otherPatients.toLocaleString('en-US')} patients of the other clinic`)
  }
  const patientIds = await ids(db, `SELECT id FROM patients WHERE clinic_id = ${measured.clinicId} ORDER BY id`)
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

  // The clinic of 5: the admin's registration opens it, the clinician (registered with a clinic of
  // their own) and three more accounts join it as members, written in D1 as an accepted invitation would.
  const admin = await register(CLINIC_ADMIN)
  const clinician = await register(CLINIC_CLINICIAN)
  const others = await ids(
    db,
    `INSERT INTO users (name, email, password_hash) VALUES ${CLINIC_OTHERS.map(([email]) => `('${email}', '${email}', 'pbkdf2_sha256$1$unusable$unusable')`).join(', ')} RETURNING id`,
  )
  const members = [[clinician.userId, 'clinician'], ...others.map((id, index) => [id, CLINIC_OTHERS[index][1]])]
  await db.prepare(`INSERT INTO clinic_members (clinic_id, user_id, role, added_by) VALUES ${members.map(([id, role]) => `(${admin.clinicId}, ${id}, '${role}', ${admin.userId})`).join(', ')}`).run()
  await db.prepare(patientsSql(admin.clinicId, admin.userId, SIZES.clinicPatients, 'clinic')).run()
  const clinicPatientIds = await ids(db, `SELECT id FROM patients WHERE clinic_id = ${admin.clinicId} ORDER BY id`)
  const [clinicMembers] = await ids(db, `SELECT count(*) AS id FROM clinic_members WHERE clinic_id = ${admin.clinicId} AND status = 'active'`)
  progress(`a clinic of ${clinicMembers} members with ${clinicPatientIds.length.toLocaleString('en-US')} patients`)

  const token = await signIn(MEASURED)
  const clinicToken = await signIn(CLINIC_CLINICIAN, admin.clinicId)

  /** Every (patient, doctor) pair of the measured user not yet assigned: about 198,000, doctor by doctor. */
  function* unassignedPairs() {
    for (const doctor of doctorIds) {
      for (const patient of patientIds) if (!assigned.has(`${patient}:${doctor}`)) yield { patient, doctor }
    }
  }

  return {
    token,
    clinicToken,
    patientIds,
    clinicPatientIds,
    mappedPatientIds: mapped,
    unassignedPairs,
    rows: {
      users: 4 + CLINIC_OTHERS.length,
      clinics: 4,
      clinic_members: 4 + members.length,
      patients: SIZES.ownPatients + SIZES.otherPatients + clinicPatientIds.length,
      doctors: doctorIds.length,
      mappings: rows.length,
    },
  }
}
