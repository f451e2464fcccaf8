import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { importDjango, ImportRefusal, parseMap, type ImportIo, type ImportReport, type RunOptions } from '../scripts/django/run'
import { classifyPassword, gender, specialization, timestamp, birthDateFromAge } from '../scripts/django/values'
import { literal, MAX_STATEMENT_BYTES, stateReads, writeUnits } from '../scripts/django/sql'
import { planImport, emptyState } from '../scripts/django/plan'
import { parseDump, sortDump } from '../scripts/django/source'
import naturalKeys from './fixtures/django/natural-keys.json'
import pks from './fixtures/django/pks.json'
import pksMap from './fixtures/django/pks-map.json'
import { TEXT_MESSAGES } from '../src/schemas/common'
import { send } from './helpers'

/** The test database, reached the way the CLI reaches it through wrangler: each write one atomic batch. */
const io: ImportIo = {
  read: async (statements) => (await env.DB.batch(statements.map((sql) => env.DB.prepare(sql)))).map((result) => result.results as Record<string, unknown>[]),
  write: async (statements, reads) => {
    const results = await env.DB.batch([...statements, ...reads].map((sql) => env.DB.prepare(sql)))
    return reads.length ? results.slice(statements.length).map((result) => result.results as Record<string, unknown>[]) : undefined
  },
}

type Dump = typeof naturalKeys | typeof pks
/** A dump entry a test edits before importing it. */
type Entry = { model: string; pk?: number; fields: Record<string, unknown> }

let tags = 0
/**
 * The fixture as another Django system would dump it: its own app labels, usernames, emails and
 * licences, so every test imports records no other test of this file has imported.
 */
