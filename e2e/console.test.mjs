// Browser tests: Debian's Chromium (never a downloaded one) driven by playwright-core against the
// Worker under `wrangler dev`. Every request that is not to that local server is aborted and
// counted, and any Content-Security-Policy violation fails the run. Failures leave a screenshot
// in e2e-artifacts/.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { chromium } from 'playwright-core'
import { startWorker } from './worker.mjs'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARTIFACTS = 'e2e-artifacts'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

let worker
let browser
let profile
const blocked = []
const cspViolations = []

before(async () => {
  rmSync(ARTIFACTS, { recursive: true, force: true })
  worker = await startWorker()
  profile = mkdtempSync(join(tmpdir(), 'e2e-chromium-'))
  // A persistent context is how Playwright takes a --user-data-dir; the profile is fresh each run.
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
  const origin = worker.origin
  await browser.route('**/*', (route) => {
    const url = route.request().url()
    if (new URL(url).origin === origin) return route.continue()
    blocked.push(url)
    return route.abort('blockedbyclient')
  })
  browser.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text())
  })
})

after(async () => {
  await browser?.close()
  worker?.stop()
  if (profile) rmSync(profile, { recursive: true, force: true })
})

/** A fresh tab for one test; on failure its screenshot is saved under the test's name. */
async function withPage(t, body) {
  const page = await browser.newPage()
  page.setDefaultTimeout(15_000)
  try {
    await body(page)
  } catch (error) {
    mkdirSync(ARTIFACTS, { recursive: true })
    const file = join(ARTIFACTS, `${t.name.replace(/[^a-z0-9]+/gi, '-')}.png`)
    await page.screenshot({ path: file, fullPage: true }).catch(() => {})
    error.message += `\n(screenshot: ${file})`
    throw error
  } finally {
    await page.close()
  }
}

