import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { MAX_BODY_BYTES } from '../src/middleware/json-body'
import { userByEmail } from './db'
import { GOOD_PASSWORD, send, uniqueEmail, type EnvOverrides } from './helpers'

const registration = () => ({ name: 'Envelope Tester', email: uniqueEmail('envelope'), password: GOOD_PASSWORD })

function streamOf(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close()
      const chunk = new Uint8Array(Math.min(16 * 1024, bytes - sent)).fill(0x20)
      sent += chunk.byteLength
      controller.enqueue(chunk)
    },
  })
}

/** A D1 binding whose every statement fails with `message`. */
function brokenD1(message: string): D1Database {
  const fail = () => {
    throw new Error(message)
  }
  return { prepare: fail, batch: fail, withSession: () => ({ prepare: fail, batch: fail, getBookmark: () => null }) } as unknown as D1Database
}

const LOGIN = { email: 'a@b.co', password: 'whatever-pass' }

describe('request bodies', () => {
  it('refuses a body that is not application/json with 415', async () => {
    const body = registration()
    const response = await send('POST', '/api/auth/register/', {
      rawBody: new URLSearchParams(body as unknown as Record<string, string>).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(response.status).toBe(415)
    expect(response.body).toEqual({ error: expect.any(String), code: 'unsupported_media_type' })
    expect(await userByEmail(body.email)).toBeNull()
  })

  it('accepts a JSON media type with parameters', async () => {
    const response = await send('POST', '/api/auth/register/', {
      rawBody: JSON.stringify(registration()),
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
    })
    expect(response.status).toBe(201)
  })

  it('refuses malformed JSON with 400 validation_error', async () => {
    const response = await send('POST', '/api/auth/login/', { rawBody: '{"email": ', headers: { 'content-type': 'application/json' } })
    expect(response.status).toBe(400)
    expect(response.body).toEqual({ error: expect.any(String), code: 'validation_error' })
  })

  it('refuses a JSON body that is not an object', async () => {
    const response = await send('POST', '/api/auth/login/', { body: ['a', 'b'] })
    expect(response.status).toBe(400)
    expect(response.body.code).toBe('validation_error')
  })

  it('refuses text with a NUL character, wherever it is, and nothing is stored', async () => {
    for (const name of ['\u0000', 'Dr\u0000 Who']) {
      const body = registration()
      const response = await send('POST', '/api/auth/register/', { body: { ...body, name } })
      expect(response.status).toBe(400)
      expect(response.body.code).toBe('validation_error')
      expect(await userByEmail(body.email)).toBeNull()
    }
  })

  it('accepts a backslash followed by u0000 as ordinary text', async () => {
    const response = await send('POST', '/api/auth/register/', { body: { ...registration(), name: 'Back\\u0000slash' } })
    expect(response.status).toBe(201)
    expect(response.body.user.name).toBe('Back\\u0000slash')
  })

  it('refuses a body over 64 KiB sent with Content-Length with 413', async () => {
    const body = JSON.stringify({ ...registration(), name: 'x'.repeat(MAX_BODY_BYTES) })
    const response = await send('POST', '/api/auth/register/', { rawBody: body, headers: { 'content-type': 'application/json' } })
    expect(response.status).toBe(413)
    expect(response.body).toEqual({ error: expect.any(String), code: 'payload_too_large' })
  })

  it('refuses a chunked body over 64 KiB with 413, and keeps answering', async () => {
    const response = await send('POST', '/api/auth/login/', { rawBody: streamOf(MAX_BODY_BYTES * 4), headers: { 'content-type': 'application/json' } })
    expect(response.status).toBe(413)
    expect(response.body.code).toBe('payload_too_large')
    expect((await send('GET', '/api/health/')).status).toBe(200)
  })

  it('accepts a body of exactly 64 KiB as far as size goes', async () => {
    const padding = MAX_BODY_BYTES - JSON.stringify({ email: 'a@b.co', password: '' }).length
    const response = await send('POST', '/api/auth/login/', {
      rawBody: JSON.stringify({ email: 'a@b.co', password: 'p'.repeat(padding) }),
      headers: { 'content-type': 'application/json' },
    })
    expect(response.status).toBe(400)
    expect(response.body.details.password).toBeDefined()
  })
})

describe('routing errors', () => {
  it('answers an unknown path with a JSON 404', async () => {
    const response = await send('GET', '/api/nothing-here/')
    expect(response.status).toBe(404)
    expect(response.body).toEqual({ error: expect.any(String), code: 'not_found' })
  })

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const response = await send('DELETE', '/api/auth/login/')
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('POST')
    expect(response.body).toEqual({ error: expect.any(String), code: 'method_not_allowed' })
    const me = await send('POST', '/api/auth/me', { body: {} })
    expect(me.status).toBe(405)
    expect(me.headers.get('allow')).toBe('GET, HEAD')
  })
})

