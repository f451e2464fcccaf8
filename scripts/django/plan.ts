import type { ImportKeysTable } from '../../src/db/schema'
import { email as emailSchema, LINES, ONE_LINE, TEXT_MESSAGES } from '../../src/schemas/common'
import { DoctorWriteSchema } from '../../src/schemas/doctors'
import { PatientWriteSchema } from '../../src/schemas/patients'
import { ImportRefusal, planFields, type ClinicRole, type DumpRecord, type FieldPlan, type ImportMap, type Kind, type SortedDump } from './source'
import { birthDateFromAge, bloodGroup, classifyPassword, flag, gender, joinName, specialization, timestamp, type PasswordOutcome } from './values'

/** A row of `import_keys`: the source record a row here came from. */
export interface KeyRef {
  kind: ImportKeysTable['kind']
  model: string
  key: string
}

/** Where a linked record's row is: an existing row, or the row of another record of this import. */
export type RowRef = { id: number } | KeyRef

export const keyText = (ref: KeyRef) => `${ref.kind}|${ref.model}|${ref.key}`

/** What the database holds already, as read before planning (sql.ts reads it). */
export interface ExistingState {
  /** `keyText` → row id. */
  keys: Map<string, number>
  /** Lowercased email → user id. */
  userEmails: Map<string, number>
  /** Lowercased licence number → doctor id. */
  doctorLicences: Map<string, number>
  /** Lowercased email → doctor id. */
  doctorEmails: Map<string, number>
  /** `${clinic id}|${lowercased email}` of patients already in a clinic an earlier import made. */
  patientEmails: Set<string>
}

export const emptyState = (): ExistingState => ({
  keys: new Map(),
  userEmails: new Map(),
  doctorLicences: new Map(),
  doctorEmails: new Map(),
  patientEmails: new Set(),
})

/**
 * `new`: to be inserted; `there`: imported by an earlier run; `link`: the same record already exists
 * here (same email, same licence), so its key points at it; `refused`: not imported, with a reason.
 */
export type Status = 'new' | 'there' | 'link' | 'refused'

export interface Planned<Row> {
  ref: KeyRef
  /** `auth.user 3`, for the report. */
  label: string
  status: Status
  reason?: string
  linkTo?: RowRef
  /** Set when `status` is `new`. */
  row?: Row
  /** What the report should say about a record that is imported (an estimated birth date, a default owner). */
  notes: string[]
}

export interface UserRow {
  name: string
  email: string
  password_hash: string
  date_joined?: string
  role: 'user' | 'admin'
  is_active: 0 | 1
}

export interface PlannedUser extends Planned<UserRow> {
  email?: string
  /** The name from the dump, for the clinic of a user matched to an account already here. */
  name?: string
  password?: PasswordOutcome
  /** Superuser or staff in Django: a clinic admin with --clinic. */
  staff: boolean
}

export interface ClinicRow {
  name: string
  members: { user: KeyRef; role: ClinicRole; added_at?: string }[]
}

export interface PatientRow {
  clinic: KeyRef
  created_by: KeyRef
  name: string
  date_of_birth: string
  gender: 'male' | 'female' | 'other'
  email: string | null
  phone_number: string | null
  address: string | null
  blood_group: string | null
  medical_history: string | null
  created_at?: string
  updated_at?: string
}

export interface DoctorRow {
  created_by: KeyRef
  name: string
  specialization: string
  email: string | null
  phone_number: string | null
  qualification: string | null
  experience_years: number | null
  license_number: string | null
  clinic_address: string | null
  consultation_fee_cents: number | null
  is_available: 0 | 1
  created_at?: string
  updated_at?: string
}

export interface AssignmentRow {
  patient: KeyRef
  doctor: RowRef
  notes: string | null
  is_active: 0 | 1
  assigned_by: KeyRef
  assigned_at?: string
  updated_at?: string
}

export interface ImportOptions {
  map: ImportMap
  /** --clinic: everyone joins this one clinic. */
  clinic?: string
  /** --clinic-admin: this email is an admin of that clinic. */
  clinicAdmin?: string
}

export interface ImportPlan {
  mode: { clinic: string | null }
  users: PlannedUser[]
  clinics: Planned<ClinicRow>[]
  doctors: Planned<DoctorRow>[]
  patients: Planned<PatientRow>[]
  assignments: Planned<AssignmentRow>[]
  models: Partial<Record<Kind, string>>
  skipped: Map<string, number>
  /** Source fields nothing reads, by model. */
  unread: Map<string, string[]>
}

