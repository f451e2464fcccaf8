import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_BODY_BYTES } from '../src/middleware/json-body'
import type { AuditEventRow } from '../src/db/schema'
import { auditEventsAfterQuery, batchRows, testDb } from './db'
import { createDoctor, createAssignment, createPatient, GOOD_PASSWORD, registerUser, send, signedInAdmin, signedInUser, uniqueEmail } from './helpers'

/*
 * Generated junk thrown at every write route. Whatever arrives, the API must answer with its
 * success status and an object, or with the error envelope (no 5xx, no internals); a refused
 * request must leave users, patients, doctors, mappings and refresh_tokens exactly as they were;
 * the audit trail records at most one event per request, never an `ok` for a refusal; and a request
 * aimed at another clinic's record (every user here registered alone, in a clinic of their own) is never a success. Each input family is its own property, so one
 * bug does not hide the others; seeds are fixed.
 */

type Body = Record<string, unknown>

let ipCounter = 0
/** A new RFC 2544 benchmarking address per request, so no per-IP limit counts two runs. */
const nextIp = () => {
  const n = ++ipCounter
  return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`
}

const registered = async () => {
  const { user, email } = await registerUser({ name: 'Property Tester', email: uniqueEmail('property') })
  return { id: user.id, email }
}

const newPatient = async (token: string): Promise<number> => (await createPatient(token, VALID_PATIENT)).id
const newDoctor = async (token: string): Promise<number> => (await createDoctor(token, VALID_DOCTOR)).id
const newMapping = async (token: string, patient: number, doctor: number): Promise<number> => (await createAssignment(token, patient, doctor)).id

/** A long repeated string that prints as a recipe, so a counterexample stays readable. */
class Repeated {
  constructor(
    readonly unit: string,
    readonly times: number,
  ) {}
  toJSON() {
    return this.unit.repeat(this.times)
  }
  [fc.toStringMethod]() {
    return `${JSON.stringify(this.unit)}.repeat(${this.times})`
  }
}

/** Arrays nested `depth` deep, printed as a recipe. */
class Nested {
  constructor(readonly depth: number) {}
  toJSON() {
    let value: unknown = []
    for (let i = 1; i < this.depth; i++) value = [value]
    return value
  }
  [fc.toStringMethod]() {
    return `[...${this.depth} deep]`
  }
}

const EDGE_TEXT = [
  '', ' ', '\t\r\n', '\u0000', 'a\u0000', '\u0000a', ' \u0000 ', '\u200b', '\u200b\u200c\u200d', '\u200e\u200fRTL', '\u202egnp.exe',
  '\ufeff', '\u00a0', '\uffff', '😀', '👩🏽‍⚕️', '🏳️‍🌈', 'e\u0301', 'İß', '\ud800', '\udc00', 'a\ud800b', '\udfff\ud800',
  "'; DROP TABLE patients; --", '1 OR 1=1', "' OR '1'='1", '" OR ""="', '1; SELECT * FROM users', "admin'--", '%', '_', '\\', '%_\\',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '{{7*7}}', '${7*7}', '../../etc/passwd',
  '__proto__', 'constructor', 'null', 'undefined', 'true', 'NaN', 'Infinity', '-Infinity', '1e309', '-1e309', '0x1F', '1_000',
  ' 42 ', '42', '-1', '0', '1.5', '150.505', '-0.00', '+15551234567', '2024-02-30', '1899-12-31', '9999-12-31',
  '1980-03-15T00:00:00Z', 'MALE', 'O+', 'admin', 'user', 'a@b.co', ' A@B.CO ', 'ada@@example.com',
]

const loneSurrogates = fc
  .array(fc.oneof(fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)), fc.string({ maxLength: 3 })), {
    minLength: 1,
    maxLength: 6,
  })
  .map((parts) => parts.join(''))

/** Lengths around every limit in the schemas and the database, and past the body limit. */
const longText = fc
  .record({
    unit: fc.constantFrom('x', ' ', 'é', '😀', '\u0000', '\u200b', "'"),
    times: fc.constantFrom(119, 120, 121, 128, 129, 150, 151, 200, 201, 254, 255, 500, 501, 1000, 1001, 1025, 10_000, 10_001, 40_000, 70_000),
  })
  .map(({ unit, times }) => new Repeated(unit, times))

const JSON_WITH_OWN_PROTO = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}')

/** A value of any type that a field might receive. */
const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...EDGE_TEXT) },
  { weight: 2, arbitrary: longText },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: loneSurrogates },
  {
    weight: 2,
    arbitrary: fc.constantFrom(null, true, false, 0, -0, -1, 1, 0.5, 1e-7, 80, 81, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, Number.MAX_VALUE),
  },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true })).map(String) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 3000 }).map((depth) => new Nested(depth)) },
  { weight: 1, arbitrary: fc.constantFrom({}, [], [null], [''], JSON_WITH_OWN_PROTO) },
)

/** Keys Object.prototype already has: a body must treat them as plain unknown fields. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__', 'toLocaleString']

const oddKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('', ' ', 'id', 'version', 'created_by', 'role', 'is_admin', "'; DROP TABLE patients; --", '<script>', 'NAME', 'a.b', '0', '\u0000', '\ud800', '😀'),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
)

/** Raw JSON tokens JSON.stringify cannot produce, each put where a field's value goes. */
const RAW_VALUES = [
  '1e309', '-1e309', '1e-400', '-0', '0e0', '1E2', '1.0', '100000000000000000000000000000', '-9223372036854775809', '"\\ud800"',
  '"\\udc00\\ud800"', '"\\u0000"', '"a\\u0000b"', '"\\u202e\\u200b"', '"\\uFEFF"', '"\\/\\b\\f"', '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}', '[]', '{}', 'null', 'true',
]

const MALFORMED = [
  '', ' ', '{', '}', '{"a":', '{"a" 1}', "{'a': 1}", '{a: 1}', '{"a": 1,}', '[1,]', '{"a": NaN}', '{"a": Infinity}', '{"a": undefined}',
  '{"a": 01}', '{"a": .5}', '{"a": +1}', '{"a": 0x10}', '{"a": "\\x41"}', '{"a": "\\u12"}', '{"a": "open}', '{"a": "tab\tin"}',
  '// comment\n{}', '{} trailing', '{}{}', 'nul\u0000l', '\u0000', '\ufeff\ufeff{}', '"', 'tru', '{"\\ud800": 1}',
  '['.repeat(30_000) + ']'.repeat(30_000), '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000),
]

/** Byte sequences that are not UTF-8: a stray continuation, an overlong NUL, an encoded surrogate, past U+10FFFF, cut short. */
const BAD_UTF8 = [[0xff], [0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x80], [0xfe, 0xff]]

const MEDIA_TYPES = [
  null, 'text/plain', '', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx',
  'application/json-patch', 'json', 'application/json; charset=utf-16', 'APPLICATION/JSON', 'application/merge-patch+json', 'application/json, text/plain',
]

const BODY_SIZES = [MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1, MAX_BODY_BYTES + 4096, 4 * MAX_BODY_BYTES, 1024 * 1024]

/** How to turn a valid body into a request body; plain data, so a counterexample reads as what was sent. */
type Recipe =
  | { kind: 'set'; changes: [string, unknown][] }
  | { kind: 'drop'; fields: string[] }
  | { kind: 'splice'; key: string; value: unknown; first: boolean }
  | { kind: 'raw-value'; field: string; raw: string }
  | { kind: 'bad-utf8'; field: string; bytes: number[] }
  | { kind: 'text'; text: string }
  | { kind: 'non-object'; value: unknown }
  | { kind: 'wrapped'; how: 'array' | 'string' | 'nested' }
  | { kind: 'size'; field: string; unit: string; bytes: number; stream: boolean }
  | { kind: 'media'; contentType: string | null; junk: boolean }
  | { kind: 'replace'; value: unknown }

interface Prepared {
  body: string | Uint8Array | ReadableStream<Uint8Array>
  contentType: string | null
  /** What was sent, for failure messages. */
  shown: string
}

const MARK = '@@raw-value@@'
const utf8 = new TextEncoder()

function splice(valid: Body, key: string, value: unknown, first: boolean): string {
  const pair = `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`
  const rest = JSON.stringify(valid)
  if (rest === '{}') return `{${pair}}`
  return first ? `{${pair},${rest.slice(1)}` : `${rest.slice(0, -1)},${pair}}`
}

function prepare(recipe: Recipe, valid: Body): Prepared {
  const json = (text: string): Prepared => ({ body: text, contentType: 'application/json', shown: text })
  switch (recipe.kind) {
    case 'set':
      return json(JSON.stringify({ ...valid, ...Object.fromEntries(recipe.changes) }))
    case 'drop':
      return json(JSON.stringify(Object.fromEntries(Object.entries(valid).filter(([key]) => !recipe.fields.includes(key)))))
    case 'splice':
      return json(splice(valid, recipe.key, recipe.value, recipe.first))
    case 'raw-value':
      return json(JSON.stringify({ ...valid, [recipe.field]: MARK }).replace(JSON.stringify(MARK), recipe.raw))
    case 'bad-utf8': {
      const [before, after] = JSON.stringify({ ...valid, [recipe.field]: MARK }).split(MARK)
      const bytes = new Uint8Array([...utf8.encode(before), ...recipe.bytes, ...utf8.encode(after)])
      return { body: bytes, contentType: 'application/json', shown: `${before}<bytes ${recipe.bytes.join(',')}>${after}` }
    }
    case 'text':
      return json(recipe.text)
    case 'non-object':
      return json(JSON.stringify(recipe.value) ?? 'null')
    case 'wrapped': {
      const wrapped = { array: [valid], string: JSON.stringify(valid), nested: { data: valid } }[recipe.how]
      return json(JSON.stringify(wrapped))
    }
    case 'size': {
      const base = utf8.encode(JSON.stringify({ ...valid, [recipe.field]: '' })).byteLength
      const room = Math.max(0, recipe.bytes - base)
      const unitBytes = utf8.encode(recipe.unit).byteLength
      const padding = recipe.unit.repeat(Math.floor(room / unitBytes)) + 'x'.repeat(room % unitBytes)
      const text = JSON.stringify({ ...valid, [recipe.field]: padding })
      const shown = `${JSON.stringify({ ...valid, [recipe.field]: '…' })} (${utf8.encode(text).byteLength} bytes${recipe.stream ? ', chunked' : ''})`
      return { body: recipe.stream ? new Blob([text]).stream() : text, contentType: 'application/json', shown }
    }
    case 'replace':
      return json(JSON.stringify(recipe.value) ?? 'null')
    case 'media': {
      const text = recipe.junk ? '{"a":' : JSON.stringify(valid)
      // A byte body, so that no content type is added when none is given.
      return { body: utf8.encode(text), contentType: recipe.contentType, shown: `[${recipe.contentType}] ${text}` }
    }
  }
}

/** One run: the body recipe, which id goes in the path, and an If-Match header. */
interface Input {
  recipe: Recipe
  pathId: string
  ifMatch: string | null
}

interface Family {
  runs: number
  recipe: fc.Arbitrary<Recipe>
  /** Run first whatever the seed draws: inputs that broke the API, kept so they stay covered. */
  examples?: Recipe[]
}

/** Text that has broken APIs before: injection, markup, prototype names, NUL, bidi, emoji, overflow. */
const NASTY_TEXT = [
  "'; DROP TABLE patients; --", '1 OR 1=1', '<script>alert(1)</script>', '__proto__', 'constructor', '\u0000', '\u202eevil', 'zero\u200bwidth',
  '💉🩺👩🏽‍⚕️', '9'.repeat(400), '1e309', 'NaN', '-0', '2026-02-30', ' ', '',
]

/** Any JSON value a careless or hostile client might send for one field. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...NASTY_TEXT),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ minLength: 1000, maxLength: 3000 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
)

/** Raw bodies that are not valid JSON, or JSON that JSON.stringify would never write. */
const junkText = fc.oneof(
  fc.constantFrom('{', '{"name": }', '[1, 2', 'null', '"text"', '{"a":1,"a":2}', '{"n": 1e309}', '{"s": "\\ud800"}', '\u0000', 'x'.repeat(70_000)),
  fc.string({ maxLength: 60 }),
)

/**
 * Families that ignore the valid body: the route's own fields with junk values (or unknown and
 * prototype keys, or no object at all), and raw junk text. On the routes that take a whole record,
 * also the valid body with one field junk.
 */
function junkFamilies(fields: string[], wholeRecord = false): Record<string, Family> {
  const families: Record<string, Family> = {
    "junk values in the route's own fields, or no object": {
      runs: 20,
      recipe: fc
        .oneof(
          { weight: 6, arbitrary: fc.dictionary(fc.constantFrom(...fields), junk, { maxKeys: fields.length }) },
          { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...fields, '__proto__', 'constructor', 'id', 'is_admin', 'role'), junk, { maxKeys: 4 }) },
          { weight: 1, arbitrary: junk },
        )
        .map((value): Recipe => ({ kind: 'replace', value })),
    },
    'junk text': { runs: 10, recipe: junkText.map((text): Recipe => ({ kind: 'text', text })) },
  }
  if (wholeRecord) {
    families['a valid body with one field junk'] = {
      runs: 20,
      recipe: fc.tuple(fc.constantFrom(...fields), junk).map(([name, value]): Recipe => ({ kind: 'set', changes: [[name, value]] })),
    }
  }
  return families
}

/** The input families; each becomes one property per route. */
function families({ fields, wholeRecord }: Target): Record<string, Family> {
  const field = fc.constantFrom(...fields)
  return {
    ...junkFamilies(fields, wholeRecord),
    'wrong types and odd values in known fields': {
      runs: 50,
      // SQLite's length() stops at the first NUL: a NUL-led name passed zod's min(1), then failed the table's CHECK (a 500).
      examples: fields.map((name) => ({ kind: 'set', changes: [[name, '\u0000']] })),
      recipe: fc.oneof(
        { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), changes: fc.array(fc.tuple(field, junkValue), { minLength: 1, maxLength: 1 }) }) },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), changes: fc.array(fc.tuple(field, junkValue), { minLength: 2, maxLength: 5 }) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), fields: fc.subarray(fields, { minLength: 1 }) }) },
      ),
    },
    'unknown, prototype and duplicated keys': {
      runs: 25,
      examples: PROTOTYPE_KEYS.map((key) => ({ kind: 'splice', key, value: 'x', first: false })),
      recipe: fc.record({ kind: fc.constant('splice' as const), key: fc.oneof(oddKey, field), value: junkValue, first: fc.boolean() }),
    },
    'raw JSON text: odd tokens, lone surrogates, bad UTF-8, malformed': {
      runs: 30,
      recipe: fc.oneof(
        { weight: 3, arbitrary: fc.record({ kind: fc.constant('raw-value' as const), field, raw: fc.constantFrom(...RAW_VALUES) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('bad-utf8' as const), field, bytes: fc.constantFrom(...BAD_UTF8) }) },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.constantFrom(...MALFORMED) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.string({ unit: 'binary', maxLength: 40 }) }) },
      ),
    },
    'bodies that are not objects': {
      runs: 10,
      recipe: fc.oneof(
        fc.record({ kind: fc.constant('non-object' as const), value: fc.oneof(junkValue, fc.array(junkValue, { maxLength: 4 })).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)) }),
        fc.record({ kind: fc.constant('wrapped' as const), how: fc.constantFrom('array' as const, 'string' as const, 'nested' as const) }),
      ),
    },
    'bodies around the 64 KiB limit': {
      runs: 8,
      recipe: fc.record({
        kind: fc.constant('size' as const),
        field: fc.oneof(field, fc.constant('padding')),
        unit: fc.constantFrom('x', 'é', '😀', ' '),
        bytes: fc.constantFrom(...BODY_SIZES),
        stream: fc.boolean(),
      }),
    },
    'media types': {
      runs: 8,
      recipe: fc.record({ kind: fc.constant('media' as const), contentType: fc.constantFrom(...MEDIA_TYPES), junk: fc.boolean() }),
    },
  }
}

/** What one run sends with: the caller's token and a body the route would accept. */
interface Scenario {
  token?: string
  valid: Body
}

interface Target {
  method: 'POST' | 'PUT' | 'PATCH'
  /** `{id}` is replaced by the record's id, or by a junk one. */
  path: string
  success: 200 | 201 | 204
  /** Every field the route knows. */
  fields: string[]
  /** The route creates or replaces a whole record from its body. */
  wholeRecord?: true
  /** Once per property: users and records; returns the record id (for `{id}` routes) and how to get each run's scenario. */
  setup: () => Promise<{ id?: number; next: () => Promise<Scenario> }>
}

const VALID_PATIENT = {
  name: 'Grace Hopper',
  date_of_birth: '1980-03-15',
  gender: 'female',
  phone_number: '+1 555 123 4567',
  address: '12 Harbour Road',
  blood_group: 'O+',
  medical_history: 'Penicillin allergy.',
}
const PATIENT_FIELDS = ['name', 'date_of_birth', 'gender', 'email', 'phone_number', 'address', 'blood_group', 'medical_history']

const VALID_DOCTOR = {
  name: 'Dr. John Watson',
  specialization: 'Cardiology',
  phone_number: '+14155550123',
  qualification: 'MBBS',
  experience_years: 12,
  clinic_address: '221B Baker Street',
  consultation_fee: '150.50',
  is_available: true,
}
const DOCTOR_FIELDS = ['name', 'specialization', 'email', 'phone_number', 'qualification', 'experience_years', 'license_number', 'clinic_address', 'consultation_fee', 'is_available']

const MAPPING_FIELDS = ['patient', 'doctor', 'patient_id', 'doctor_id', 'notes', 'is_active']

/** Someone else's records, for junk ids that name an existing record the caller may not touch. */
let stranger: { userId: number; patient: number; doctor: number; assignment: number }

const signedIn = () => signedInUser({ name: 'Property Tester', email: uniqueEmail('property') })

/** A scenario that is the same on every run, and whose `next()` therefore writes nothing. */
const constant = (scenario: Scenario) => Object.assign(async () => scenario, { writesNothing: true as const })

const TARGETS: Target[] = [
  {
    method: 'POST',
    path: '/api/auth/register/',
    success: 201,
    wholeRecord: true,
    fields: ['name', 'email', 'password', 'password2'],
    setup: async () => ({
      next: async () => ({ valid: { name: 'Property Tester', email: uniqueEmail('register'), password: GOOD_PASSWORD, password2: GOOD_PASSWORD } }),
    }),
  },
  {
    method: 'POST',
    path: '/api/auth/login/',
    success: 200,
    fields: ['email', 'password'],
    // A fresh account per run: failed logins count towards that account's lockout.
    setup: async () => ({
      next: async () => ({ valid: { email: (await registered()).email, password: GOOD_PASSWORD } }),
    }),
  },
  ...(['/api/auth/refresh/', '/api/auth/logout/'] as const).map(
    (path): Target => ({
      method: 'POST',
      path,
      success: path === '/api/auth/logout/' ? 204 : 200,
      fields: ['refresh'],
      // A refresh token never sent before, so no run replays a used one (which revokes them all, by design).
      setup: async () => ({ next: async () => ({ valid: { refresh: (await signedIn()).refresh } }) }),
    }),
  ),
  {
    method: 'POST',
    path: '/api/auth/change-password/',
    success: 204,
    fields: ['old_password', 'new_password'],
    setup: async () => ({
      next: async () => {
        const user = await signedIn()
        return { token: user.access, valid: { old_password: GOOD_PASSWORD, new_password: 'Brand-New-Kettle-77' } }
      },
    }),
  },
  {
    method: 'POST',
    path: '/api/patients/',
    success: 201,
    wholeRecord: true,
    fields: PATIENT_FIELDS,
    setup: async () => ({ next: constant({ token: (await signedIn()).access, valid: VALID_PATIENT }) }),
  },
  ...(['PUT', 'PATCH'] as const).map(
    (method): Target => ({
      method,
      path: '/api/patients/{id}/',
      success: 200,
      wholeRecord: true,
      fields: PATIENT_FIELDS,
      setup: async () => {
        const user = await signedIn()
        return { id: await newPatient(user.access), next: constant({ token: user.access, valid: method === 'PUT' ? VALID_PATIENT : { name: 'Ada Byron' } }) }
      },
    }),
  ),
  {
    method: 'POST',
    path: '/api/doctors/',
    success: 201,
    wholeRecord: true,
    fields: DOCTOR_FIELDS,
    setup: async () => ({ next: constant({ token: (await signedIn()).access, valid: VALID_DOCTOR }) }),
  },
  ...(['PUT', 'PATCH'] as const).map(
    (method): Target => ({
      method,
      path: '/api/doctors/{id}/',
      success: 200,
      wholeRecord: true,
      fields: DOCTOR_FIELDS,
      setup: async () => {
        const user = await signedIn()
        return { id: await newDoctor(user.access), next: constant({ token: user.access, valid: method === 'PUT' ? VALID_DOCTOR : { specialization: 'Neurology' } }) }
      },
    }),
  ),
  {
    method: 'POST',
    path: '/api/mappings/',
    success: 201,
    fields: MAPPING_FIELDS,
    setup: async () => {
      const user = await signedIn()
      const patient = await newPatient(user.access)
      const doctors = [await newDoctor(user.access), await newDoctor(user.access), await newDoctor(user.access)]
      let turn = 0
      // A few pairs: some runs create an assignment, later ones with the same pair meet the 409.
      return { next: async () => ({ token: user.access, valid: { patient, doctor: doctors[turn++ % doctors.length], notes: 'Yearly check.' } }) }
    },
  },
  ...(['PUT', 'PATCH'] as const).map(
    (method): Target => ({
      method,
      path: '/api/mappings/{id}/',
      success: 200,
      fields: MAPPING_FIELDS,
      setup: async () => {
        const user = await signedIn()
        const patient = await newPatient(user.access)
        const doctor = await newDoctor(user.access)
        const valid = method === 'PUT' ? { patient, doctor, notes: 'Monthly.', is_active: true } : { notes: 'Weekly.' }
        return { id: await newMapping(user.access, patient, doctor), next: constant({ token: user.access, valid }) }
      },
    }),
  ),
  {
    method: 'PATCH',
    path: '/api/admin/users/{id}/',
    success: 200,
    fields: ['is_active', 'role'],
    setup: async () => {
      const admin = await signedInAdmin()
      const victim = await registered()
      return { id: victim.id, next: constant({ token: admin.access, valid: { role: 'user', is_active: true } }) }
    },
  },
]

/** Ids that are not the caller's record: someone else's, missing, or not an id at all. */
const JUNK_IDS = ['0', '-1', 'abc', '1.5', '1e3', '9007199254740993', '99999999999999999999', '%F0%9F%98%80', "1'%20OR%20'1'='1", '%00', '0x1', '%20']

function foreignId(target: Target): string {
  if (target.path.startsWith('/api/patients/')) return String(stranger.patient)
  if (target.path.startsWith('/api/doctors/')) return String(stranger.doctor)
  if (target.path.startsWith('/api/mappings/')) return String(stranger.assignment)
  return String(stranger.userId)
}

const pathId = fc.oneof(
  { weight: 8, arbitrary: fc.constant('own') },
  { weight: 1, arbitrary: fc.constantFrom('foreign', '2147483647') },
  { weight: 1, arbitrary: fc.constantFrom(...JUNK_IDS) },
)

const IF_MATCH = ['"999999"', 'W/"1"', '*', '"1.2.3"', 'garbage', '""', '"1", "2"', '"' + '9'.repeat(40) + '"', Array(20).fill('"1"').join(', ')]
const ifMatch = fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...IF_MATCH) })

/** The tables a refusal must not touch, each read in a fixed order. */
const GUARDED = {
  users: () => testDb.selectFrom('users').selectAll().orderBy('id'),
  patients: () => testDb.selectFrom('patients').selectAll().orderBy('id'),
  doctors: () => testDb.selectFrom('doctors').selectAll().orderBy('id'),
  mappings: () => testDb.selectFrom('mappings').selectAll().orderBy('id'),
  refresh_tokens: () => testDb.selectFrom('refresh_tokens').selectAll().orderBy('jti'),
}

/** Row count and SHA-256 of every row of the tables a refusal must not touch. */
async function digest(results: unknown[][]): Promise<Record<string, string>> {
  const tables: Record<string, string> = {}
  for (const [i, table] of (Object.keys(GUARDED) as (keyof typeof GUARDED)[]).entries()) {
    const rows = results[i]
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(JSON.stringify(rows))))
    tables[table] = `${rows.length} rows, sha256 ${Array.from(hash, (byte) => byte.toString(16).padStart(2, '0')).join('')}`
  }
  return tables
}

const guardedQueries = () => Object.values(GUARDED).map((query) => query())

/** The guarded tables, read in one batch. */
const snapshot = async () => digest(await batchRows(guardedQueries()))

/** The last audit event already looked at: each request's events are found past it, by rowid. */
let auditCursor = 0

/**
 * What one request left behind, read in one batch: the audit events written since the last look
 * (a rowid range), and, after a refusal, the guarded tables.
 */
async function aftermath(withTables: boolean): Promise<{ events: AuditEventRow[]; tables?: Record<string, string> }> {
  const [events, ...tables] = await batchRows([auditEventsAfterQuery(auditCursor), ...(withTables ? guardedQueries() : [])])
  const recent = events as AuditEventRow[]
  auditCursor = recent.at(-1)?.id ?? auditCursor
  return { events: recent, tables: withTables ? await digest(tables) : undefined }
}

const STATUS_CODES: Record<number, string[]> = {
  400: ['validation_error'],
  401: ['not_authenticated', 'token_not_valid', 'invalid_credentials'],
  403: ['permission_denied'],
  404: ['not_found'],
  409: ['conflict'],
  412: ['precondition_failed'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
}

/** Words that only come from inside: stack frames, SQLite and D1 errors, SQL, JS error names. */
const INTERNALS = /SQLITE|D1_|constraint failed|\bat \S+ \(|\.ts:\d+|node_modules|TypeError|ReferenceError|RangeError|\bSELECT\b|\bINSERT INTO\b|\bUPDATE \w+ SET\b|\bDELETE FROM\b/i

/** The answer's JSON, or a failure naming the request when it is not JSON. */
function parsed(text: string, context: string): unknown {
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    expect.fail(`the answer is not JSON: ${context}`)
  }
}

function expectEnvelope(status: number, body: unknown, context: string) {
  expect(body, context).toBeTypeOf('object')
  const envelope = body as { error: unknown; code: unknown; details?: unknown }
  expect(Object.keys(envelope).filter((key) => !['error', 'code', 'details'].includes(key)), context).toEqual([])
  expect(envelope.error, context).toBeTypeOf('string')
  expect((envelope.error as string).length, context).toBeGreaterThan(0)
  expect(STATUS_CODES[status], context).toContain(envelope.code)
  const messages = [envelope.error as string]
  if (envelope.details !== undefined) {
    expect(envelope.details, context).toBeTypeOf('object')
    for (const list of Object.values(envelope.details as object)) {
      expect(Array.isArray(list) && list.length > 0 && list.every((message) => typeof message === 'string' && message.length > 0), context).toBe(true)
      messages.push(...(list as string[]))
    }
  }
  expect(messages.join('\n'), context).not.toMatch(INTERNALS)
}

const excerpt = (text: string, max = 400) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text)

let cases = 0
let properties = 0

beforeAll(async () => {
  const user = await signedIn()
  const patient = await newPatient(user.access)
  const doctor = await newDoctor(user.access)
  stranger = { userId: user.id, patient, doctor, assignment: await newMapping(user.access, patient, doctor) }
})

afterAll(() => {
  console.log(`property tests: ${cases} generated requests in ${properties} properties over ${TARGETS.length} write routes`)
})

for (const [index, target] of TARGETS.entries()) {
  describe(`${target.method} ${target.path}`, () => {
    for (const [familyIndex, [family, { runs, recipe, examples = [] }]] of Object.entries(families(target)).entries()) {
      it(`answers ${family} with ${target.success} or the envelope, and changes nothing when it refuses`, { timeout: 90_000 }, async () => {
        properties++
        const { id, next } = await target.setup()
        // The state every run starts from, as a refusal must leave it: read again only after something may have changed it.
        let known: Record<string, string> | null = null
        const withId = target.path.includes('{id}')
        const input: fc.Arbitrary<Input> = fc.record({
          recipe,
          pathId: withId ? pathId : fc.constant('own'),
          ifMatch: withId && !target.path.startsWith('/api/admin/') ? ifMatch : fc.constant(null),
        })

        await fc.assert(
          fc.asyncProperty(input, async ({ recipe, pathId, ifMatch }) => {
            const scenario = await next()
            const prepared = prepare(recipe, scenario.valid)
            const idText = pathId === 'own' ? String(id) : pathId === 'foreign' ? foreignId(target) : pathId
            const path = target.path.replace('{id}', idText)
            const headers: Record<string, string> = {}
            if (prepared.contentType !== null) headers['content-type'] = prepared.contentType
            if (scenario.token) headers.authorization = `Bearer ${scenario.token}`
            if (ifMatch !== null) headers['if-match'] = ifMatch

            const requestId = `property-${index}-${familyIndex}-${cases}`
            headers['cf-connecting-ip'] = nextIp()
            headers['x-request-id'] = requestId
            // Another user's patient or assignment, or (for a change) a doctor someone else added; an admin may change any account.
            const foreign = pathId === 'foreign' && !target.path.startsWith('/api/admin/')

            if (!('writesNothing' in next)) known = null
            const before = known ?? (await snapshot())
            known = null
            const response = await send(target.method, path, { rawBody: prepared.body, headers })
            const text = response.text
            cases++
            const context = `${target.method} ${path}${ifMatch ? ` If-Match: ${ifMatch}` : ''} ${excerpt(prepared.shown)} → ${response.status} ${excerpt(text)}`

            expect(response.status, `a rate limit tripped, which this test must avoid: ${context}`).not.toBe(429)
            expect(response.status, context).toBeLessThan(500)
            const body = parsed(text, context)
            const refused = response.status >= 400
            const left = await aftermath(refused)
            const events = left.events.filter((event) => event.request_id === requestId)
            expect(events.length, `more than one audit event for one write: ${context}`).toBeLessThanOrEqual(1)
            if (response.status < 400) {
              expect(foreign, `a success on another clinic's record: ${context}`).toBe(false)
              expect(response.status, context).toBe(target.success)
              expect(events.map((event) => event.outcome), `a success audited as a refusal: ${context}`).not.toContain('denied')
              if (target.success === 204) expect(text, context).toBe('')
              else {
                expect(response.headers.get('content-type'), context).toMatch(/^application\/json/)
                expect(body !== null && typeof body === 'object' && !Array.isArray(body), context).toBe(true)
              }
              return
            }
            expect(response.headers.get('content-type'), context).toMatch(/^application\/json/)
            expectEnvelope(response.status, body, context)
            expect(left.tables, `a refused request changed the database: ${context}`).toEqual(before)
            known = left.tables!
            expect(events.map((event) => event.outcome), `a refusal audited as a success: ${context}`).not.toContain('ok')
            // Refusals before any handler ran (size, media type, unreadable JSON) are not audited; the others may be, once.
            const unhandled = response.status === 413 || response.status === 415 || (response.status === 400 && !(body as { details?: unknown }).details)
            if (unhandled) expect(events, `an unhandled refusal was audited: ${context}`).toEqual([])
          }),
          // No shrinking: every run sends requests, and a recipe already reads as what was sent.
          {
            seed: 4_000 + index * 10 + familyIndex,
            numRuns: runs,
            examples: examples.map((example): [Input] => [{ recipe: example, pathId: 'own', ifMatch: null }]),
            endOnFailure: true,
          },
        )
      })
    }
  })
}
