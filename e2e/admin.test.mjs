// Browser tests of the administrators' pages: accounts filtered by role and status, the unlock of a
// locked account, one account's page, the audit log's names and links, and the clinic's member filters.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import { VIEWPORTS, api, axeViolations, go, joinClinic, newProfile, newUser, rowsRead, send, signIn, signedIn, sleep, useBrowser, withPage, worker } from './support.mjs'

useBrowser()

/** Makes the account a platform administrator, as `npm run create-admin` would. */
const promote = (user) => worker.sql(`UPDATE users SET role = 'admin' WHERE id = ${Number(user.id)}`)

const LOCKED_MESSAGE = /Too many failed logins for this account/

/**
 * Fails logins of `email` with a wrong password until the lockout refuses one; answers how many
 * failures it counted. A refusal by the per-address rate limit (the suite signs in often) waits it out.
 */
async function lockOut(email) {
  let failures = 0
  for (let tries = 0; tries < 40; tries++) {
    const response = await send(`${worker.origin}/api/auth/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'Wrong-Password-9' }),
    })
    const body = await response.json()
    if (response.status === 401) failures += 1
    else if (response.status === 429 && LOCKED_MESSAGE.test(body.error)) return failures
    else if (response.status === 429) await sleep(Number(response.headers.get('retry-after') ?? 5) * 1000)
    else throw new Error(`login answered ${response.status} ${JSON.stringify(body)}`)
  }
  throw new Error(`${email} was never locked`)
}

/** axe-core finds nothing of ours, and nothing scrolls sideways, at each width. */
async function checkLayouts(page, what) {
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport)
    assert.deepEqual(await axeViolations(page), [], `axe-core on ${what} at ${viewport.width} px`)
    const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: innerWidth }))
    assert.ok(scroll <= width, `${what} is ${scroll} px wide in a ${width} px window`)
  }
  await page.setViewportSize(VIEWPORTS[0])
}

const settled = (page) => page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'))

const accountOf = async (admin, id) => api('GET', `/api/admin/users/${id}/`, { token: admin.token })

describe('accounts', () => {
  test('an admin finds a locked account by its status, unlocks it once confirmed, and its owner signs in again; a reload keeps the filters', async (t) => {
    const admin = await newUser('Unlocking Admin')
    promote(admin)
    const victim = await newUser('Locked Out Lucy')
    assert.equal(await lockOut(victim.email), 10)
    const locked = await accountOf(admin, victim.id)
    assert.equal(locked.locked_everywhere, false)
    assert.ok(Date.parse(locked.locked_until) > Date.now() + 10 * 60 * 1000, `locked until ${locked.locked_until}`)

    // The owner, at a computer of their own: the console says why it refuses them.
    const victimProfile = await newProfile()
    const victimPage = await victimProfile.newPage()
    try {
      await signIn(victimPage, victim.email)
      await victimPage.getByRole('alert').filter({ hasText: LOCKED_MESSAGE }).waitFor()

      await withPage(t, async (page) => {
        await signedIn(page, admin.email)
        await page.getByRole('link', { name: 'Users' }).click()
        await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor()
        const filters = page.getByRole('search', { name: 'Filter users' })
        await filters.getByLabel('Status').selectOption('locked')
        await filters.getByLabel('Role').selectOption('user')
        await page.waitForURL((url) => url.searchParams.get('status') === 'locked' && url.searchParams.get('role') === 'user')
        const row = page.locator('table tbody tr').filter({ hasText: victim.email })
        await row.waitFor()
        await settled(page)
        assert.equal(await page.locator('table tbody tr').count(), 1)
        assert.match(await row.innerText(), /Locked until .+ from the networks the failed sign-ins came from/)
        await checkLayouts(page, 'the users page with a locked account')

        // A reload keeps the filters, in the address and in the form.
        await page.reload()
        await row.waitFor()
        assert.equal(await filters.getByLabel('Status').inputValue(), 'locked')
        assert.equal(await filters.getByLabel('Role').inputValue(), 'user')

        // One press opens a confirmation naming the account; Escape changes nothing and gives focus back.
        const unlock = page.getByRole('button', { name: `Unlock ${victim.email}` })
        await unlock.click()
        const dialog = page.getByRole('dialog', { name: `Unlock Locked Out Lucy (${victim.email})?` })
        await dialog.waitFor()
        assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel')
        await checkLayouts(page, 'the unlock confirmation')
        await page.keyboard.press('Escape')
        await dialog.waitFor({ state: 'hidden' })
        assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), `Unlock ${victim.email}`)
        assert.notEqual((await accountOf(admin, victim.id)).locked_until, null)

        await unlock.click()
        await dialog.getByRole('button', { name: `Unlock ${victim.email}` }).click()
        const done = `${victim.email} is unlocked: they can sign in again.`
        await page.getByRole('status').filter({ hasText: done }).waitFor()
        // The row left the list of locked accounts: focus is on what the unlock did.
        await page.waitForFunction((text) => document.activeElement?.textContent === text, done)
        await page.getByText('No accounts match.').waitFor()
        assert.deepEqual(await accountOf(admin, victim.id), { ...locked, locked_until: null, locked_everywhere: false })

        await filters.getByLabel('Status').selectOption('')
        await row.waitFor()
        assert.match(await row.innerText(), /Not locked/)
      })

      await victimPage.getByRole('button', { name: 'Sign in' }).click()
      await victimPage.getByRole('button', { name: 'Sign out' }).waitFor()
    } finally {
      await victimProfile.close()
    }
  })

  test('filters by role, and opens one account with its controls and its trail', async (t) => {
    const admin = await newUser('Role Filtering Admin')
    promote(admin)
    const other = await newUser('Other Admin')
    promote(other)
    await withPage(t, async (page) => {
      await signedIn(page, admin.email)
      await go(page, '/console/users/?role=admin')
      await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor()
      // The page shows what the API's filter answers: administrators only, these two among them.
      const admins = (await api('GET', '/api/admin/users/?role=admin&page_size=100', { token: admin.token })).results
      assert.ok(admins.every((user) => user.role === 'admin'))
      assert.ok([admin.id, other.id].every((id) => admins.some((user) => user.id === id)))
      await rowsRead(page, admins.map((user) => String(user.id)))

      await page.getByRole('link', { name: 'Other Admin' }).click()
      await page.getByRole('heading', { level: 1, name: 'Other Admin' }).waitFor()
      assert.equal(new URL(page.url()).pathname, `/console/users/${other.id}`)
      await page.getByLabel(`Role of ${other.email}`).waitFor()
      await page.getByRole('button', { name: `Deactivate ${other.email}` }).waitFor()
      assert.match(await page.locator('dl').innerText(), /Not locked/)
      await checkLayouts(page, "an account's page")
      await page.getByRole('link', { name: 'What Other Admin did' }).click()
      await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor()
      assert.equal(new URL(page.url()).searchParams.get('actor'), String(other.id))
      assert.equal(await page.getByLabel('Actor (user id)').inputValue(), String(other.id))
    })
  })
})

describe('the audit log', () => {
  test("names the actor, linking to the account, and links a patient only where the admin can open it, by number", async (t) => {
    const admin = await newUser('Audit Reader')
    promote(admin)
    const clinician = await newUser('Carla Clinician')
    const clinic = await joinClinic(admin, clinician, 'clinician')
    const inClinic = await api('POST', '/api/auth/switch-clinic/', { token: clinician.token, body: { clinic: clinic.id } })
    const name = `Audited Patient ${randomUUID().slice(0, 6)}`
    const patient = await api('POST', '/api/patients/', { token: inClinic.access, body: { name, date_of_birth: '1961-08-04', gender: 'female' } })
    // A patient of a clinic the admin is not in.
    const outsider = await newUser('Other Clinic Owner')
    const elsewhere = await api('POST', '/api/patients/', { token: outsider.token, body: { name: `Elsewhere ${randomUUID().slice(0, 6)}`, date_of_birth: '1970-01-01', gender: 'male' } })

    await withPage(t, async (page) => {
      await signedIn(page, admin.email)
      await go(page, `/console/audit/?resource=patient:${patient.id}`)
      await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor()
      const created = page.locator('table tbody tr').filter({ hasText: 'Added patient' })
      await created.waitFor()
      await settled(page)
      await created.getByRole('link', { name: 'Carla Clinician' }).waitFor()
      await created.getByRole('link', { name: `Patient #${patient.id}` }).waitFor()
      assert.ok(!(await page.locator('main').innerText()).includes(name), "the trail never shows a patient's name")
      await checkLayouts(page, 'the audit log with names and links')

      await go(page, `/console/audit/?resource=patient:${elsewhere.id}`)
      const foreign = page.locator('table tbody tr').filter({ hasText: 'Added patient' })
      await foreign.getByRole('link', { name: 'Other Clinic Owner' }).waitFor()
      await foreign.getByText(`Patient #${elsewhere.id}`).waitFor()
      assert.equal(await foreign.getByRole('link', { name: `Patient #${elsewhere.id}` }).count(), 0)

      await page.goBack()
      await page.getByRole('link', { name: 'Carla Clinician' }).first().click()
      await page.getByRole('heading', { level: 1, name: 'Carla Clinician' }).waitFor()
      assert.equal(new URL(page.url()).pathname, `/console/users/${clinician.id}`)
      await page.goBack()
      await page.getByRole('link', { name: `Patient #${patient.id}` }).first().click()
      await page.getByRole('heading', { level: 1, name }).waitFor()
      assert.equal(new URL(page.url()).pathname, `/console/patients/${patient.id}`)
    })
  })
})

