import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { dispatch, BASE } from './helpers'

/** Fetches through the Worker's entry and consumes the body. */
async function get(path: string) {
  const { response } = await dispatch(new Request(`${BASE}${path}`, { redirect: 'manual' }))
  return { status: response.status, headers: response.headers, text: await response.text() }
}

describe('GET /api/docs', () => {
  it('leads to the static API reference', async () => {
    const response = await get('/api/docs')
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/docs/')
  })
})

describe('static assets', () => {
  it('are bound to the Worker', () => {
    expect(env.ASSETS).toBeDefined()
  })

  it('serve the docs page, which loads the OpenAPI document with no inline script', async () => {
    const response = await env.ASSETS!.fetch(`${BASE}/docs/`)
    const html = await response.text()
    expect(response.status).toBe(200)
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self';")
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/)
    const init = await env.ASSETS!.fetch(`${BASE}/docs/init.js`)
    expect(await init.text()).toContain('/api/openapi.json')
  })
})

describe('GET /console/*', () => {
  it("answers a client-side route with the console's page and a strict CSP", async () => {
    const response = await get('/console/patients/42')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/html')
    expect(response.text).toContain('/console/app.js')
    const csp = response.headers.get('content-security-policy')
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self';")
    expect(csp).not.toContain('unsafe-inline')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('answers a missing file under /console/ with the JSON 404', async () => {
    const response = await get('/console/missing.js')
    expect(response.status).toBe(404)
    expect(JSON.parse(response.text)).toMatchObject({ code: 'not_found' })
  })
})

describe('paths outside the API, docs and console', () => {
  it('stay the JSON 404', async () => {
    for (const path of ['/', '/index.html', '/admin/', '/docsx']) {
      const response = await get(path)
      expect(response.status).toBe(404)
      expect(JSON.parse(response.text)).toMatchObject({ code: 'not_found' })
    }
  })
})