/** The first message of each field that failed, as `field: message`. */
function zodReason(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const seen = new Set<string>()
  const parts: string[] = []
  for (const issue of issues) {
    const field = issue.path.map(String).join('.') || 'record'
    if (seen.has(field)) continue
    seen.add(field)
    parts.push(`${field}: ${issue.message}`)
  }
  return parts.join('; ')
}

const text = (value: unknown) => (typeof value === 'string' ? value : value === null || value === undefined ? null : String(value))

/** A reference as dumpdata writes it: a pk, or with --natural-foreign a natural key array. */
const refKeys = (value: unknown): string[] =>
  Array.isArray(value) ? [JSON.stringify(value), ...(value.length === 1 ? [String(value[0])] : [])] : value === null || value === undefined ? [] : [String(value)]

/** Reads a field through the field plan. */
const reader = (fields: FieldPlan) => (record: DumpRecord, target: string) => {
  const source = fields[target]
  return source === undefined ? undefined : record.fields[source]
}

function timestamps(read: ReturnType<typeof reader>, record: DumpRecord, created: string, updated: string): { created?: string; updated?: string; problem?: string } {
  const rawCreated = read(record, created)
  const rawUpdated = read(record, updated)
  const createdAt = rawCreated == null ? undefined : timestamp(rawCreated)
  const updatedAt = rawUpdated == null ? undefined : timestamp(rawUpdated)
  if (rawCreated != null && !createdAt) return { problem: `${created}: "${String(rawCreated)}" is not a date and time` }
  if (rawUpdated != null && !updatedAt) return { problem: `${updated}: "${String(rawUpdated)}" is not a date and time` }
  return { created: createdAt, updated: updatedAt ?? createdAt }
}

/**
 * Decides what happens to every record of the dump, given what the database already holds: nothing
 * here writes. Whole-input problems (no admin for --clinic, a --clinic-admin who is not in the dump)
 * throw ImportRefusal; a record that cannot come over is refused alone, with its reason, and so are
 * the records that depend on it.
 */
export function planImport(dump: SortedDump, state: ExistingState, options: ImportOptions): ImportPlan {
  const { map } = options
  const unread = new Map<string, string[]>()
  const fieldsOf = (kind: Kind) => {
    const model = dump.models[kind]
    const { fields, unread: rest } = planFields(kind, dump.byKind[kind], map)
    if (model && rest.length) unread.set(model, rest)
    return reader(fields)
  }
  const userModel = dump.models.users ?? 'auth.user'
  const patientModel = dump.models.patients ?? 'patients.patient'
  const doctorModel = dump.models.doctors ?? 'doctors.doctor'

  const users = planUsers(dump.byKind.users, userModel, fieldsOf('users'), state)
  /** Every way a dump refers to a user (pk, natural key, username, email) → its plan. */
  const userByRef = new Map<string, PlannedUser>()
  for (const user of users) {
    userByRef.set(user.ref.key, user)
    const record = dump.byKind.users.find((candidate) => candidate.key === user.ref.key)
    for (const field of ['username', 'email']) {
      const value = record?.fields[field]
      if (typeof value === 'string' && value && !userByRef.has(value)) userByRef.set(value, user)
    }
  }
  /** A referenced user: from the dump, or imported by an earlier run. */
  const findUser = (value: unknown): { ref?: KeyRef; problem?: string } => {
    const keys = refKeys(value)
    if (!keys.length) return { problem: 'no owner' }
    for (const key of keys) {
      const user = userByRef.get(key)
      if (user) return user.status === 'refused' ? { problem: `its user ${user.label} was refused` } : { ref: user.ref }
      const earlier: KeyRef = { kind: 'user', model: userModel, key }
      if (state.keys.has(keyText(earlier))) return { ref: earlier }
    }
    return { problem: `its user ${userModel} ${keys[0]} is neither in the dump nor imported before` }
  }

  const clinicName = options.clinic?.trim()
  const shared: KeyRef | undefined = clinicName ? { kind: 'clinic', model: 'clinic', key: clinicName } : undefined
  const clinics = shared ? [planSharedClinic(shared, users, state, options)] : planOwnClinics(users, userModel, state)
  const planned = new Set(clinics.map((clinic) => keyText(clinic.ref)))
  /** The clinic a patient of this owner goes to, if there is one (a user imported with --clinic before has none of their own). */
  const clinicOf = (owner: KeyRef): KeyRef | undefined => {
    const clinic: KeyRef = shared ?? { kind: 'clinic', model: owner.model, key: owner.key }
    return planned.has(keyText(clinic)) || state.keys.has(keyText(clinic)) ? clinic : undefined
  }

  const defaultOwner = users.find((user) => user.status !== 'refused' && user.staff) ?? users.find((user) => user.status !== 'refused')
  const doctors = planDoctors(dump.byKind.doctors, doctorModel, fieldsOf('doctors'), state, map, findUser, defaultOwner)
  const patients = planPatients(dump.byKind.patients, patientModel, fieldsOf('patients'), state, map, findUser, clinicOf)
  const assignments = planAssignments(dump.byKind.assignments, dump.models.assignments ?? 'mappings.mapping', fieldsOf('assignments'), state, {
    patients: new Map(patients.map((patient) => [patient.ref.key, patient])),
    doctors: new Map(doctors.map((doctor) => [doctor.ref.key, doctor])),
    patientModel,
    doctorModel,
    findUser,
  })
  return { mode: { clinic: clinicName ?? null }, users, clinics, doctors, patients, assignments, models: dump.models, skipped: dump.skipped, unread }
}

