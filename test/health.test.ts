import { describe, expect, it } from 'vitest'
import { call } from './helpers'

describe('GET /api/health/', () => {
  it('answers ok after a database round trip', async () => {
    const response = await call('GET', '/api/health/')
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ status: 'ok' })
  })
})
