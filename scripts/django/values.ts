import { MAX_STORED_ITERATIONS } from '../../src/core/config'

/** A stored Django hash, as the login here will treat it. */
export type PasswordOutcome =
  | { usable: true; hash: string; iterations: number }
  | { usable: false; reason: string; stored: string }

const HASHERS: [RegExp, string][] = [
  [/^bcrypt(_sha256)?\$/, 'a bcrypt hash, which this API cannot check'],
  [/^argon2\$/, 'an Argon2 hash, which this API cannot check'],
  [/^(unsalted_)?sha1\$/, 'a SHA-1 hash, which this API refuses'],
  [/^(unsalted_)?md5\$|^[0-9a-f]{32}$/, 'an MD5 hash, which this API refuses'],
  [/^pbkdf2_sha1\$/, 'a PBKDF2-SHA1 hash, which this API cannot check'],
  [/^scrypt\$/, 'a scrypt hash, which this API cannot check'],
  [/^crypt\$/, 'a crypt hash, which this API refuses'],
]

/**
 * What becomes of a Django password hash. PBKDF2-SHA256 at an iteration count the login accepts is
 * kept as it is (the first login re-hashes it at the configured count); anything else cannot log in
 * here. Such an account keeps the old hash behind Django's `!` (unusable) mark, which no check
 * matches, until an administrator sets a password.
 */
export function classifyPassword(hash: unknown): PasswordOutcome {
  if (typeof hash !== 'string' || hash === '') return { usable: false, reason: 'no password in the dump', stored: '!' }
  const stored = hash.startsWith('!') ? hash : `!${hash}`
  if (hash.startsWith('!')) return { usable: false, reason: 'an unusable password in Django (set_unusable_password)', stored }
  const parts = hash.split('$')
  if (parts[0] === 'pbkdf2_sha256') {
    const [, iterationsText, salt, digest] = parts
    const iterations = Number(iterationsText)
    if (parts.length !== 4 || !salt || !/^[A-Za-z0-9+/]{43}=$/.test(digest ?? '') || !/^[1-9]\d*$/.test(iterationsText ?? '')) {
      return { usable: false, reason: 'a malformed PBKDF2-SHA256 hash', stored }
    }
    if (iterations > MAX_STORED_ITERATIONS) {
      return { usable: false, reason: `a PBKDF2-SHA256 hash at ${iterations.toLocaleString('en-US')} iterations, above the ${MAX_STORED_ITERATIONS.toLocaleString('en-US')} the login accepts`, stored }
    }
    return { usable: true, hash, iterations }
  }
  const known = HASHERS.find(([pattern]) => pattern.test(hash))
  return { usable: false, reason: known ? known[1] : 'a hash in a format this API does not know', stored }
}

/** `M`/`F`/`O` or the words, in any case; the map's `values.gender` first. */
export function gender(value: unknown, map: Record<string, string> = {}): string | undefined {
  if (typeof value !== 'string') return undefined
  if (value in map) return map[value]
  const word = value.trim().toLowerCase()
  return { m: 'male', male: 'male', f: 'female', female: 'female', o: 'other', other: 'other' }[word]
}

/** Words that stay in capitals when a code such as `ENT_SURGERY` becomes `ENT Surgery`. */
const ACRONYMS = new Set(['ENT', 'GP', 'ICU', 'ER', 'OB', 'GYN', 'OBGYN', 'HIV', 'IVF'])

/** Uppercase codes (`CARDIOLOGY`, `GENERAL_PRACTICE`) become words (`Cardiology`, `General Practice`); other text is kept. */
export function specialization(value: unknown, map: Record<string, string> = {}): unknown {
  if (typeof value !== 'string') return value
  if (value in map) return map[value]
  if (!/^[A-Z][A-Z0-9_ /-]*$/.test(value.trim())) return value
  return value
    .trim()
    .split(/[_ ]+/)
    .map((word) => (ACRONYMS.has(word) ? word : word.charAt(0) + word.slice(1).toLowerCase()))
    .join(' ')
}

/** `a+`, ` O+ ` and `AB -` are `A+`, `O+`, `AB-`; the map's `values.blood_group` first. */
export function bloodGroup(value: unknown, map: Record<string, string> = {}): unknown {
  if (typeof value !== 'string') return value
  if (value in map) return map[value]
  return value.replace(/\s+/g, '').toUpperCase()
}

/** Django booleans are JSON booleans; 0/1 also seen in hand-made fixtures. */
export function flag(value: unknown, fallback: boolean): boolean | undefined {
  if (value === undefined || value === null) return fallback
  if (typeof value === 'boolean') return value
  if (value === 0 || value === 1) return value === 1
  return undefined
}

/**
 * A Django datetime (`2024-03-01T09:30:00.123Z`, with an offset, or naive, which is taken as UTC) as
 * this API stores timestamps: UTC, whole seconds. A date alone is its midnight. Undefined when unreadable.
 */
export function timestamp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(value.trim())
  if (!match) return undefined
  const [, date, time = '00:00:00', zone = 'Z'] = match
  const parsed = new Date(`${date}T${time.length === 5 ? `${time}:00` : time}${zone}`)
  if (Number.isNaN(parsed.getTime())) return undefined
  return `${parsed.toISOString().slice(0, 19)}Z`
}

/** The birth date of someone `age` years old on `asOf` (YYYY-MM-DD); 29 February becomes 28 in other years. */
export function birthDateFromAge(age: number, asOf: string): string {
  const [year, month, day] = asOf.split('-').map(Number)
  const born = year - age
  const leap = (born % 4 === 0 && born % 100 !== 0) || born % 400 === 0
  const safeDay = month === 2 && day === 29 && !leap ? 28 : day
  return `${String(born).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(safeDay).padStart(2, '0')}`
}

/** The text of a field or `fallback` when absent/blank: names are joined from first and last. */
export function joinName(first: unknown, last: unknown): string {
  return [first, last]
    .filter((part): part is string => typeof part === 'string')
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' ')
}