function planUsers(records: DumpRecord[], model: string, read: ReturnType<typeof reader>, state: ExistingState): PlannedUser[] {
  const emails = new Map<string, string>()
  return records.map((record) => {
    const ref: KeyRef = { kind: 'user', model, key: record.key! }
    const label = `${model} ${record.key}`
    const username = text(read(record, 'username'))?.trim() ?? ''
    const staff = flag(read(record, 'is_superuser'), false) === true || flag(read(record, 'is_staff'), false) === true
    const base = { ref, label, notes: [], staff }
    const rawEmail = text(read(record, 'email'))?.trim() || (username.includes('@') ? username : '')
    const parsedEmail = emailSchema().safeParse(rawEmail)
    if (state.keys.has(keyText(ref))) return { ...base, email: parsedEmail.data, status: 'there' }
    if (!rawEmail || !parsedEmail.success) {
      return { ...base, status: 'refused', reason: rawEmail ? `"${rawEmail}" is not a valid email address` : 'no email address, and the username is not one' }
    }
    const email = parsedEmail.data
    const first = emails.get(email)
    if (first) return { ...base, email, status: 'refused', reason: `the email ${email} is already that of ${first}` }
    emails.set(email, label)
    const name = text(read(record, 'name'))?.trim() || joinName(read(record, 'first_name'), read(record, 'last_name')) || username || email.split('@')[0]
    const existing = state.userEmails.get(email)
    if (existing !== undefined) {
      return { ...base, email, name, status: 'link', linkTo: { id: existing }, notes: [`an account with ${email} was already here: linked to it, its password and role unchanged`] }
    }
    if (name.length > 150) return { ...base, email, status: 'refused', reason: 'the name is longer than 150 characters' }
    if (!ONE_LINE.test(name)) return { ...base, email, status: 'refused', reason: `name: ${TEXT_MESSAGES.oneLine}` }
    const joinedRaw = read(record, 'date_joined')
    const joined = joinedRaw == null ? undefined : timestamp(joinedRaw)
    if (joinedRaw != null && !joined) return { ...base, email, status: 'refused', reason: `date_joined: "${String(joinedRaw)}" is not a date and time` }
    const active = flag(read(record, 'is_active'), true)
    const superuser = flag(read(record, 'is_superuser'), false)
    if (active === undefined || superuser === undefined) return { ...base, email, status: 'refused', reason: 'is_active or is_superuser is not true or false' }
    const password = classifyPassword(read(record, 'password'))
    const row: UserRow = {
      name,
      email,
      password_hash: password.usable ? password.hash : password.stored,
      date_joined: joined,
      role: superuser ? 'admin' : 'user',
      is_active: active ? 1 : 0,
    }
    return { ...base, email, status: 'new', row, password }
  })
}

