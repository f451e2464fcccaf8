import { describe, expect, it } from 'vitest'
import { recordingD1 } from './d1-wrapper'
import { send } from './helpers'

describe('GET /api/health/', () => {
  it('answers ok after a database round trip', async () => {
    const response = await send('GET', '/api/health/')
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ status: 'ok' })
  })
})

describe('GET /api/health/live/', () => {
  it('answers without touching the database', async () => {
    const d1 = recordingD1()
    const response = await send('GET', '/api/health/live/', { env: { DB: d1.binding } })
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ status: 'ok' })
    expect(d1.trips).toEqual([])
  })
})
