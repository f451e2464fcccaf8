// One session across the tabs of a browser: the refresh token is an HttpOnly cookie, renewals take
// turns through Web Locks, and the tabs tell each other when the session starts, ends or moves.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import { api, clinicOf, go, joinClinic, newUser, signedIn, useBrowser, withPage, worker } from './support.mjs'

useBrowser()

const signOutButton = (page) => page.getByRole('button', { name: 'Sign out' })

/** Audit events of `action` about the user (theft of a refresh token is `auth.refresh_reuse`). */
const eventsOf = (action, user) => Number(/"n": (\d+)/.exec(worker.sql(`SELECT count(*) AS n FROM audit_events WHERE action = '${action}' AND resource_id = ${Number(user.id)}`))[1])

describe('one session across tabs', () => {
  test('a duplicated tab is signed in, and reloading both tabs at once never looks like theft', async (t) => {
    const user = await newUser('Two Tabs')
    await withPage(t, async (page) => {
      await signedIn(page, user.email)
      await go(page, '/console/patients/?search=nobody-here')
      await page.getByRole('heading', { level: 1, name: 'Patients' }).waitFor()
      const duplicate = await page.context().newPage()
      await duplicate.goto(page.url())
      await signOutButton(duplicate).waitFor()
      assert.equal(await duplicate.getByLabel('Search').inputValue(), 'nobody-here')

      for (let round = 0; round < 3; round++) {
        await Promise.all([page.reload(), duplicate.reload()])
        await Promise.all([signOutButton(page).waitFor(), signOutButton(duplicate).waitFor()])
      }
      assert.equal(eventsOf('auth.refresh_reuse', user), 0)
      // The account's sessions were never ended: the API token from before the tabs still works.
      assert.equal((await api('GET', '/api/auth/me/', { token: user.token })).email, user.email)

      // No script can read the refresh token, and nothing is kept in storage.
      assert.equal(await page.evaluate(() => document.cookie), '')
      assert.equal(await page.evaluate(() => sessionStorage.length + localStorage.length), 0)
      const cookies = await page.context().cookies(worker.origin + '/api/auth/session/')
      assert.deepEqual(
        cookies.map(({ name, path, httpOnly, secure, sameSite }) => ({ name, path, httpOnly, secure, sameSite })),
        [{ name: '__Secure-refresh', path: '/api/auth/session/', httpOnly: true, secure: true, sameSite: 'Strict' }],
      )
    })
  })

  test('signing in one tab signs in the others, and signing out signs out every tab', async (t) => {
    const user = await newUser('Many Tabs')
    await withPage(t, async (page) => {
      const other = await page.context().newPage()
      await other.goto(`${worker.origin}/console/`)
      await other.getByRole('button', { name: 'Sign in' }).waitFor()
      await signedIn(page, user.email)
      await signOutButton(other).waitFor()

      await signOutButton(page).click()
      await other.getByRole('alert').filter({ hasText: 'You signed out in another tab.' }).waitFor()
      await other.reload()
      await other.getByRole('button', { name: 'Sign in' }).waitFor()
      assert.deepEqual(await page.context().cookies(worker.origin + '/api/auth/session/'), [])
    })
  })

  test('switching clinic in one tab moves the other tabs to that clinic', async (t) => {
    const user = await newUser('Moving Tabs')
    const owner = await newUser('Other Clinic Owner')
    const clinics = [await clinicOf(user), await joinClinic(owner, user, 'clinician')]
    await withPage(t, async (page) => {
      await signedIn(page, user.email)
      const other = await page.context().newPage()
      await other.goto(`${worker.origin}/console/patients/`)
      await signOutButton(other).waitFor()
      const clinicIn = (tab) => tab.getByRole('form', { name: 'Switch clinic' }).getByLabel('Clinic').inputValue()
      const current = await clinicIn(page)
      const target = clinics.find(({ id }) => String(id) !== current)
      await page.getByRole('form', { name: 'Switch clinic' }).getByLabel('Clinic').selectOption(String(target.id))
      await page.getByRole('form', { name: 'Switch clinic' }).getByRole('button', { name: 'Switch' }).click()
      await other.getByRole('status').filter({ hasText: `Another tab moved this session to ${target.name}` }).waitFor()
      assert.equal(await clinicIn(other), String(target.id))
      assert.equal(eventsOf('auth.refresh_reuse', user), 0)
    })
  })

  test('unsaved edits survive a silent renewal of the access token, and are saved', async (t) => {
    const user = await newUser('Renewed')
    const patient = await api('POST', '/api/patients/', { token: user.token, body: { name: `Renewal ${randomUUID().slice(0, 6)}`, date_of_birth: '1950-01-01', gender: 'other' } })
    await withPage(t, async (page) => {
      await signedIn(page, user.email)
      await go(page, `/console/patients/${patient.id}`)
      const edit = page.getByRole('region', { name: 'Edit patient' })
      await edit.getByLabel('Address').fill('12 Harbour Road')
      // The access token expires while the user types: the API's answer to an expired token, once.
      const renewals = []
      page.on('request', (request) => request.url().endsWith('/api/auth/session/refresh/') && renewals.push(request.url()))
      let expired = false
      await page.route(`**/api/patients/${patient.id}/`, (route) => {
        if (expired || route.request().method() === 'GET') return route.continue()
        expired = true
        return route.fulfill({
          status: 401,
          contentType: 'application/json',
          headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
          body: JSON.stringify({ error: 'The token is invalid or expired.', code: 'token_not_valid' }),
        })
      })
      await edit.getByRole('button', { name: 'Save changes' }).click()
      await edit.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor()
      assert.equal(expired, true)
      assert.equal(renewals.length, 1)
      assert.equal(await edit.getByLabel('Address').inputValue(), '12 Harbour Road')
      assert.equal((await api('GET', `/api/patients/${patient.id}/`, { token: user.token })).address, '12 Harbour Road')
      assert.equal(await page.getByRole('button', { name: 'Sign in' }).count(), 0)
    })
  })

  test('a session ended elsewhere sends every tab to sign-in, saying that unsaved edits were lost', async (t) => {
    const user = await newUser('Ended')
    const patient = await api('POST', '/api/patients/', { token: user.token, body: { name: `Ended ${randomUUID().slice(0, 6)}`, date_of_birth: '1950-01-01', gender: 'other' } })
    await withPage(t, async (page) => {
      await signedIn(page, user.email)
      await go(page, `/console/patients/${patient.id}`)
      const edit = page.getByRole('region', { name: 'Edit patient' })
      await edit.getByLabel('Address').fill('Never saved')
      await api('POST', '/api/auth/logout-all/', { token: user.token })
      await edit.getByRole('button', { name: 'Save changes' }).click()
      await page.getByRole('alert').filter({ hasText: 'You have been signed out' }).filter({ hasText: 'Changes you had not saved were lost.' }).waitFor()
      assert.match(worker.sql(`SELECT address FROM patients WHERE id = ${Number(patient.id)}`), /"address": null/)
    })
  })
})
