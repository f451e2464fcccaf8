// `npm run import:django` and `npm run set-password` as an operator runs them: through wrangler, into
// a fresh local D1 in a temporary directory. What the import does record by record is tested in
// workerd (test/import-django.test.ts); this proves the command line, wrangler's SQL files and the
// report around it.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { offlineEnv } from '../scripts/wrangler.mjs'

let dir

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'e2e-import-'))
})

after(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Runs an npm script's file with arguments against the temporary database. */
function script(file, args, env = {}) {
  const result = spawnSync('node', [file, ...args, '--persist-to', dir], { env: { ...offlineEnv, ...env }, encoding: 'utf8' })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

const importDjango = (...args) => script('scripts/import-django.mjs', args)

/** The rows of each statement, run with wrangler on the same database in one call. */
function query(...statements) {
  const result = spawnSync('npx', ['wrangler', 'd1', 'execute', 'DB', '--local', '--persist-to', dir, '--json', '--command', statements.join(';\n')], {
    env: { ...offlineEnv, CI: 'true' },
    encoding: 'utf8',
  })
  assert.equal(result.status, 0, result.stderr)
  return JSON.parse(result.stdout).map((answer) => answer.results)
}

const COUNTS = "SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM patients) AS patients, (SELECT count(*) FROM audit_events WHERE action = 'import') AS events"

describe('npm run import:django', () => {
  test('refuses a file that is not a dumpdata array, with a sentence and no stack trace', () => {
    const file = join(dir, 'not-a-dump.json')
    writeFileSync(file, JSON.stringify({ model: 'auth.user', fields: {} }))
    const run = importDjango(file)
    assert.equal(run.status, 1)
    assert.match(run.stderr, /^Nothing was imported: The dump is not a dumpdata array/)
    assert.doesNotMatch(run.stderr, /\n\s+at /)
  })

  test('imports a dump, reports per model, and a second run changes nothing', () => {
    const first = importDjango('test/fixtures/django/natural-keys.json')
    assert.equal(first.status, 0, first.stderr)
    assert.match(first.stdout, /auth\.user\s+7 imported, 0 already there, 0 refused/)
    assert.match(first.stdout, /patients\.patient\s+4 imported, 0 already there, 1 refused/)
    assert.match(first.stdout, /refused patients\.patient 5: date_of_birth: The date of birth cannot be in the future\./)
    assert.match(first.stdout, /bob@northside\.test \(auth\.user \["bob@northside\.test"\]\): a bcrypt hash/)
    const [[afterFirst], [grace]] = query(COUNTS, "SELECT medical_history FROM patients WHERE name = 'Grace Hopper'")
    assert.deepEqual(afterFirst, { users: 7, patients: 4, events: 24 })
    // Text with quotes, semicolons and comment markers went through wrangler's SQL file as it was.
    assert.equal(grace.medical_history, "Penicillin allergy; \"quoted\" -- not a comment /* nor this */\nSecond line, O'Brien's note; BEGIN TRANSACTION; CASE closed END; COMMIT; $tag$ Zoë")

    const second = importDjango('test/fixtures/django/natural-keys.json')
    assert.equal(second.status, 0, second.stderr)
    assert.match(second.stdout, /auth\.user\s+0 imported, 7 already there/)
    assert.match(second.stdout, /Nothing changed: every record is already there or refused\./)
    assert.deepEqual(query(COUNTS), [[afterFirst]])
  })

  test('--dry-run checks and reports without writing', () => {
    const [before] = query(COUNTS)
    const run = importDjango('test/fixtures/django/pks.json', '--map', 'test/fixtures/django/pks-map.json', '--clinic', 'Southside', '--dry-run')
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, /^Dry run of pks\.json: nothing was written\./m)
    assert.match(run.stdout, /api\.patient\s+3 would be imported/)
    assert.deepEqual(query(COUNTS), [before])
  })
})

describe('npm run set-password', () => {
  test('gives an imported account that could not sign in a password this API checks, and ends its sessions', () => {
    query("INSERT INTO users (name, email, password_hash) VALUES ('Bea Crypt', 'bea@example.com', '!bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuv')")
    const run = script('scripts/set-password.mjs', ['--email', 'bea@example.com'], { NEW_PASSWORD: 'a-new-long-passphrase' })
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, /bea@example\.com has a new password in the local database\./)
    const [[bea]] = query("SELECT password_hash, token_generation, role FROM users WHERE email = 'bea@example.com'")
    assert.match(bea.password_hash, /^pbkdf2_sha256\$100000\$/)
    assert.equal(bea.token_generation, 1)
    assert.equal(bea.role, 'user')

    const unknown = script('scripts/set-password.mjs', ['--email', 'nobody@example.com'], { NEW_PASSWORD: 'a-new-long-passphrase' })
    assert.equal(unknown.status, 1)
    assert.match(unknown.stderr, /No account with the email nobody@example\.com in the local database\./)
  })
})
