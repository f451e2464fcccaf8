// `npm run db:seed`: a realistic demo data set in the local D1 database, safe to run repeatedly.
// Every row has a natural key (user email, doctor licence, patient email per owner, patient-doctor
// pair), and every insert is INSERT OR IGNORE on it, so a second run adds nothing.
import { DEMO_USERS } from './demo-users.mjs'
import { passwordHash, sqlText } from './password-hash.mjs'
import { applyMigrations, d1Execute } from './wrangler.mjs'

const USERS = DEMO_USERS

/** @type {[name: string, specialization: string, qualification: string, years: number, licence: string, fee: number][]} */
const DOCTORS = [
  ['Dr. Elena Petrova', 'Cardiology', 'MD, FACC', 18, 'CARD-1001', 180],
  ['Dr. Samuel Mensah', 'Neurology', 'MD, PhD', 22, 'NEUR-1002', 220],
  ['Dr. Hana Suzuki', 'Pediatrics', 'MD', 9, 'PEDI-1003', 95],
  ['Dr. Carlos Ortega', 'Orthopedics', 'MD, FAAOS', 15, 'ORTH-1004', 160],
  ['Dr. Fatima Zahra', 'Dermatology', 'MD', 7, 'DERM-1005', 120],
  ['Dr. William Chen', 'Oncology', 'MD, FASCO', 25, 'ONCO-1006', 250],
  ['Dr. Grace Adeyemi', 'General Practice', 'MBBS', 12, 'GENP-1007', 60],
  ['Dr. Jonas Lindqvist', 'Psychiatry', 'MD', 14, 'PSYC-1008', 150],
  ['Dr. Isabel Moreau', 'Endocrinology', 'MD', 11, 'ENDO-1009', 140],
  ['Dr. Rahul Verma', 'Cardiology', 'MBBS, DM', 6, 'CARD-1010', 130.5],
]

const PATIENT_NAMES = [
  'Olivia Brown', 'Noah Wilson', 'Emma Johnson', 'Liam Garcia', 'Ava Martinez', 'Mateo Rossi', 'Sofia Nguyen',
  'Lucas Müller', 'Mia Kowalski', 'Ethan Haddad', 'Zara Ahmed', 'Leo Novak', 'Chloe Dubois', 'Aarav Shah',
  'Isla Murphy', 'Kenji Tanaka', 'Amelia Silva', 'Omar Farouk', 'Nora Jensen', 'Diego Alvarez', 'Lily Cohen',
  'Yusuf Demir', 'Hannah Schmidt', 'Arjun Iyer', 'Freya Lund',
]
const GENDERS = ['female', 'male', 'female', 'male', 'female', 'male', 'female', 'male', 'female', 'male', 'female', 'male', 'female', 'male', 'female', 'male', 'female', 'male', 'female', 'male', 'female', 'male', 'female', 'male', 'other']
const BLOOD_GROUPS = ['A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-']
const HISTORIES = [
  'Seasonal allergies; no known drug allergies.',
  'Type 2 diabetes, diet-controlled.',
  'Hypertension, on ACE inhibitor since 2021.',
  'Asthma in childhood; none since.',
  'Appendectomy in 2015.',
  null,
]

const quote = (/** @type {string | number | null} */ value) => (value === null ? 'NULL' : typeof value === 'number' ? String(value) : sqlText(value))
const userId = (/** @type {string} */ email) => `(SELECT id FROM users WHERE email = ${quote(email)})`
const doctorId = (/** @type {string} */ licence) => `(SELECT id FROM doctors WHERE license_number = ${quote(licence)})`
const patientEmail = (/** @type {string} */ name) => `${name.toLowerCase().normalize('NFD').replace(/[^a-z ]/g, '').replace(' ', '.')}@patients.demo`

