// `npm run set-password -- --email ada@example.com [--remote --env production]`
// Sets the password of an existing account, as an administrator would in Django's admin: for an
// account imported with a password this API cannot check (docs/import.md), and for anyone locked out
// of their own. It ends the account's sessions (its token generation moves on) and changes nothing
// else: not its role, not whether it is active. The password comes from NEW_PASSWORD or, when unset,
// from a hidden prompt.
import { parseArgs } from 'node:util'
import { passwordHash, sqlText } from './password-hash.mjs'
import { fail, promptHidden } from './prompt.mjs'
import { d1Execute, d1Read } from './wrangler.mjs'

/** Someone else chose it: the owner should change it after signing in. */
const MIN_PASSWORD = 12

const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    remote: { type: 'boolean', default: false },
    env: { type: 'string' },
    'persist-to': { type: 'string' },
  },
})

const email = values.email?.trim().toLowerCase()
if (!email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) fail('Give a valid --email.')
const target = { remote: values.remote, env: values.env, persistTo: values['persist-to'] }
const where = values.remote ? `the remote database of ${values.env ?? 'the top-level configuration'}` : 'the local database'
const [found] = await d1Read([`SELECT id, is_active FROM users WHERE email = ${sqlText(email)}`], target)
if (!found.length) fail(`No account with the email ${email} in ${where}.`)

const password = process.env.NEW_PASSWORD ?? (await promptHidden('New password: ', 'NEW_PASSWORD'))
if (password.length < MIN_PASSWORD) fail(`Use a password of at least ${MIN_PASSWORD} characters; its owner can change it after signing in.`)
await d1Execute(
  `UPDATE users SET password_hash = ${sqlText(passwordHash(password))}, token_generation = token_generation + 1 WHERE email = ${sqlText(email)};\n`,
  target,
)
const inactive = Number(found[0].is_active) === 0 ? ' The account is deactivated: an administrator re-activates it with PATCH /api/admin/users/{id}/.' : ''
console.log(`${email} has a new password in ${where}.${inactive}`)