async function api(method, path, { token, body } = {}) {
  const headers = { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const response = await fetch(`${worker.origin}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`)
  return text ? JSON.parse(text) : null
}

const PASSWORD = 'e2e-Correct-Horse-42'

/** Registers a user through the API and returns its email, id and an access token. */
async function newUser(name) {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${randomUUID().slice(0, 8)}@example.com`
  const { user } = await api('POST', '/api/auth/register/', { body: { name, email, password: PASSWORD, password2: PASSWORD } })
  const { access } = await api('POST', '/api/auth/login/', { body: { email, password: PASSWORD } })
  return { ...user, email, token: access }
}

async function signIn(page, email, password = PASSWORD) {
  await page.goto(`${worker.origin}/console/`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

describe('the API reference at /docs/', () => {
  test('renders every operation of the OpenAPI document', async (t) => {
    const spec = await api('GET', '/api/openapi.json')
    const methods = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'])
    const operations = Object.values(spec.paths).flatMap((item) => Object.keys(item).filter((key) => methods.has(key)))
    assert.ok(operations.length > 20)
    await withPage(t, async (page) => {
      await page.goto(`${worker.origin}/api/docs`)
      assert.equal(new URL(page.url()).pathname, '/docs/')
      await page.locator('.opblock').first().waitFor()
      await page.waitForFunction((count) => document.querySelectorAll('.opblock').length === count, operations.length)
      for (const [path, item] of Object.entries(spec.paths).slice(0, 3)) {
        for (const method of Object.keys(item).filter((key) => methods.has(key))) {
          await page.locator(`.opblock-${method} [data-path="${path}"]`).first().waitFor()
        }
      }
    })
  })
})

describe('the console', () => {
  test('shows a refused sign-in in words', async (t) => {
    const user = await newUser('Wrong Password')
    await withPage(t, async (page) => {
      await signIn(page, user.email, 'not-the-password')
      await page.getByRole('alert').filter({ hasText: 'No active account found with the given email and password.' }).waitFor()
      assert.equal(await page.getByText('{"').count(), 0)
    })
  })

  test('signs in, searches patients, opens one, edits it and shows the edit in its history', async (t) => {
    const user = await newUser('Console Editor')
    const tag = randomUUID().slice(0, 6)
    const names = [`Grace Hopper ${tag}`, `Ada Lovelace ${tag}`, `Alan Turing ${tag}`]
    const patients = []
    for (const name of names) {
      patients.push(await api('POST', '/api/patients/', { token: user.token, body: { name, date_of_birth: '1980-03-15', gender: 'female' } }))
    }
    await withPage(t, async (page) => {
      await signIn(page, user.email)
      await page.getByRole('heading', { level: 1, name: 'Patients' }).waitFor()
      const rows = page.locator('table tbody tr')
      await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 3)

      await page.getByLabel('Search').fill('lovelace')
      await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 1)
      assert.match(await rows.first().innerText(), /Ada Lovelace/)

      await page.getByRole('link', { name: names[1] }).click()
      await page.getByRole('heading', { level: 1, name: names[1] }).waitFor()
      assert.equal(new URL(page.url()).pathname, `/console/patients/${patients[1].id}`)

      const edit = page.getByRole('region', { name: 'Edit patient' })
      await edit.getByLabel('Address').fill('1 Analytical Engine Way')
      await edit.getByRole('button', { name: 'Save changes' }).click()
      await page.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor()
      await page.getByRole('region', { name: 'Details' }).getByText('1 Analytical Engine Way').waitFor()
      const history = page.getByRole('region', { name: 'History' })
      await history.getByRole('cell', { name: 'patient.update' }).first().waitFor()

      // A deep link survives a reload: the Worker serves the page, the session resumes from this tab.
      await page.reload()
      await page.getByRole('heading', { level: 1, name: names[1] }).waitFor()

      // Someone else's change in between: the stale edit is refused with a clear message.
      await api('PATCH', `/api/patients/${patients[1].id}/`, { token: user.token, body: { address: 'Changed elsewhere' } })
      await edit.getByLabel('Address').fill('My stale edit')
      await edit.getByRole('button', { name: 'Save changes' }).click()
      await edit.getByRole('alert').filter({ hasText: 'Someone changed this patient after you opened it' }).waitFor()
      const row = await api('GET', `/api/patients/${patients[1].id}/`, { token: user.token })
      assert.equal(row.address, 'Changed elsewhere')

      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.getByRole('button', { name: 'Sign in' }).waitFor()
      assert.equal(await page.evaluate(() => sessionStorage.length + localStorage.length), 0)
    })
  })

  test('assigns a doctor to a patient and removes the assignment', async (t) => {
    const user = await newUser('Console Assigner')
    const patient = await api('POST', '/api/patients/', { token: user.token, body: { name: 'Katherine Johnson', date_of_birth: '1970-08-26', gender: 'female' } })
    const doctor = await api('POST', '/api/doctors/', { token: user.token, body: { name: `Dr. Watson ${randomUUID().slice(0, 6)}`, specialization: 'Cardiology' } })
    await withPage(t, async (page) => {
      await signIn(page, user.email)
      await page.getByRole('link', { name: 'Assignments' }).click()
      await page.getByRole('heading', { level: 1, name: 'Assignments' }).waitFor()
      await page.getByLabel('Patient', { exact: true }).selectOption(String(patient.id))
      await page.getByLabel('Doctor', { exact: true }).selectOption(String(doctor.id))
      await page.getByLabel('Notes').fill('Quarterly review')
      await page.getByRole('button', { name: 'Assign doctor' }).click()
      await page.getByRole('status').filter({ hasText: `${doctor.name} assigned to Katherine Johnson.` }).waitFor()
      await page.getByRole('cell', { name: 'Quarterly review' }).waitFor()

      await page.getByRole('link', { name: 'Katherine Johnson' }).click()
      const doctors = page.getByRole('region', { name: 'Doctors' })
      await doctors.getByRole('cell', { name: doctor.name, exact: true }).waitFor()
      await doctors.getByRole('button', { name: `Remove ${doctor.name}` }).click()
      await doctors.getByText('No doctor is assigned.').waitFor()
      const left = await api('GET', `/api/patients/${patient.id}/doctors/`, { token: user.token })
      assert.equal(left.count, 0)
    })
  })

  test('lets an admin deactivate a user, who is then refused', async (t) => {
    const admin = await newUser('Console Admin')
    worker.sql(`UPDATE users SET role = 'admin' WHERE id = ${Number(admin.id)}`)
    const victim = await newUser('Soon Deactivated')
    const victimPage = await browser.newPage()
    try {
      await signIn(victimPage, victim.email)
      await victimPage.getByRole('heading', { level: 1, name: 'Patients' }).waitFor()
      await withPage(t, async (page) => {
        await signIn(page, admin.email)
        await page.getByRole('link', { name: 'Users' }).click()
        await page.getByLabel('Search').fill(victim.email)
        await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 1)
        await page.getByRole('button', { name: `Deactivate ${victim.email}` }).click()
        await page.getByRole('status').filter({ hasText: `${victim.email} is deactivated.` }).waitFor()
        await page.getByRole('button', { name: `Activate ${victim.email}` }).waitFor()

        await page.getByRole('link', { name: 'Audit' }).click()
        await page.getByLabel('Action').fill('admin.*')
        await page.getByLabel('Resource').fill(`user:${victim.id}`)
        await page.getByRole('button', { name: 'Apply filters' }).click()
        await page.getByRole('cell', { name: 'admin.user_update' }).waitFor()
        await page.getByLabel('Resource').fill('not a resource')
        await page.getByRole('button', { name: 'Apply filters' }).click()
        await page.getByRole('alert').filter({ hasText: 'Use a resource type such as patient' }).waitFor()
      })
      // The victim's open console is refused at its next request and says why.
      await victimPage.getByRole('link', { name: 'Doctors' }).click()
      await victimPage.getByRole('alert').filter({ hasText: 'You have been signed out' }).waitFor()
      await victimPage.getByLabel('Email').fill(victim.email)
      await victimPage.getByLabel('Password').fill(PASSWORD)
      await victimPage.getByRole('button', { name: 'Sign in' }).click()
      await victimPage.getByRole('alert').filter({ hasText: 'No active account found' }).waitFor()
    } catch (error) {
      mkdirSync(ARTIFACTS, { recursive: true })
      await victimPage.screenshot({ path: join(ARTIFACTS, 'deactivated-user-view.png'), fullPage: true }).catch(() => {})
      throw error
    } finally {
      await victimPage.close()
    }
  })
})

describe('the API under wrangler dev, over one kept-alive connection', () => {
  /** Sends one request as Node's fetch does (keep-alive) and reads its answer; a held-back answer fails after 10 s. */
  async function timed(method, path, { token, body } = {}) {
    const headers = { 'content-type': 'application/json' }
    if (token) headers.authorization = `Bearer ${token}`
    const started = performance.now()
    const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) }
    const response = await fetch(`${worker.origin}${path}`, init).catch((error) => assert.fail(`${method} ${path} had no answer within 10 s (${error.name})`))
    const text = await response.text()
    return { status: response.status, ms: performance.now() - started, text }
  }

  // A DELETE's JSON body that no route read held the next answer on the connection back for about 20 s.
  test('answers at once after 405s to requests with JSON bodies, a DELETE among them', async () => {
    const user = await newUser('Keep Alive')
    const patient = await api('POST', '/api/patients/', { token: user.token, body: { name: 'Kept Alive', date_of_birth: '1980-03-15', gender: 'female' } })
    for (let round = 0; round < 3; round++) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const refused = await timed(method, `/api/patients/${patient.id}/history/`, { token: user.token, body: { name: 'x'.repeat(2000) } })
        assert.equal(refused.status, 405, refused.text)
      }
      const forbidden = await timed('GET', '/api/admin/users/', { token: user.token })
      assert.equal(forbidden.status, 403, forbidden.text)
      assert.ok(forbidden.ms < 5_000, `the 403 after the 405s took ${Math.round(forbidden.ms)} ms`)
    }
  })
})

describe('the whole run', () => {
  test('made no request outside the local server and broke no Content-Security-Policy', () => {
    assert.deepEqual(blocked, [])
    assert.deepEqual(cspViolations, [])
  })
})