const statements = []
for (const user of USERS) {
  statements.push(
    `INSERT OR IGNORE INTO users (name, email, password_hash) VALUES (${quote(user.name)}, ${quote(user.email)}, ${quote(passwordHash(user.password))});`,
  )
}
DOCTORS.forEach(([name, specialization, qualification, years, licence, fee], index) => {
  const creator = USERS[index % USERS.length].email
  const email = `${name.toLowerCase().replace('dr. ', '').replace(' ', '.')}@hospital.demo`
  statements.push(
    `INSERT OR IGNORE INTO doctors (created_by, name, specialization, email, phone_number, qualification, experience_years, license_number, clinic_address, consultation_fee_cents, is_available) VALUES (${userId(creator)}, ${quote(name)}, ${quote(specialization)}, ${quote(email)}, ${quote(`+4420${7946000 + index}`)}, ${quote(qualification)}, ${years}, ${quote(licence)}, ${quote(`${10 + index} Harley Street, London`)}, ${Math.round(fee * 100)}, ${index === 7 ? 0 : 1});`,
  )
})
PATIENT_NAMES.forEach((name, index) => {
  const owner = USERS[index % USERS.length].email
  const born = `${1950 + ((index * 7) % 60)}-${String((index % 12) + 1).padStart(2, '0')}-${String((index % 27) + 1).padStart(2, '0')}`
  statements.push(
    `INSERT OR IGNORE INTO patients (created_by, name, date_of_birth, gender, email, phone_number, address, blood_group, medical_history) VALUES (${userId(owner)}, ${quote(name)}, ${quote(born)}, ${quote(GENDERS[index])}, ${quote(patientEmail(name))}, ${quote(`+1415555${String(1000 + index)}`)}, ${quote(`${100 + index} Market Street, San Francisco`)}, ${quote(BLOOD_GROUPS[index % BLOOD_GROUPS.length])}, ${quote(HISTORIES[index % HISTORIES.length])});`,
  )
})
// 30 assignments: every patient gets one doctor, the first five a second one.
const pairs = PATIENT_NAMES.map((_, index) => [index, index % DOCTORS.length]).concat(
  PATIENT_NAMES.slice(0, 5).map((_, index) => [index, (index + 3) % DOCTORS.length]),
)
for (const [patientIndex, doctorIndex] of pairs) {
  const owner = USERS[patientIndex % USERS.length].email
  const patient = `(SELECT id FROM patients WHERE created_by = ${userId(owner)} AND email = ${quote(patientEmail(PATIENT_NAMES[patientIndex]))})`
  statements.push(
    `INSERT OR IGNORE INTO mappings (patient_id, doctor_id, notes, is_active, assigned_by) VALUES (${patient}, ${doctorId(DOCTORS[doctorIndex][4])}, ${quote(patientIndex % 4 === 0 ? 'Quarterly review.' : null)}, ${patientIndex % 9 === 8 ? 0 : 1}, ${userId(owner)});`,
  )
}

const COUNTS = `SELECT ${['users', 'doctors', 'patients', 'mappings'].map((table) => `(SELECT count(*) FROM ${table}) AS ${table}`).join(', ')};`

const applied = await applyMigrations()
if (applied) console.log(`Applied ${applied} migration${applied === 1 ? '' : 's'} to the local database.`)
const results = await d1Execute([COUNTS, ...statements, COUNTS].join('\n'))
const [before] = results[0]
const [after] = results[results.length - 1]
const created = Object.keys(after).map((table) => `${Number(after[table]) - Number(before[table])} ${table === 'mappings' ? 'assignments' : table}`)

console.log(`Demo data in the local database: created ${created.join(', ')}${created.every((count) => count.startsWith('0 ')) ? ' (it was already there)' : ''}.\n`)
const width = Math.max(...USERS.map((user) => user.email.length))
console.log(`  ${'Email'.padEnd(width)}  Password`)
for (const user of USERS) console.log(`  ${user.email.padEnd(width)}  ${user.password}`)
console.log('\nLog in with one of them as in the README (the tour, step 2).')
