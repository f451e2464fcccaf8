import { z } from 'zod'

/** What a model of the dump becomes here. */
export type Kind = 'users' | 'patients' | 'doctors' | 'assignments'

/** A problem with the whole input: the import writes nothing and says this instead. */
export class ImportRefusal extends Error {
  override readonly name = 'ImportRefusal'
}

/** One object of `dumpdata`'s array. `key` is the pk as text, or the natural key when the dump has no pk. */
export interface DumpRecord {
  model: string
  key: string | null
  fields: Record<string, unknown>
  /** Its position in the file, for messages. */
  index: number
}

/** Models of Django and its usual apps that hold nothing to bring over; they are counted and skipped. */
const FRAMEWORK_MODELS =
  /^(contenttypes\.contenttype|auth\.permission|auth\.group|admin\.logentry|sessions\.session|sites\.site|token_blacklist\.\w+|authtoken\.\w+|django_celery_\w+\.\w+)$/

const ROLES = ['admin', 'clinician', 'front_desk'] as const
export type ClinicRole = (typeof ROLES)[number]

const KINDS = ['users', 'patients', 'doctors', 'assignments'] as const

const dateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')

/** The map file (docs/import.md): what each model is, where each field comes from, value translations, rules. */
export const MapSchema = z.strictObject({
  models: z.record(z.string(), z.enum([...KINDS, 'skip'])).optional(),
  fields: z
    .partialRecord(z.enum(KINDS), z.record(z.string(), z.string().nullable()))
    .optional(),
  values: z
    .strictObject({
      gender: z.record(z.string(), z.enum(['male', 'female', 'other'])).optional(),
      specialization: z.record(z.string(), z.string()).optional(),
      blood_group: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  /** A patient with an age and no birth date is born this many years before this date. */
  birth_date_from_age: dateText.optional(),
  /** Clinic roles by email (with --clinic). */
  roles: z.record(z.string(), z.enum(ROLES)).optional(),
})

export type ImportMap = z.infer<typeof MapSchema>

/** Reads and checks a map file's text; any problem is an ImportRefusal naming it. */
export function parseMap(text: string): ImportMap {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ImportRefusal(`The map file is not JSON: ${(error as Error).message}.`)
  }
  const parsed = MapSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ImportRefusal(`The map file is not valid at ${issue.path.join('.') || 'its top'}: ${issue.message}.`)
  }
  return parsed.data
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Reads `dumpdata` output: a JSON array of `{model, pk, fields}`. Anything else is refused as a whole,
 * naming the first entries that are wrong.
 */
export function parseDump(text: string): DumpRecord[] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ImportRefusal(`The dump is not JSON (${(error as Error).message}): give the output of "python manage.py dumpdata --format json".`)
  }
  if (!Array.isArray(json)) throw new ImportRefusal('The dump is not a dumpdata array: the file must hold a JSON array of {"model", "pk", "fields"} objects.')
  const problems: string[] = []
  const records: DumpRecord[] = []
  json.forEach((entry, index) => {
    if (!isObject(entry) || typeof entry.model !== 'string' || !/^\w+\.\w+$/.test(entry.model) || !isObject(entry.fields)) {
      problems.push(`entry ${index} is not a {"model": "app.model", "pk", "fields": {...}} object`)
      return
    }
    const pk = entry.pk
    if (pk !== undefined && pk !== null && typeof pk !== 'number' && typeof pk !== 'string') {
      problems.push(`entry ${index} (${entry.model}) has a pk that is neither a number nor text`)
      return
    }
    records.push({ model: entry.model.toLowerCase(), key: pk === undefined || pk === null ? null : String(pk), fields: entry.fields, index })
  })
  if (problems.length) throw new ImportRefusal(`The dump is not a dumpdata array: ${listed(problems)}.`)
  return records
}

/** The first few of a list of problems, and how many more there are. */
export function listed(problems: string[], shown = 3): string {
  const more = problems.length - shown
  return problems.slice(0, shown).join('; ') + (more > 0 ? `; and ${more} more` : '')
}

/** What a model's name says it is, when the map does not say. */
function guessKind(model: string, records: DumpRecord[]): Kind | 'skip' | undefined {
  if (model === 'auth.user') return 'users'
  if (FRAMEWORK_MODELS.test(model)) return 'skip'
  const name = model.split('.')[1]
  if (/^(custom)?user$/.test(name) && records.some((record) => 'password' in record.fields)) return 'users'
  if (/^patients?(profile|record)?$/.test(name)) return 'patients'
  if (/^(doctors?|physicians?)(profile)?$/.test(name)) return 'doctors'
  if (/mapping|assignment/.test(name) || /^(patientdoctor|doctorpatient)$/.test(name)) return 'assignments'
  return undefined
}

/** The dump's records by what they become, with the models the import skips. */
export interface SortedDump {
  byKind: Record<Kind, DumpRecord[]>
  /** The source model of each kind (one per kind). */
  models: Partial<Record<Kind, string>>
  skipped: Map<string, number>
}

/**
 * Sorts the records by kind, from the map's `models` or by name. A model with no known mapping, or two
 * models of one kind, refuses the whole dump; so does a duplicate pk or a record with no pk where one
 * is needed.
 */
