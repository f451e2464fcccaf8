import { OpenAPIHono, type Hook } from '@hono/zod-openapi'
import type { AppEnv } from '../env'
import { ApiError } from './errors'
import { fieldErrors } from './field-errors'

/** Failed validation leaves as our envelope, never as raw zod output. */
const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (!result.success) throw new ApiError('validation_error', undefined, { details: fieldErrors(result.error) })
}

/** Every router shares the validation hook, so no route can answer with raw zod output. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook, strict: false })
}
