import type { ZodError } from 'zod'
import { NON_FIELD, type FieldErrors } from '../core/error-codes'

/** Flattens zod issues into `{field: [messages]}`; unknown keys each get their own entry. */
export function fieldErrors(error: ZodError): FieldErrors {
  // A Map, not an object: field names come from the client, and `constructor` or `__proto__` must stay plain keys.
  const details = new Map<string, string[]>()
  const add = (field: string, message: string) => details.set(field, [...(details.get(field) ?? []), message])
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add([...issue.path, key].join('.'), 'Unknown field.')
    } else {
      add(issue.path.length ? issue.path.join('.') : NON_FIELD, issue.message)
    }
  }
  return Object.fromEntries(details)
}
