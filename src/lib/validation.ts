import type { Hook } from '@hono/zod-openapi'
import { z, type ZodError } from 'zod'
import type { AppEnv } from '../env'
import type { FieldErrors } from './errors'
import { ApiError } from './errors'

/** Field name for errors about the body as a whole, as Django REST framework names it. */
const NON_FIELD = 'non_field_errors'

z.config({
  customError: (issue) => {
    if (issue.code === 'invalid_type' && issue.input === undefined) return 'This field is required.'
    if (issue.code === 'invalid_type' && issue.input === null) return 'This field may not be null.'
    return undefined
  },
})

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

/** The OpenAPIHono `defaultHook`: failed validation leaves as our envelope, never raw zod output. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (!result.success) {
    throw new ApiError(400, 'validation_error', 'The request is not valid.', { details: fieldErrors(result.error) })
  }
}