describe('server errors', () => {
  const misconfigured = async (bindings: EnvOverrides) => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const response = await send('GET', '/api/health/', { env: bindings })
      return { response, body: response.body, logged: log.mock.calls.map((args) => args.join(' ')).join('\n') }
    } finally {
      log.mockRestore()
    }
  }

  it('fails every request with a 500 naming no internals when JWT_SECRET is missing', async () => {
    const { response, body, logged } = await misconfigured({ JWT_SECRET: undefined })
    expect(response.status).toBe(500)
    expect(body).toEqual({ error: expect.any(String), code: 'internal_error', request_id: response.headers.get('x-request-id') })
    expect(logged).toContain('JWT_SECRET is missing')
  })

  it('refuses a JWT_SECRET shorter than 32 bytes', async () => {
    const { response, logged } = await misconfigured({ JWT_SECRET: 'x'.repeat(31) })
    expect(response.status).toBe(500)
    expect(logged).toContain('JWT_SECRET is shorter than 32 bytes')
  })

  it('refuses PASSWORD_ITERATIONS above the Workers limit', async () => {
    const { response, logged } = await misconfigured({ JWT_SECRET: env.JWT_SECRET, PASSWORD_ITERATIONS: '100001' })
    expect(response.status).toBe(500)
    expect(logged).toContain('PASSWORD_ITERATIONS is 100001')
  })

  it('hides an unexpected error behind a 500 with a request id', async () => {
    const broken = brokenD1('SELECT secret FROM somewhere')
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const response = await send('POST', '/api/auth/login/', { body: LOGIN, env: { DB: broken } })
    log.mockRestore()
    const text = response.text
    expect(response.status).toBe(500)
    expect(JSON.parse(text)).toEqual({ error: expect.any(String), code: 'internal_error', request_id: expect.any(String) })
    expect(text).not.toContain('SELECT')
    expect(text).not.toContain('whatever-pass')
  })

  it('answers 400, not 500, when D1 refuses a written value by a CHECK constraint', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const response = await send('POST', '/api/auth/register/', { body: registration(), env: { DB: brokenD1('D1_ERROR: CHECK constraint failed: length(name) BETWEEN 1 AND 120: SQLITE_CONSTRAINT') } })
    log.mockRestore()
    expect(response.status).toBe(400)
    expect(response.body).toEqual({ error: expect.any(String), code: 'validation_error' })
  })

  it('answers 503 from health when D1 fails', async () => {
    const broken = brokenD1('D1 is down')
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const response = await send('GET', '/api/health/', { env: { DB: broken } })
    log.mockRestore()
    expect(response.status).toBe(503)
    expect(response.body).toMatchObject({ code: 'service_unavailable' })
  })
})

describe('API description', () => {
  it('serves an OpenAPI 3.1 document with the bearer scheme and error responses', async () => {
    const response = await send('GET', '/api/openapi.json')
    expect(response.status).toBe(200)
    expect(response.body.openapi).toBe('3.1.0')
    expect(response.body.components.securitySchemes.Bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    expect(Object.keys(response.body.paths)).toEqual(expect.arrayContaining(['/api/auth/register', '/api/auth/login', '/api/auth/refresh', '/api/auth/me', '/api/health']))
    expect(response.body.paths['/api/auth/login'].post.responses['401'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' })
  })

  it('leads from /api/docs to the HTML reference', async () => {
    const response = await send('GET', '/api/docs')
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/docs/')
  })
})
