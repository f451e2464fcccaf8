// `npm run create-admin -- --email ada@example.com --name "Ada Lovelace" [--remote] [--env production]`
// Creates an administrator, or promotes (and re-activates) the account with that email, setting
// its password, under registration's password rules; audited as admin.create_admin. The password
// comes from ADMIN_PASSWORD or, when unset, from a hidden prompt.
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { adminAccountSql } from './admin-account.mjs'
import { workerModule } from './config-check.mjs'
import { passwordHash } from './password-hash.mjs'
import { fail, promptHidden } from './prompt.mjs'
import { applyMigrations, d1Execute } from './wrangler.mjs'

const MIN_ADMIN_PASSWORD = 12

const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    remote: { type: 'boolean', default: false },
    env: { type: 'string' },
  },
})

const email = values.email?.trim().toLowerCase()
if (!email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) fail('Give a valid --email.')
const name = values.name?.trim() || email.split('@')[0]
const password = process.env.ADMIN_PASSWORD ?? (await promptHidden('Password: ', 'ADMIN_PASSWORD'))
if (password.length < MIN_ADMIN_PASSWORD) fail(`Use a password of at least ${MIN_ADMIN_PASSWORD} characters for an administrator.`)
/** @type {{ passwordProblems: (password: string, person: { email: string, name: string }) => string[] }} */
const policy = await workerModule('src/auth/password-policy.ts')
const problems = policy.passwordProblems(password, { email, name })
if (problems.length) fail(problems.join('\n'))

const target = { remote: values.remote, env: values.env }
if (!values.remote) await applyMigrations()
const statements = await d1Execute(adminAccountSql({ name, email, hash: passwordHash(password), password, runId: randomUUID() }), target)
const where = values.remote ? `the remote database of ${values.env ?? 'the top-level configuration'}` : 'the local database'
if (values.remote) {
  // Remotely wrangler answers no rows: the admin.create_admin event says which it was.
  console.log(`${email} is an administrator in ${where} unless its password is on the common list (its admin.create_admin audit event says created or promoted).`)
} else {
  const account = /** @type {{ account?: string }[] | undefined} */ (statements.at(-1))?.[0]?.account
  if (!account) fail('This password is too common.')
  console.log(`${email} is an administrator in ${where}: ${account === 'created' ? 'a new account was created' : 'the existing account was promoted, re-activated and its sessions ended'}.`)
}