function tagged(dump: Dump | unknown[], transform: (records: Entry[]) => void = () => {}): { text: string; tag: string } {
  const tag = `t${Date.now().toString(36)}${++tags}`
  const records = structuredClone(dump) as Entry[]
  transform(records)
  const text = JSON.stringify(records)
    .replace(/"model":"(?!auth\.|contenttypes\.)(\w+)\./g, `"model":"${tag}$1.`)
    .replace(/(north|south)side\.test/gi, `$1side-${tag}.test`)
    .replace(/hospital\.test/g, `hospital-${tag}.test`)
    .replace(/"username":"(\w+)"/g, `"username":"$1-${tag}"`)
    .replace(/\["(\w+)"\]/g, `["$1-${tag}"]`)
    .replace(/"license_number":"([^"]+)"/g, `"license_number":"$1-${tag}"`)
  return { text, tag }
}

const run = (text: string, options: Partial<RunOptions> = {}) => importDjango(text, { file: 'dump.json', statementsPerWrite: 25, ...options }, io)

const first = async <T>(sql: string, ...values: unknown[]) => env.DB.prepare(sql).bind(...values).first<T>()
const all = async <T>(sql: string, ...values: unknown[]) => (await env.DB.prepare(sql).bind(...values).all<T>()).results

/** Row counts of every table an import writes, to prove a run wrote nothing. */
async function counts(): Promise<Record<string, number>> {
  const tables = ['users', 'clinics', 'clinic_members', 'patients', 'doctors', 'mappings', 'audit_events', 'audit_event_resources', 'import_keys']
  const row = await first<Record<string, number>>(`SELECT ${tables.map((table) => `(SELECT count(*) FROM ${table}) AS ${table}`).join(', ')}`)
  return row!
}

const model = (report: ImportReport, kind: string) => report.models.find((entry) => entry.kind === kind)!
const userId = async (email: string) => (await first<{ id: number }>('SELECT id FROM users WHERE email = ?', email))!.id
const keyRow = async (kind: string, modelName: string, key: string) =>
  (await first<{ row_id: number }>('SELECT row_id FROM import_keys WHERE kind = ? AND model = ? AND source_key = ?', kind, modelName, key))?.row_id

describe('import:django, a dump with natural keys (auth.user, patients, doctors, mappings)', () => {
  it('imports every model in any order into one clinic per user, audited, and a second run changes nothing', async () => {
    const { text, tag } = tagged(naturalKeys)
    const report = await run(text)

    expect(report.dryRun).toBe(false)
    expect(model(report, 'users')).toMatchObject({ imported: 7, alreadyThere: 0, refused: [] })
    expect(model(report, 'clinics')).toMatchObject({ imported: 7, refused: [] })
    expect(model(report, 'doctors')).toMatchObject({ imported: 3, refused: [] })
    expect(model(report, 'patients')).toMatchObject({ imported: 4, refused: [{ label: `${tag}patients.patient 5`, reason: expect.stringContaining('date_of_birth: The date of birth cannot be in the future.') }] })
    expect(model(report, 'assignments')).toMatchObject({ imported: 3, refused: [{ label: `${tag}mappings.patientdoctormapping 4`, reason: `its patient ${tag}patients.patient 5 was refused` }] })
    expect(report.skipped).toEqual([['contenttypes.contenttype', 1]])
    expect(report.unread).toContainEqual(['auth.user', ['groups', 'last_login', 'user_permissions']])

    const alice = await first<Record<string, unknown>>('SELECT * FROM users WHERE email = ?', `alice@northside-${tag}.test`)
    const aliceSource = naturalKeys.find((record) => record.fields.username === 'alice')!
    expect(alice).toMatchObject({ name: 'Alice Moreau', role: 'user', is_active: 1, date_joined: '2024-01-02T08:00:00Z', password_hash: aliceSource.fields.password })
    expect(await first('SELECT role, is_active FROM users WHERE email = ?', `admin@northside-${tag}.test`)).toEqual({ role: 'admin', is_active: 1 })
    expect(await first('SELECT is_active FROM users WHERE email = ?', `frank@northside-${tag}.test`)).toEqual({ is_active: 0 })
    expect(await first('SELECT name FROM users WHERE email = ?', `bob@northside-${tag}.test`)).toEqual({ name: `bob@northside-${tag}.test` })

    const aliceClinic = await first<{ clinic_id: number; role: string; name: string }>(
      'SELECT m.clinic_id, m.role, c.name FROM clinic_members m JOIN clinics c ON c.id = m.clinic_id WHERE m.user_id = ?',
      alice!.id,
    )
    expect(aliceClinic).toMatchObject({ role: 'admin', name: "Alice Moreau's clinic" })

    const graceId = await keyRow('patient', `${tag}patients.patient`, '1')
    expect(await first('SELECT * FROM patients WHERE id = ?', graceId)).toMatchObject({
      clinic_id: aliceClinic!.clinic_id,
      created_by: alice!.id,
      name: 'Grace Hopper',
      gender: 'female',
      phone_number: '+14155550101',
      blood_group: 'O+',
      medical_history: "Penicillin allergy; \"quoted\" -- not a comment /* nor this */\nSecond line, O'Brien's note; BEGIN TRANSACTION; CASE closed END; COMMIT; $tag$ Zoë",
      created_at: '2024-03-01T09:30:00Z',
      updated_at: '2024-03-05T11:00:00Z',
    })
    const turingId = await keyRow('patient', `${tag}patients.patient`, '2')
    expect(await first('SELECT gender, email, blood_group, medical_history FROM patients WHERE id = ?', turingId)).toEqual({ gender: 'male', email: null, blood_group: null, medical_history: null })

    const doctors = await all<Record<string, unknown>>(
      `SELECT d.specialization, d.consultation_fee_cents, d.is_available, d.created_at, d.created_by FROM import_keys k JOIN doctors d ON d.id = k.row_id
       WHERE k.kind = 'doctor' AND k.model = ? ORDER BY CAST(k.source_key AS INTEGER)`,
      `${tag}doctors.doctor`,
    )
    const adminId = await userId(`admin@northside-${tag}.test`)
    expect(doctors).toEqual([
      { specialization: 'Cardiology', consultation_fee_cents: 15000, is_available: 1, created_at: '2024-02-01T09:00:00Z', created_by: adminId },
      { specialization: 'General Practice', consultation_fee_cents: 6050, is_available: 0, created_at: '2024-02-02T07:00:00Z', created_by: alice!.id },
      { specialization: 'ENT', consultation_fee_cents: 9500, is_available: 1, created_at: '2024-02-03T09:00:00Z', created_by: adminId },
    ])

    const assignment = await first('SELECT * FROM mappings WHERE id = ?', await keyRow('mapping', `${tag}mappings.patientdoctormapping`, '2'))
    expect(assignment).toMatchObject({ patient_id: turingId, notes: null, is_active: 0, assigned_by: alice!.id, assigned_at: '2024-03-03T10:00:00Z', updated_at: '2024-04-01T10:00:00Z' })

    const events = await all<Record<string, unknown>>('SELECT action, resource_type, actor_id, clinic_id, detail FROM audit_events WHERE request_id = ?', report.runId)
    expect(events).toHaveLength(7 + 7 + 3 + 4 + 3)
    expect(events.every((event) => event.action === 'import' && event.actor_id === null)).toBe(true)
    const graceEvent = events.find((event) => event.resource_type === 'patient' && JSON.parse(String(event.detail)).pk === '1')
    expect(graceEvent).toMatchObject({ clinic_id: aliceClinic!.clinic_id })
    expect(JSON.parse(String(graceEvent!.detail))).toEqual({ source: 'django', model: `${tag}patients.patient`, pk: '1', file: 'dump.json' })
    const userDetail = (username: string) =>
      JSON.parse(String(events.find((event) => event.resource_type === 'user' && JSON.parse(String(event.detail)).pk === `["${username}"]`)!.detail))
    expect(userDetail(`admin-${tag}`)).toMatchObject({ model: 'auth.user', role: 'admin', login: 'kept' })
    expect(userDetail(`bob@northside-${tag}.test`)).toMatchObject({ role: 'user', login: 'disabled' })

    const before = await counts()
    const again = await run(text)
    expect(again.changes).toBe(false)
    expect(again.models.map((entry) => [entry.kind, entry.imported, entry.alreadyThere])).toEqual([
      ['users', 0, 7],
      ['clinics', 0, 7],
      ['doctors', 0, 3],
      ['patients', 0, 4],
      ['assignments', 0, 3],
    ])
    expect(await counts()).toEqual(before)
  })

  it('lets imported users sign in with their Django password, re-hashing it; the others are refused until a password is set', async () => {
    const { text, tag } = tagged(naturalKeys)
    const report = await run(text)
    expect(report.keptPasswords).toBe(3)
    expect(report.disabledLogins.map((user) => [user.email, user.reason])).toEqual([
      [`bob@northside-${tag}.test`, expect.stringContaining('bcrypt')],
      [`carol@northside-${tag}.test`, expect.stringContaining('unusable')],
      [`dave@northside-${tag}.test`, expect.stringContaining('Argon2')],
      [`erin@northside-${tag}.test`, expect.stringContaining('SHA-1')],
    ])

    const alice = `alice@northside-${tag}.test`
    const signedIn = await send('POST', '/api/auth/login/', { body: { email: alice, password: 'alice-old-password' } })
    expect(signedIn.status).toBe(200)
    const { password_hash } = (await first<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = ?', alice))!
    expect(password_hash).toMatch(/^pbkdf2_sha256\$1000\$/)
    expect(password_hash).not.toBe(naturalKeys.find((record) => record.fields.username === 'alice')!.fields.password)

    // Django 2.2's 150,000 iterations, checked in pure JS above the Workers limit (3.2 and later write more).
    const admin = await send('POST', '/api/auth/login/', { body: { email: `admin@northside-${tag}.test`, password: 'admin-old-passphrase' } })
    expect(admin.status).toBe(200)
    expect((await first<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = ?', `admin@northside-${tag}.test`))!.password_hash).toMatch(/^pbkdf2_sha256\$1000\$/)

    for (const [email, password] of [
      [`frank@northside-${tag}.test`, 'frank-old-password'],
      [`bob@northside-${tag}.test`, 'anything-at-all'],
      [`carol@northside-${tag}.test`, '!'],
    ]) {
      const refused = await send('POST', '/api/auth/login/', { body: { email, password } })
      expect(refused.status).toBe(401)
      expect(refused.body.code).toBe('invalid_credentials')
    }
    expect((await first<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = ?', `bob@northside-${tag}.test`))!.password_hash).toMatch(/^!bcrypt_sha256\$/)

    // The patient's history starts with the import.
    const grace = await keyRow('patient', `${tag}patients.patient`, '1')
    const history = await send('GET', `/api/patients/${grace}/history/`, { token: signedIn.body.access })
    expect(history.status).toBe(200)
    const oldest = history.body.results[history.body.results.length - 1]
    expect(oldest).toMatchObject({ action: 'import', resource_type: 'patient', resource_id: grace, actor_id: null })
    expect(history.body.results.some((event: { action: string; resource_type: string }) => event.action === 'import' && event.resource_type === 'mapping')).toBe(true)
  }, 90_000)

  it('refuses names and notes with control characters, as the API does, each with its reason', async () => {
    const fieldsOf = (records: Entry[], modelName: string, pk: number | string) =>
      records.find((record) => record.model === modelName && (record.pk ?? record.fields.username) === pk)!.fields
    const { text, tag } = tagged(naturalKeys, (records) => {
      fieldsOf(records, 'auth.user', 'carol').first_name = 'Ca\u001brol'
      fieldsOf(records, 'patients.patient', 3).name = 'Ada\tByron'
      fieldsOf(records, 'mappings.patientdoctormapping', 1).notes = 'Quarterly\u0007review'
    })
    const report = await run(text)
    expect(model(report, 'users')).toMatchObject({ imported: 6, refused: [{ reason: `name: ${TEXT_MESSAGES.oneLine}` }] })
    expect(model(report, 'patients').refused.map((refused) => refused.reason)).toEqual([`name: ${TEXT_MESSAGES.oneLine}`, expect.stringContaining('date_of_birth')])
    expect(model(report, 'assignments').refused.map((refused) => refused.reason)).toEqual([
      `notes: ${TEXT_MESSAGES.lines}`,
      `its patient ${tag}patients.patient 3 was refused`,
      `its patient ${tag}patients.patient 5 was refused`,
    ])
    expect(await first('SELECT count(*) AS n FROM users WHERE email = ?', `carol@northside-${tag}.test`)).toEqual({ n: 0 })
    expect(await keyRow('patient', `${tag}patients.patient`, '3')).toBeUndefined()
    expect(await keyRow('mapping', `${tag}mappings.patientdoctormapping`, '1')).toBeUndefined()
    expect(await keyRow('mapping', `${tag}mappings.patientdoctormapping`, '2')).toEqual(expect.any(Number))
  })

  it('adds only the new records of a later dump of the same system', async () => {
    const { text } = tagged(naturalKeys)
    const records = JSON.parse(text) as { model: string; pk?: number }[]
    const earlier = records.filter((record) => !(record.model.endsWith('patients.patient') && record.pk === 3) && !(record.model.endsWith('patientdoctormapping') && record.pk === 3))
    const firstRun = await run(JSON.stringify(earlier))
    expect(model(firstRun, 'patients').imported).toBe(3)
    expect(model(firstRun, 'assignments')).toMatchObject({ imported: 2, refused: [{ label: expect.stringMatching(/patientdoctormapping 4$/) }] })

    const later = await run(text)
    expect(model(later, 'users')).toMatchObject({ imported: 0, alreadyThere: 7 })
    expect(model(later, 'patients')).toMatchObject({ imported: 1, alreadyThere: 3 })
    expect(model(later, 'assignments')).toMatchObject({ imported: 1, alreadyThere: 2 })
    expect(await all('SELECT resource_type FROM audit_events WHERE request_id = ? ORDER BY id', later.runId)).toEqual([{ resource_type: 'patient' }, { resource_type: 'mapping' }])
  })

  it('with --dry-run, plans and reports the same without writing anything', async () => {
    const { text } = tagged(naturalKeys)
    const before = await counts()
    const dry = await run(text, { dryRun: true })
    expect(await counts()).toEqual(before)
    expect(dry.dryRun).toBe(true)
    const real = await run(text)
    const summary = (report: ImportReport) => report.models.map(({ kind, imported, alreadyThere, refused }) => ({ kind, imported, alreadyThere, refused }))
    expect(summary(dry)).toEqual(summary(real))
  })

  it('links a user whose email already has an account here, leaving its password and role alone', async () => {
    const { text, tag } = tagged(naturalKeys)
    const email = `alice@northside-${tag}.test`
    await env.DB.prepare("INSERT INTO users (name, email, password_hash) VALUES ('Alice Here', ?, 'pbkdf2_sha256$1000$c2FsdA$x')").bind(email).run()
    const report = await run(text)
    expect(model(report, 'users')).toMatchObject({ imported: 6, linked: 1 })
    expect(await first('SELECT name, password_hash FROM users WHERE email = ?', email)).toEqual({ name: 'Alice Here', password_hash: 'pbkdf2_sha256$1000$c2FsdA$x' })
    const grace = await keyRow('patient', `${tag}patients.patient`, '1')
    expect(await first('SELECT created_by FROM patients WHERE id = ?', grace)).toEqual({ created_by: await userId(email) })
    // Her Django records come in a clinic of their own, named from the dump.
    expect(await first('SELECT name FROM clinics WHERE id = ?', await keyRow('clinic', 'auth.user', `["alice-${tag}"]`))).toEqual({ name: "Alice Moreau's clinic" })
  })
})

describe('import:django, a dump with pks (a custom user model, patients with an age)', () => {
  it('refuses a patient with only an age, with its own reason, and the map file supplies a rule', async () => {
    const { text, tag } = tagged(pks)
    const without = await run(text)
    expect(model(without, 'users')).toMatchObject({ imported: 3, refused: [{ label: `${tag}accounts.user 4`, reason: '"not-an-email" is not a valid email address' }] })
    expect(model(without, 'patients').imported).toBe(0)
    expect(model(without, 'patients').refused[0].reason).toMatch(/^only an age \(34\), no date of birth: none is invented/)
    expect(model(without, 'assignments').refused[0].reason).toBe(`its patient ${tag}api.patient 21 was refused`)

    const withMap = await run(text, { map: parseMap(JSON.stringify(pksMap)) })
    expect(model(withMap, 'patients')).toMatchObject({ imported: 3, refused: [] })
    expect(model(withMap, 'patients').notes[0].note).toBe('date of birth 1991-06-30 estimated from age 34 on 2025-06-30')
    expect(model(withMap, 'assignments')).toMatchObject({ imported: 3, refused: [] })
    const olivia = await first<Record<string, unknown>>('SELECT * FROM patients WHERE id = ?', await keyRow('patient', `${tag}api.patient`, '21'))
    expect(olivia).toMatchObject({ date_of_birth: '1991-06-30', gender: 'female', medical_history: 'Migraine', created_by: await userId(`kim@southside-${tag}.test`) })
    const neurologist = await first<Record<string, unknown>>('SELECT * FROM doctors WHERE id = ?', await keyRow('doctor', `${tag}api.doctor`, '31'))
    // No owner in this shape: the staff user is recorded as who added it.
    expect(neurologist).toMatchObject({ specialization: 'Neurology', consultation_fee_cents: 20000, phone_number: '9876543210', created_by: await userId(`owner@southside-${tag}.test`) })
  })

  it('with --clinic, everyone joins one clinic: staff as admin, the others as clinician, the map says otherwise', async () => {
    const { text, tag } = tagged(pks)
    const map = parseMap(JSON.stringify(pksMap).replace('southside.test', `southside-${tag}.test`))
    const report = await run(text, { clinic: `Southside ${tag}`, map })
    expect(model(report, 'clinics')).toMatchObject({ model: `clinic "Southside ${tag}"`, imported: 1 })
    const clinicId = await keyRow('clinic', 'clinic', `Southside ${tag}`)
    const members = await all<{ email: string; role: string }>(
      'SELECT u.email, m.role FROM clinic_members m JOIN users u ON u.id = m.user_id WHERE m.clinic_id = ? ORDER BY u.email',
      clinicId,
    )
    expect(members).toEqual([
      { email: `kim@southside-${tag}.test`, role: 'clinician' },
      { email: `lee@southside-${tag}.test`, role: 'front_desk' },
      { email: `owner@southside-${tag}.test`, role: 'admin' },
    ])
    expect(await all('SELECT DISTINCT clinic_id FROM patients WHERE id IN (SELECT row_id FROM import_keys WHERE kind = ? AND model = ?)', 'patient', `${tag}api.patient`)).toEqual([{ clinic_id: clinicId }])
    expect(await first("SELECT count(*) AS n FROM users WHERE email LIKE ? AND role = 'admin'", `%southside-${tag}.test`)).toEqual({ n: 0 })
  })

  it('with --clinic and no superuser or staff, refuses unless --clinic-admin names one', async () => {
    const noStaff = (records: Entry[]) => records.forEach((record) => record.fields.is_staff === true && (record.fields.is_staff = false))
    const { text, tag } = tagged(pks, noStaff)
    const before = await counts()
    await expect(run(text, { clinic: `Eastside ${tag}` })).rejects.toThrow(/would have no admin.*--clinic-admin <email>/)
    expect(await counts()).toEqual(before)
    await expect(run(text, { clinic: `Eastside ${tag}`, clinicAdmin: 'nobody@example.com' })).rejects.toThrow('--clinic-admin nobody@example.com is not a user of this dump')
    expect(await counts()).toEqual(before)

    await run(text, { clinic: `Eastside ${tag}`, clinicAdmin: `KIM@southside-${tag}.test` })
    const roles = await all<{ email: string; role: string }>(
      'SELECT u.email, m.role FROM clinic_members m JOIN users u ON u.id = m.user_id WHERE m.clinic_id = ? ORDER BY u.email',
      await keyRow('clinic', 'clinic', `Eastside ${tag}`),
    )
    expect(roles.map((member) => member.role)).toEqual(['admin', 'clinician', 'clinician'])
  })
})

describe('import:django refuses a malformed input as a whole', () => {
  const cases: [string, () => string, RegExp][] = [
    ['text that is not JSON', () => '[{"model": "auth.user",', /^The dump is not JSON/],
    ['an object instead of an array', () => JSON.stringify({ model: 'auth.user', fields: {} }), /^The dump is not a dumpdata array/],
    ['an entry without fields', () => JSON.stringify([...naturalKeys, { model: 'patients.patient', pk: 99 }]), /entry 20 is not a/],
    ['a model with no known mapping', () => JSON.stringify([...naturalKeys, { model: 'billing.invoice', pk: 1, fields: { total: '9.99' } }]), /^No known mapping for billing\.invoice \(1 record\)/],
    ['a pk twice', () => JSON.stringify([...naturalKeys, naturalKeys.find((record) => record.model === 'doctors.doctor')!]), /repeats the key 1/],
  ]
  for (const [what, dump, message] of cases) {
    it(`${what}: nothing is written`, async () => {
      const before = await counts()
      const refusal = await run(dump()).catch((error: unknown) => error)
      expect(refusal).toBeInstanceOf(ImportRefusal)
      expect((refusal as Error).message).toMatch(message)
      expect(await counts()).toEqual(before)
    })
  }

  it('a map file that is not valid is refused with where and why', () => {
    expect(() => parseMap('{"roles": {"a@example.com": "owner"}}')).toThrow(/^The map file is not valid at roles\.a@example\.com:/)
    expect(() => parseMap('{"colours": {}}')).toThrow(/^The map file is not valid/)
    expect(() => parseMap('nope')).toThrow(/^The map file is not JSON/)
  })
})

describe('import:django field maps', () => {
  it('keeps PBKDF2-SHA256 hashes the login accepts and gives every other hash its reason', () => {
    const hash = naturalKeys.find((record) => record.fields.username === 'alice')!.fields.password!
    expect(classifyPassword(hash)).toEqual({ usable: true, hash, iterations: 2000 })
    expect(classifyPassword(hash.replace('$2000$', '$1000001$'))).toMatchObject({ usable: false, reason: expect.stringContaining('above the 1,000,000') })
    expect(classifyPassword('pbkdf2_sha256$abc$salt$hash')).toMatchObject({ usable: false, reason: 'a malformed PBKDF2-SHA256 hash' })
    expect(classifyPassword('!')).toMatchObject({ usable: false, stored: '!' })
    expect(classifyPassword('')).toMatchObject({ usable: false, reason: 'no password in the dump', stored: '!' })
    expect(classifyPassword('argon2$argon2id$x')).toMatchObject({ usable: false, stored: '!argon2$argon2id$x' })
    expect(classifyPassword('md5$salt$abc').usable).toBe(false)
    expect(classifyPassword('something-else')).toMatchObject({ usable: false, reason: 'a hash in a format this API does not know' })
  })

  it('reads genders, specialization codes, timestamps and ages as these projects write them', () => {
    expect(['M', 'f', 'Other', 'male', 'FEMALE'].map((value) => gender(value))).toEqual(['male', 'female', 'other', 'male', 'female'])
    expect(gender('X')).toBeUndefined()
    expect(gender('X', { X: 'other' })).toBe('other')
    expect(['CARDIOLOGY', 'GENERAL_PRACTICE', 'ENT', 'Pediatrics', 'ob gyn'].map((value) => specialization(value))).toEqual(['Cardiology', 'General Practice', 'ENT', 'Pediatrics', 'ob gyn'])
    expect(specialization('CARDIO', { CARDIO: 'Cardiology' })).toBe('Cardiology')
    expect(timestamp('2024-03-01T09:30:00.123456Z')).toBe('2024-03-01T09:30:00Z')
    expect(timestamp('2024-03-01T09:30:00+05:30')).toBe('2024-03-01T04:00:00Z')
    expect(timestamp('2024-03-01 09:30')).toBe('2024-03-01T09:30:00Z')
    expect(timestamp('2024-03-01')).toBe('2024-03-01T00:00:00Z')
    expect(timestamp('yesterday')).toBeUndefined()
    expect(birthDateFromAge(34, '2025-06-30')).toBe('1991-06-30')
    expect(birthDateFromAge(1, '2024-02-29')).toBe('2023-02-28')
  })

  it('writes text that a statement splitter could misread as UTF-8 hex, and plain text as it is', async () => {
    expect(literal('alice@example.com')).toBe("'alice@example.com'")
    expect(literal('pbkdf2_sha256$2000$salt$abc+/=')).toBe("'pbkdf2_sha256$2000$salt$abc+/='")
    for (const text of ["O'Brien", 'a -- b', 'x; BEGIN TRANSACTION', 'CASE 1 END', 'Zoë', 'line\nbreak', 'a /* b */']) {
      expect(literal(text)).toMatch(/^CAST\(X'[0-9a-f]+' AS TEXT\)$/)
      expect(await first<{ value: string }>(`SELECT ${literal(text)} AS value`)).toEqual({ value: text })
    }
  })

  it('writes statements that stay within D1 limits, with no bound parameters', () => {
    const long = structuredClone(naturalKeys) as Entry[]
    long.find((record) => record.model === 'patients.patient')!.fields.medical_history = 'x'.repeat(10_000)
    const dump = sortDump(parseDump(JSON.stringify(long)), {})
    const units = writeUnits(planImport(dump, emptyState(), { map: {} }), 'import-test')
    const statements = units.flatMap((unit) => unit.statements)
    expect(statements.length).toBeGreaterThan(50)
    expect(Math.max(...statements.map((statement) => new TextEncoder().encode(statement).length))).toBeLessThan(MAX_STATEMENT_BYTES)
    expect(statements.some((statement) => statement.includes('?'))).toBe(false)
  })

  it('reads the state of a large dump in statements within D1 limits', async () => {
    const many = Array.from({ length: 6000 }, (_, index) => ({
      model: 'patients.patient',
      pk: index + 1,
      fields: { name: `Patient ${index}`, email: `patient.with.a.long.address.${index}@patients.example.com`, created_by: 1 },
    }))
    const reads = stateReads(sortDump(parseDump(JSON.stringify(many)), {}))
    expect(reads.filter((read) => read.what === 'patientEmails').length).toBeGreaterThan(1)
    expect(Math.max(...reads.map((read) => new TextEncoder().encode(read.sql).length))).toBeLessThan(MAX_STATEMENT_BYTES)
    const answers = await io.read(reads.map((read) => read.sql))
    expect(answers).toHaveLength(reads.length)
  })
})