/** Without --clinic: each user gets a clinic of their own, as its admin, as the Django system kept them apart. */
function planOwnClinics(users: PlannedUser[], model: string, state: ExistingState): Planned<ClinicRow>[] {
  return users
    .filter((user) => user.status !== 'refused')
    .map((user) => {
      const ref: KeyRef = { kind: 'clinic', model, key: user.ref.key }
      const label = `clinic of ${user.label}`
      if (state.keys.has(keyText(ref))) return { ref, label, status: 'there', notes: [] }
      const owner = user.row?.name ?? user.name ?? user.email ?? user.ref.key
      return {
        ref,
        label,
        status: 'new',
        notes: [],
        row: { name: `${owner.slice(0, 111)}'s clinic`, members: [{ user: user.ref, role: 'admin', added_at: user.row?.date_joined }] },
      }
    })
}

/**
 * With --clinic: one clinic for everyone. Superusers and staff are its admins, the others clinicians;
 * the map's `roles` and --clinic-admin say otherwise. A new clinic must end up with an admin.
 */
function planSharedClinic(ref: KeyRef, users: PlannedUser[], state: ExistingState, options: ImportOptions): Planned<ClinicRow> {
  const name = ref.key
  if (name.length > 120) throw new ImportRefusal('The --clinic name is longer than 120 characters.')
  if (!ONE_LINE.test(name)) throw new ImportRefusal(`The --clinic name: ${TEXT_MESSAGES.oneLine}`)
  const members = users.filter((user) => user.status !== 'refused')
  const adminEmail = options.clinicAdmin?.trim().toLowerCase()
  if (adminEmail && !members.some((user) => user.email === adminEmail)) {
    throw new ImportRefusal(`--clinic-admin ${adminEmail} is not a user of this dump that can be imported.`)
  }
  const roles = Object.fromEntries(Object.entries(options.map.roles ?? {}).map(([email, role]) => [email.toLowerCase(), role]))
  const unknownRoles = Object.keys(roles).filter((email) => !members.some((user) => user.email === email))
  if (unknownRoles.length) throw new ImportRefusal(`The map file's roles name ${unknownRoles.join(', ')}, who ${unknownRoles.length === 1 ? 'is' : 'are'} not a user of this dump that can be imported.`)
  const planned = members.map((user) => {
    let role: ClinicRole = user.staff ? 'admin' : 'clinician'
    if (user.email && roles[user.email]) role = roles[user.email]
    if (user.email && user.email === adminEmail) role = 'admin'
    return { user: user.ref, role }
  })
  const exists = state.keys.has(keyText(ref))
  if (!exists && members.length && !planned.some((member) => member.role === 'admin')) {
    throw new ImportRefusal(
      `The clinic "${name}" would have no admin: the dump has no superuser or staff user (or the map made none an admin). Name one with --clinic-admin <email>.`,
    )
  }
  return { ref, label: `clinic "${name}"`, status: exists ? 'there' : 'new', notes: [], row: { name, members: planned } }
}

type FindUser = (value: unknown) => { ref?: KeyRef; problem?: string }