describe("the clinic's members", () => {
  test('filter by role and status, kept in the address across a reload', async (t) => {
    const owner = await newUser('Members Owner')
    const desk = await newUser('Desk Member')
    await joinClinic(owner, desk, 'front_desk')
    const leaver = await newUser('Leaving Member')
    const clinic = await joinClinic(owner, leaver, 'front_desk')
    await api('DELETE', `/api/clinics/${clinic.id}/members/${leaver.id}/`, { token: owner.token })
    await withPage(t, async (page) => {
      await signedIn(page, owner.email)
      await go(page, '/console/members/')
      const filters = page.getByRole('search', { name: 'Filter members' })
      await filters.getByLabel('Role').selectOption('front_desk')
      await page.waitForURL((url) => url.searchParams.get('role') === 'front_desk')
      await rowsRead(page, ['Desk Member'])
      await filters.getByLabel('Status').selectOption('all')
      await page.waitForURL((url) => url.searchParams.get('status') === 'all')
      await rowsRead(page, ['Desk Member', 'Leaving Member'])
      // A removed member is a record: no role menu, no Remove.
      assert.equal(await page.getByLabel(`Role of ${leaver.email}`).count(), 0)
      assert.equal(await page.getByRole('button', { name: `Remove ${leaver.email}` }).count(), 0)
      await page.reload()
      await page.getByRole('heading', { level: 1, name: /^Members of/ }).waitFor()
      await rowsRead(page, ['Desk Member', 'Leaving Member'])
      assert.equal(await filters.getByLabel('Role').inputValue(), 'front_desk')
      assert.equal(await filters.getByLabel('Status').inputValue(), 'all')
      await checkLayouts(page, 'the members page, filtered')
    })
  })
})
