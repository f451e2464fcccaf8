/** Django's default for UserAttributeSimilarityValidator. */
const MAX_SIMILARITY = 0.7
export const MIN_PASSWORD_LENGTH = 8

/**
 * The password rules that need no database: length, not all digits, not too close to the
 * person's name or email. The common-password rule is enforced in SQL (see db/users.ts).
 */
export function passwordProblems(password: string, person: { email: string; name: string }): string[] {
  const problems: string[] = []
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    problems.push(`This password is too short. It must contain at least ${MIN_PASSWORD_LENGTH} characters.`)
  }
  if (/^\d+$/.test(password)) problems.push('This password is entirely numeric.')
  const similarTo = similarAttribute(password, person)
  if (similarTo) problems.push(`The password is too similar to the ${similarTo}.`)
  return problems
}

export const COMMON_PASSWORD_MESSAGE = 'This password is too common.'

function similarAttribute(password: string, person: { email: string; name: string }): string | undefined {
  const attributes: [string, string][] = [
    ['email', person.email.split('@')[0]],
    ['name', person.name],
  ]
  const candidate = password.toLowerCase()
  for (const [label, value] of attributes) {
    const lowered = value.toLowerCase()
    const parts = [lowered, ...lowered.split(/\W+/)].filter((part) => part.length > 0)
    if (parts.some((part) => similarity(candidate, part) >= MAX_SIMILARITY)) return label
  }
  return undefined
}

/**
 * An upper bound on how alike two strings are, 0 to 1: twice the characters they share
 * (as multisets) over their total length. Python's difflib `quick_ratio`, as Django uses.
 */
export function similarity(a: string, b: string): number {
  if (!a.length && !b.length) return 1
  const counts = new Map<string, number>()
  for (const char of b) counts.set(char, (counts.get(char) ?? 0) + 1)
  let shared = 0
  for (const char of a) {
    const left = counts.get(char) ?? 0
    if (left > 0) {
      shared++
      counts.set(char, left - 1)
    }
  }
  return (2 * shared) / (a.length + b.length)
}