function planDoctors(
  records: DumpRecord[],
  model: string,
  read: ReturnType<typeof reader>,
  state: ExistingState,
  map: ImportMap,
  findUser: FindUser,
  defaultOwner: PlannedUser | undefined,
): Planned<DoctorRow>[] {
  const licences = new Map<string, KeyRef>()
  const emails = new Map<string, KeyRef>()
  return records.map((record) => {
    const ref: KeyRef = { kind: 'doctor', model, key: record.key! }
    const label = `${model} ${record.key}`
    const notes: string[] = []
    if (state.keys.has(keyText(ref))) return { ref, label, status: 'there', notes }
    const name = text(read(record, 'name'))?.trim() || joinName(read(record, 'first_name'), read(record, 'last_name'))
    const feeRaw = read(record, 'consultation_fee')
    const available = flag(read(record, 'is_available'), true)
    const parsed = DoctorWriteSchema.safeParse({
      name,
      specialization: specialization(read(record, 'specialization'), map.values?.specialization),
      email: text(read(record, 'email')),
      phone_number: text(read(record, 'phone_number')),
      qualification: text(read(record, 'qualification')),
      experience_years: read(record, 'experience_years') ?? null,
      license_number: text(read(record, 'license_number')),
      clinic_address: text(read(record, 'clinic_address')),
      consultation_fee: feeRaw === undefined ? null : feeRaw,
      is_available: available ?? read(record, 'is_available'),
    })
    if (!parsed.success) return { ref, label, status: 'refused', reason: zodReason(parsed.error.issues), notes }
    const times = timestamps(read, record, 'created_at', 'updated_at')
    if (times.problem) return { ref, label, status: 'refused', reason: times.problem, notes }
    const doctor = parsed.data
    const licence = doctor.license_number?.toLowerCase()
    const email = doctor.email?.toLowerCase()
    const same = (licence && licences.get(licence)) || (email && emails.get(email))
    if (same) return { ref, label, status: 'link', linkTo: same, notes: [`the same doctor as ${same.model} ${same.key} (same licence or email)`] }
    const existing = (licence && state.doctorLicences.get(licence)) || (email && state.doctorEmails.get(email))
    if (existing) return { ref, label, status: 'link', linkTo: { id: existing }, notes: ['already in the directory (same licence or email): linked to it'] }
    const ownerField = read(record, 'owner')
    let owner = ownerField == null ? undefined : findUser(ownerField).ref
    if (!owner) {
      if (!defaultOwner) return { ref, label, status: 'refused', reason: 'no user to record as who added it', notes }
      owner = defaultOwner.ref
      notes.push(`recorded as added by ${defaultOwner.label}`)
    }
    if (licence) licences.set(licence, ref)
    if (email) emails.set(email, ref)
    const row: DoctorRow = {
      created_by: owner,
      name: doctor.name,
      specialization: doctor.specialization,
      email: doctor.email,
      phone_number: doctor.phone_number,
      qualification: doctor.qualification || null,
      experience_years: doctor.experience_years,
      license_number: doctor.license_number || null,
      clinic_address: doctor.clinic_address || null,
      consultation_fee_cents: doctor.consultation_fee,
      is_available: doctor.is_available ? 1 : 0,
      created_at: times.created,
      updated_at: times.updated,
    }
    return { ref, label, status: 'new', row, notes }
  })
}

function planPatients(
  records: DumpRecord[],
  model: string,
  read: ReturnType<typeof reader>,
  state: ExistingState,
  map: ImportMap,
  findUser: FindUser,
  clinicOf: (owner: KeyRef) => KeyRef | undefined,
): Planned<PatientRow>[] {
  const emails = new Set<string>()
  return records.map((record) => {
    const ref: KeyRef = { kind: 'patient', model, key: record.key! }
    const label = `${model} ${record.key}`
    const notes: string[] = []
    if (state.keys.has(keyText(ref))) return { ref, label, status: 'there', notes }
    const owner = findUser(read(record, 'owner'))
    if (!owner.ref) return { ref, label, status: 'refused', reason: owner.problem, notes }
    const clinic = clinicOf(owner.ref)
    if (!clinic) return { ref, label, status: 'refused', reason: 'its user has no clinic of their own (imported with --clinic before): import it with --clinic', notes }
    const clinicId = state.keys.get(keyText(clinic))
    let dateOfBirth = text(read(record, 'date_of_birth'))
    const age = read(record, 'age')
    if (!dateOfBirth && age != null) {
      if (typeof age !== 'number' || !Number.isInteger(age) || age < 0 || age > 130) return { ref, label, status: 'refused', reason: `age: ${String(age)} is not a whole number of years`, notes }
      if (!map.birth_date_from_age) {
        return { ref, label, status: 'refused', reason: `only an age (${age}), no date of birth: none is invented; the map's "birth_date_from_age" can supply a rule`, notes }
      }
      dateOfBirth = birthDateFromAge(age, map.birth_date_from_age)
      notes.push(`date of birth ${dateOfBirth} estimated from age ${age} on ${map.birth_date_from_age}`)
    }
    const genderValue = read(record, 'gender')
    const parsed = PatientWriteSchema.safeParse({
      name: text(read(record, 'name'))?.trim() || joinName(read(record, 'first_name'), read(record, 'last_name')),
      date_of_birth: dateOfBirth ?? undefined,
      gender: gender(genderValue, map.values?.gender) ?? genderValue,
      email: text(read(record, 'email')),
      phone_number: text(read(record, 'phone_number')),
      address: text(read(record, 'address')),
      blood_group: bloodGroup(read(record, 'blood_group'), map.values?.blood_group) ?? null,
      medical_history: text(read(record, 'medical_history')),
    })
    if (!parsed.success) return { ref, label, status: 'refused', reason: zodReason(parsed.error.issues), notes }
    const times = timestamps(read, record, 'created_at', 'updated_at')
    if (times.problem) return { ref, label, status: 'refused', reason: times.problem, notes }
    const patient = parsed.data
    if (patient.email) {
      const inClinic = `${keyText(clinic)}|${patient.email}`
      if (emails.has(inClinic) || (clinicId !== undefined && state.patientEmails.has(`${clinicId}|${patient.email}`))) {
        return { ref, label, status: 'refused', reason: `another patient of the same clinic has the email ${patient.email}`, notes }
      }
      emails.add(inClinic)
    }
    const row: PatientRow = {
      ...patient,
      medical_history: patient.medical_history ?? null,
      clinic,
      created_by: owner.ref,
      created_at: times.created,
      updated_at: times.updated,
    }
    return { ref, label, status: 'new', row, notes }
  })
}

