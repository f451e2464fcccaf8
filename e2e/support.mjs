// What the browser tests share: Debian's Chromium (never a downloaded one) driven by playwright-core
// against the Worker under `wrangler dev`. Every request that is not to that local server is aborted
// and counted, and any Content-Security-Policy violation fails the run. Failures leave a screenshot
// in e2e-artifacts/.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { chromium } from 'playwright-core'
import { startWorker } from './worker.mjs'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const ARTIFACTS = 'e2e-artifacts'
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

export let worker
let chromiumBrowser
const blocked = []
const cspViolations = []

/**
 * Starts the Worker and Chromium for this file's tests, and ends the file with a check that nothing
 * left the local server and no Content-Security-Policy broke. Call once, at the top.
 */
export function useBrowser() {
  before(async () => {
    worker = await startWorker()
    chromiumBrowser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
  })

  // A hook, not a test, so that it runs after every test of the file.
  after(async () => {
    await chromiumBrowser?.close()
    worker?.stop()
    assert.deepEqual(blocked, [], 'requests outside the local server')
    assert.deepEqual(cspViolations, [], 'Content-Security-Policy violations')
  })
}

/**
 * A browser profile of its own (cookies, storage, tabs): one person at one computer. Its tabs share
 * the console's session, as a real browser's do; two people need two of these.
 */
export async function newProfile() {
  const context = await chromiumBrowser.newContext()
  const origin = worker.origin
  await context.route('**/*', (route) => {
    const url = route.request().url()
    if (new URL(url).origin === origin) return route.continue()
    blocked.push(url)
    return route.abort('blockedbyclient')
  })
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text())
  })
  return context
}

/** A fresh tab, in a fresh profile, for one test; on failure its screenshot is saved under the test's name. */
export async function withPage(t, body) {
  const profile = await newProfile()
  const page = await profile.newPage()
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
    await profile.close()
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * fetch, tried a second time when a kept-alive connection turns out closed by the server as it was
 * reused (the tests are idle for seconds while the browser works): that request never reached it.
 */
export async function send(url, init) {
  try {
    return await fetch(url, init)
  } catch (error) {
    if (error?.cause?.code !== 'UND_ERR_SOCKET') throw error
    return fetch(url, init)
  }
}

export async function api(method, path, { token, body } = {}) {
  const headers = { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  let response = await send(`${worker.origin}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  // The API limits sign-ins and registrations per address and minute, and this suite makes many.
  for (let tries = 0; response.status === 429 && tries < 2; tries++) {
    await response.text()
    await sleep(Number(response.headers.get('retry-after') ?? 5) * 1000)
    response = await send(`${worker.origin}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  }
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`)
  return text ? JSON.parse(text) : null
}

export const PASSWORD = 'e2e-Correct-Horse-42'

/** Registers a user through the API and returns its email, id and an access token. */
export async function newUser(name) {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${randomUUID().slice(0, 8)}@example.com`
  const { user } = await api('POST', '/api/auth/register/', { body: { name, email, password: PASSWORD, password2: PASSWORD } })
  const { access } = await api('POST', '/api/auth/login/', { body: { email, password: PASSWORD } })
  return { ...user, email, token: access }
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** axe-core's violations on the page as it is now, one line each (rule and elements). */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE)
  return page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ['violations'] })
    return violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`)
  })
}

export const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
]

/** Waits until the first column of the page's table reads `expected`, row by row. */
export async function rowsRead(page, expected) {
  await page.waitForFunction(
    (names) => JSON.stringify([...document.querySelectorAll('table tbody tr td:first-child')].map((cell) => cell.innerText)) === JSON.stringify(names),
    expected,
  )
}

export async function signIn(page, email, password = PASSWORD) {
  await page.goto(`${worker.origin}/console/`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

/** Signs in and waits for the console; a sign-in refused for the rate limit is tried again after the wait it asks for. */
export async function signedIn(page, email) {
  await signIn(page, email)
  const limited = page.getByRole('alert').filter({ hasText: 'Too many requests' })
  for (let tries = 0; tries < 2; tries++) {
    await Promise.race([page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 }), limited.waitFor({ timeout: 30_000 })])
    if (!(await limited.count())) return
    await sleep(30_000)
    await page.getByRole('button', { name: 'Sign in' }).click()
  }
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
}

/** Goes to a console address the way its own links do: no page load, so no session refresh. */
export async function go(page, path) {
  await page.evaluate((target) => {
    history.pushState(null, '', target)
    dispatchEvent(new PopStateEvent('popstate'))
  }, path)
}

/** One account shared by tests that need not be alone (the API limits registrations per minute). */
export const sharedUser = (name) => {
  let user
  return () => (user ??= newUser(name))
}
export const frontDesk = sharedUser('Front Desk')
export const colleague = sharedUser('Colleague')

/** The clinic the user's tokens act in, as /api/auth/me/ says. */
export async function clinicOf(user) {
  const me = await api('GET', '/api/auth/me/', { token: user.token })
  return me.clinic
}

/** Brings `member` into `admin`'s clinic with `role`, through an invitation accepted by the API. */
export async function joinClinic(admin, member, role) {
  const clinic = await clinicOf(admin)
  const { token } = await api('POST', `/api/clinics/${clinic.id}/invitations/`, { token: admin.token, body: { email: member.email, role } })
  await api('POST', '/api/invitations/accept/', { token: member.token, body: { token } })
  return clinic
}

/** Waits for the button, and presses it again after the wait a rate-limit refusal asks for. */
export async function pressUntilNotLimited(page, scope, name) {
  const limited = scope.getByRole('alert').filter({ hasText: 'Too many requests' })
  for (let tries = 0; ; tries++) {
    await scope.getByRole('button', { name }).click()
    await Promise.race([page.waitForURL((url) => !url.pathname.startsWith('/console/invitations/'), { timeout: 30_000 }), limited.waitFor({ timeout: 30_000 })])
    if (!(await limited.count()) || tries === 2) return
    await sleep(30_000)
  }
}
