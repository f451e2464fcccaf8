import { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../env'
import { validationHook } from './validation'

/** Every router shares the validation hook, so no route can answer with raw zod output. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook, strict: false })
}