function planAssignments(
  records: DumpRecord[],
  model: string,
  read: ReturnType<typeof reader>,
  state: ExistingState,
  context: {
    patients: Map<string, Planned<PatientRow>>
    doctors: Map<string, Planned<DoctorRow>>
    patientModel: string
    doctorModel: string
    findUser: FindUser
  },
): Planned<AssignmentRow>[] {
  const pairs = new Map<string, string>()
  /** A referenced record: from the dump (refused or not), else imported by an earlier run. */
  const find = <Row>(value: unknown, kind: 'patient' | 'doctor', plans: Map<string, Planned<Row>>, sourceModel: string) => {
    const key = refKeys(value)[0]
    if (key === undefined) return { problem: `no ${kind}` }
    const planned = plans.get(key)
    if (planned) return planned.status === 'refused' ? { problem: `its ${kind} ${planned.label} was refused` } : { planned }
    const earlier: KeyRef = { kind, model: sourceModel, key }
    if (state.keys.has(keyText(earlier))) return { earlier }
    return { problem: `its ${kind} ${sourceModel} ${key} is neither in the dump nor imported before` }
  }
  return records.map((record) => {
    const ref: KeyRef = { kind: 'mapping', model, key: record.key! }
    const label = `${model} ${record.key}`
    const notes: string[] = []
    if (state.keys.has(keyText(ref))) return { ref, label, status: 'there', notes }
    const patient = find(read(record, 'patient'), 'patient', context.patients, context.patientModel)
    if ('problem' in patient) return { ref, label, status: 'refused', reason: patient.problem, notes }
    const doctor = find(read(record, 'doctor'), 'doctor', context.doctors, context.doctorModel)
    if ('problem' in doctor) return { ref, label, status: 'refused', reason: doctor.problem, notes }
    const patientPlan = patient.planned
    const patientRef = patientPlan?.ref ?? patient.earlier!
    const doctorRef: RowRef = doctor.planned?.status === 'link' ? doctor.planned.linkTo! : (doctor.planned?.ref ?? doctor.earlier!)
    const pair = `${keyText(patientRef)}|${'id' in doctorRef ? doctorRef.id : keyText(doctorRef)}`
    const first = pairs.get(pair)
    if (first) return { ref, label, status: 'refused', reason: `the same patient and doctor as ${first}`, notes }
    const notesValue = text(read(record, 'notes'))
    if (notesValue && notesValue.length > 1000) return { ref, label, status: 'refused', reason: 'notes: Keep the notes to 1,000 characters or fewer.', notes }
    if (notesValue && !LINES.test(notesValue)) return { ref, label, status: 'refused', reason: `notes: ${TEXT_MESSAGES.lines}`, notes }
    const active = flag(read(record, 'is_active'), true)
    if (active === undefined) return { ref, label, status: 'refused', reason: 'is_active: Must be true or false.', notes }
    const times = timestamps(read, record, 'assigned_at', 'updated_at')
    if (times.problem) return { ref, label, status: 'refused', reason: times.problem, notes }
    const assignedByField = read(record, 'assigned_by')
    let assignedBy = assignedByField == null ? undefined : context.findUser(assignedByField).ref
    const patientOwner = patientPlan?.row?.created_by
    if (!assignedBy) {
      if (!patientOwner) return { ref, label, status: 'refused', reason: 'no user to record as who assigned it', notes }
      assignedBy = patientOwner
    }
    pairs.set(pair, label)
    const row: AssignmentRow = {
      patient: patientRef,
      doctor: doctorRef,
      notes: notesValue?.trim() || null,
      is_active: active ? 1 : 0,
      assigned_by: assignedBy,
      assigned_at: times.created,
      updated_at: times.updated,
    }
    return { ref, label, status: 'new', row, notes }
  })
}
