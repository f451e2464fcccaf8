import { createMiddleware } from 'hono/factory'
import { NON_FIELD } from '../core/error-codes'
import type { AppEnv } from '../env'
import { ApiError, fieldError } from '../lib/errors'

/** Largest JSON body we accept. */
export const MAX_BODY_BYTES = 64 * 1024
/**
 * How much of an oversized or refused body we read and throw away before answering.
 * Answering before the body is consumed breaks the next request on a kept-alive connection
 * under `wrangler dev`; past this bound we stop reading and let the connection go.
 */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024

/**
 * A `\u0000` escape in JSON text (not preceded by an escaped backslash). SQLite's length() stops at
 * NUL, so such text would slip past length rules or trip CHECK constraints; no field needs it.
 */
const NUL_ESCAPE = /(^|[^\\])(\\\\)*\\u0000/i

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH'])

/**
 * Requires `application/json` on requests that carry a body, reads it with a size cap, refuses NUL
 * and lone surrogates, and parses it once: the route's validator receives that parse, so handlers
 * only ever see a complete, well-formed body of at most MAX_BODY_BYTES.
 *
 * @example
 * app.use(jsonBody())
 */
export const jsonBody = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!METHODS_WITH_BODY.has(c.req.method)) return next()
    const body = c.req.raw.body
    // A POST with nothing to say (logout-all) needs no media type; a route that wants a body refuses its absence (400).
    if (!c.req.header('content-type') && (body === null || c.req.header('content-length') === '0')) return next()
    if (!isJson(c.req.header('content-type'))) {
      await drain(body, 0)
      throw new ApiError('unsupported_media_type')
    }
    const text = new TextDecoder().decode(await readCapped(body))
    if (NUL_ESCAPE.test(text)) {
      throw new ApiError('validation_error', 'Text may not contain NUL characters (\\u0000).')
    }
    const parsed = parseJson(text)
    if ('value' in parsed) {
      const malformed = malformedTextField(parsed.value)
      if (malformed !== undefined) throw fieldError(malformed, MALFORMED_TEXT)
    }
    // The validator reads the body through c.req.json(); it gets this parse (or its failure, answered as a 400) instead of a second one.
    c.req.json = <T>() => ('value' in parsed ? Promise.resolve(parsed.value as T) : Promise.reject(parsed.error))
    return next()
  })

function parseJson(text: string): { value: unknown } | { error: unknown } {
  try {
    return { value: JSON.parse(text) }
  } catch (error) {
    return { error }
  }
}

const MALFORMED_TEXT = 'Text must be well-formed Unicode: a lone surrogate (such as \\ud800) is not a character.'

/**
 * The path (`name`, `items.0.note`) of the first key or string in a JSON body that is not
 * well-formed Unicode: a lone surrogate escape (`"\\ud800"`) would be stored and read back as
 * replacement characters. Undefined when all text is well formed. Walks with a stack, so deep
 * nesting cannot overflow.
 */
export function malformedTextField(parsed: unknown): string | undefined {
  const stack: [unknown, string[]][] = [[parsed, []]]
  while (stack.length) {
    const [value, path] = stack.pop()!
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return fieldName(path)
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (!key.isWellFormed()) return fieldName([...path, key])
        stack.push([item, [...path, key]])
      }
    }
  }
  return undefined
}

const fieldName = (path: string[]) => (path.length ? path.map((part) => part.toWellFormed()).join('.') : NON_FIELD)

function isJson(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0].trim().toLowerCase() ?? ''
  return mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'))
}

async function readCapped(body: ReadableStream<Uint8Array> | null): Promise<Uint8Array> {
  if (!body) return new Uint8Array()
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > MAX_BODY_BYTES) {
      await drainReader(reader, size)
      throw new ApiError('payload_too_large', `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.`)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

async function drain(body: ReadableStream<Uint8Array> | null, alreadyRead: number): Promise<void> {
  if (body) await drainReader(body.getReader(), alreadyRead)
}

async function drainReader(reader: ReadableStreamDefaultReader<Uint8Array>, alreadyRead: number): Promise<void> {
  let size = alreadyRead
  while (size <= MAX_DRAIN_BYTES) {
    const { done, value } = await reader.read()
    if (done) return
    size += value.byteLength
  }
  await reader.cancel()
}