export function sortDump(records: DumpRecord[], map: ImportMap): SortedDump {
  const byModel = new Map<string, DumpRecord[]>()
  for (const record of records) byModel.set(record.model, [...(byModel.get(record.model) ?? []), record])
  const named = new Map(Object.entries(map.models ?? {}).map(([model, kind]) => [model.toLowerCase(), kind]))
  const sorted: SortedDump = { byKind: { users: [], patients: [], doctors: [], assignments: [] }, models: {}, skipped: new Map() }
  const unknown: string[] = []
  for (const [model, list] of byModel) {
    const kind = named.get(model) ?? guessKind(model, list)
    if (kind === undefined) {
      unknown.push(`${model} (${list.length} record${list.length === 1 ? '' : 's'})`)
      continue
    }
    if (kind === 'skip') {
      sorted.skipped.set(model, list.length)
      continue
    }
    const other = sorted.models[kind]
    if (other) throw new ImportRefusal(`Both ${other} and ${model} look like ${kind}: say which one in the map file's "models" (the other as "skip").`)
    sorted.models[kind] = model
    sorted.byKind[kind] = list
  }
  if (unknown.length) {
    throw new ImportRefusal(
      `No known mapping for ${unknown.join(', ')}: name ${unknown.length === 1 ? 'it' : 'each'} in the map file's "models" as users, patients, doctors, assignments or skip (docs/import.md).`,
    )
  }
  for (const kind of KINDS) {
    const seen = new Set<string>()
    for (const record of sorted.byKind[kind]) {
      if (record.key === null && kind !== 'users') throw new ImportRefusal(`Entry ${record.index} (${record.model}) has no pk.`)
      const key = record.key ?? naturalUserKey(record)
      if (key === null) throw new ImportRefusal(`Entry ${record.index} (${record.model}) has neither a pk nor a username or email.`)
      if (seen.has(key)) throw new ImportRefusal(`Entry ${record.index} (${record.model}) repeats the key ${key}.`)
      seen.add(key)
      record.key = key
    }
  }
  return sorted
}

/** A user's key in a dump made with --natural-primary: its natural key as dumpdata writes it in references. */
function naturalUserKey(record: DumpRecord): string | null {
  const { username, email } = record.fields
  if (typeof username === 'string' && username) return JSON.stringify([username])
  if (typeof email === 'string' && email) return JSON.stringify([email])
  return null
}

/** Where each field of a kind is read from, first name found wins; the map's `fields` come first. */
const ALIASES: Record<Kind, Record<string, string[]>> = {
  users: {
    email: ['email'],
    username: ['username'],
    name: ['name', 'full_name'],
    first_name: ['first_name'],
    last_name: ['last_name'],
    password: ['password'],
    is_active: ['is_active'],
    is_superuser: ['is_superuser'],
    is_staff: ['is_staff'],
    date_joined: ['date_joined', 'created_at'],
  },
  patients: {
    name: ['name', 'full_name'],
    first_name: ['first_name'],
    last_name: ['last_name'],
    date_of_birth: ['date_of_birth', 'dob', 'birth_date', 'birthdate'],
    age: ['age'],
    gender: ['gender', 'sex'],
    email: ['email'],
    phone_number: ['phone_number', 'phone', 'contact_number', 'contact', 'mobile'],
    address: ['address'],
    blood_group: ['blood_group', 'blood_type'],
    medical_history: ['medical_history', 'history', 'disease', 'diagnosis', 'medical_notes', 'notes'],
    owner: ['created_by', 'user', 'owner', 'added_by'],
    created_at: ['created_at', 'created', 'date_created'],
    updated_at: ['updated_at', 'updated', 'modified'],
  },
  doctors: {
    name: ['name', 'full_name'],
    first_name: ['first_name'],
    last_name: ['last_name'],
    specialization: ['specialization', 'specialty', 'speciality', 'department'],
    email: ['email'],
    phone_number: ['phone_number', 'phone', 'contact_number', 'contact', 'mobile'],
    qualification: ['qualification', 'qualifications'],
    experience_years: ['experience_years', 'years_of_experience', 'experience'],
    license_number: ['license_number', 'licence_number', 'license_no', 'registration_number'],
    clinic_address: ['clinic_address', 'address', 'hospital'],
    consultation_fee: ['consultation_fee', 'fee', 'fees'],
    is_available: ['is_available', 'available'],
    owner: ['created_by', 'user', 'owner', 'added_by'],
    created_at: ['created_at', 'created', 'date_created'],
    updated_at: ['updated_at', 'updated', 'modified'],
  },
  assignments: {
    patient: ['patient'],
    doctor: ['doctor'],
    notes: ['notes', 'note', 'remarks'],
    is_active: ['is_active', 'active'],
    assigned_by: ['assigned_by', 'created_by', 'user'],
    assigned_at: ['assigned_at', 'created_at', 'created', 'date_assigned'],
    updated_at: ['updated_at', 'updated', 'modified'],
  },
}

/** For one kind: each target field's source field name (absent when the dump has none). */
export type FieldPlan = Record<string, string | undefined>

/**
 * Which source field feeds each target field of a kind, and the source fields nothing reads (the
 * report lists them, so nothing is dropped unseen).
 */
export function planFields(kind: Kind, records: DumpRecord[], map: ImportMap): { fields: FieldPlan; unread: string[] } {
  const present = new Set(records.flatMap((record) => Object.keys(record.fields)))
  const overrides = map.fields?.[kind] ?? {}
  const fields: FieldPlan = {}
  const read = new Set<string>()
  for (const [target, aliases] of Object.entries(ALIASES[kind])) {
    const source = target in overrides ? overrides[target] : aliases.find((alias) => present.has(alias) && !read.has(alias))
    if (source && present.has(source)) {
      fields[target] = source
      read.add(source)
    }
  }
  const unknownTargets = Object.keys(overrides).filter((target) => !(target in ALIASES[kind]))
  if (unknownTargets.length) {
    throw new ImportRefusal(`The map file's fields.${kind} names ${unknownTargets.join(', ')}, which ${kind} do not have: use ${Object.keys(ALIASES[kind]).join(', ')}.`)
  }
  return { fields, unread: [...present].filter((field) => !read.has(field)).sort() }
}
