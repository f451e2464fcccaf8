// Browser tests of a patient's history as a change log (see support.mjs for how they run).
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import { VIEWPORTS, api, axeViolations, go, newUser, signedIn, sleep, useBrowser, withPage } from './support.mjs'

useBrowser()

/** Asks the API until `ready` holds for the patient's history (reads reach D1 through the queue, a second or two late). */
async function historyWhen(user, patientId, query, ready) {
  for (let tries = 0; tries < 60; tries++) {
    const page = await api('GET', `/api/patients/${patientId}/history/${query}`, { token: user.token })
    if (ready(page)) return page
    await sleep(500)
  }
  throw new Error(`the history of patient ${patientId} never became ready (${query})`)
}

/** An API timestamp as the console writes it: the browser's locale and time zone, through the page's own Intl. */
const asShown = (page, iso) => page.evaluate((at) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at)), iso)

describe("a patient's history reads as a change log", () => {
  test('an edit of address and phone shows as "Changed phone number, address — <name>, <date>", reads only when asked, and the choice survives a reload', async (t) => {
    const user = await newUser('Dr. Ada Smith')
    const tag = randomUUID().slice(0, 6)
    const patient = await api('POST', '/api/patients/', {
      token: user.token,
      body: { name: `Hedda Logged ${tag}`, date_of_birth: '1970-05-05', gender: 'female', phone_number: '+14155550100', address: '1 Old Road' },
    })
    await withPage(t, async (page) => {
      await signedIn(page, user.email)
      await go(page, `/console/patients/${patient.id}`)
      await page.getByRole('heading', { level: 1, name: patient.name }).waitFor()

      const edit = page.getByRole('region', { name: 'Edit patient' })
      await edit.getByLabel('Address').fill('2 New Street')
      await edit.getByLabel('Phone number').fill('+1 415 555 0199')
      await edit.getByRole('button', { name: 'Save changes' }).click()
      await page.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor()

      // The console's own view of the patient is a read: once it has reached the trail, the history must still leave it out.
      const everything = await historyWhen(user, patient.id, '?reads=true', (answer) => answer.results.some((event) => event.action === 'patient.read'))
      const changes = await api('GET', `/api/patients/${patient.id}/history/?reads=false`, { token: user.token })
      assert.deepEqual(changes.results.map((event) => [event.action, event.changed]), [
        ['patient.update', ['phone_number', 'address']],
        ['patient.create', null],
      ])
      await page.reload()
      const history = page.getByRole('region', { name: 'History' })
      const entries = history.getByRole('listitem')
      const update = changes.results[0]
      const expected = `Changed phone number, address — Dr. Ada Smith, ${await asShown(page, update.occurred_at)}`
      await entries.filter({ hasText: expected }).waitFor()
      assert.deepEqual(await entries.allInnerTexts(), [expected, `Added patient — Dr. Ada Smith, ${await asShown(page, changes.results[1].occurred_at)}`])
      const showReads = history.getByLabel('Show reads')
      assert.equal(await showReads.isChecked(), false)
      await history.getByText(`Page 1 of 1 (${changes.count} events)`).waitFor()
      assert.equal(new URL(page.url()).searchParams.get('history_reads'), null)

      await showReads.check()
      await entries.filter({ hasText: /^Viewed patient — Dr\. Ada Smith, / }).first().waitFor()
      assert.equal(new URL(page.url()).searchParams.get('history_reads'), 'true')
      // Every event now, reads too: at least as many as the API counted once the first read had arrived.
      await page.waitForFunction(
        (least) => Number(/\((\d+) events\)/.exec(document.querySelector('[aria-label="Pages of events"]')?.textContent ?? '')?.[1]) >= least,
        everything.count,
      )

      // The toggle lives in the address: a reload keeps it, and the reads with it.
      await page.reload()
      await page.getByRole('heading', { level: 1, name: patient.name }).waitFor()
      assert.equal(await page.getByRole('region', { name: 'History' }).getByLabel('Show reads').isChecked(), true)
      await page.getByRole('region', { name: 'History' }).getByRole('listitem').filter({ hasText: /^Viewed patient — / }).first().waitFor()

      for (const viewport of VIEWPORTS) {
        await page.setViewportSize(viewport)
        await page.getByRole('region', { name: 'History' }).getByRole('listitem').first().waitFor()
        assert.deepEqual(await axeViolations(page), [], `axe-core on the history at ${viewport.width} px`)
        const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: innerWidth }))
        assert.ok(scroll <= width, `the patient page is ${scroll} px wide in a ${width} px window`)
      }
    })
  })
})
