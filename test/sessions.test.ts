import { describe, expect, it } from 'vitest'
import { recordingD1 } from './d1-wrapper'
import { createPatient, send, signedInUser } from './helpers'

const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/

describe('D1 read replication (Sessions API)', () => {
  it('answers with the bookmark of the session, and reads its own write with it', async () => {
    const { access } = await signedInUser()
    const created = await send('POST', '/api/patients/', { token: access, body: { name: 'Bookmarked', date_of_birth: '1990-01-01', gender: 'other' } })
    const bookmark = created.headers.get('x-d1-bookmark')
    expect(bookmark).toMatch(BOOKMARK)
    const read = await send('GET', `/api/patients/${created.body.id}/`, { token: access, headers: { 'x-d1-bookmark': bookmark! } })
    expect(read.status).toBe(200)
    expect(read.headers.get('x-d1-bookmark')! >= bookmark!).toBe(true)
  })

  it('opens the session at the bookmark the client sent', async () => {
    const { access } = await signedInUser()
    const patient = await createPatient(access)
    const bookmark = (await send('GET', '/api/health/')).headers.get('x-d1-bookmark')!
    const d1 = recordingD1()
    const response = await send('GET', `/api/patients/${patient.id}/`, { token: access, headers: { 'x-d1-bookmark': bookmark }, env: { DB: d1.binding } })
    expect(response.status).toBe(200)
    expect(d1.sessions).toEqual([bookmark])
  })

  it('starts reads anywhere and writes on the primary when no bookmark is sent', async () => {
    const reads = recordingD1()
    expect((await send('GET', '/api/health/', { env: { DB: reads.binding } })).status).toBe(200)
    expect(reads.sessions).toEqual(['first-unconstrained'])
    const writes = recordingD1()
    expect((await send('POST', '/api/auth/login/', { body: { email: 'nobody@example.com', password: 'x' }, env: { DB: writes.binding } })).status).toBe(401)
    expect(writes.sessions).toEqual(['first-primary'])
  })

  // The README's "Read replication" states what follows: a revoked token may read for as long as the replica lags.
  it("checks a GET's account and token generation in the GET's own session, which may start on a replica", async () => {
    const user = await signedInUser()
    await createPatient(user.access)
    const reads = recordingD1()
    expect((await send('GET', '/api/patients/', { token: user.access, env: { DB: reads.binding } })).status).toBe(200)
    expect(reads.sessions).toEqual(['first-unconstrained'])
    expect(reads.trips[0].sql[0]).toMatch(/token_generation = \?/)
  })

  it('refuses a malformed bookmark with 400', async () => {
    const response = await send('GET', '/api/health/', { headers: { 'x-d1-bookmark': 'not-a-bookmark' } })
    expect(response.status).toBe(400)
    expect(Object.keys(response.body.details)).toEqual(['x-d1-bookmark'])
  })
})
