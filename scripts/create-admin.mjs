// `npm run create-admin -- --email ada@example.com --name "Ada Lovelace" [--remote] [--env production]`
// Creates an administrator, or promotes (and re-activates) the account with that email, setting
// its password. The password comes from ADMIN_PASSWORD or, when unset, from a hidden prompt.
import { parseArgs } from 'node:util'
import { passwordHash, sqlText } from './password-hash.mjs'
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

const sql = `INSERT INTO users (name, email, password_hash, role, is_active)
VALUES (${sqlText(name)}, ${sqlText(email)}, ${sqlText(passwordHash(password))}, 'admin', 1)
ON CONFLICT (email) DO UPDATE SET role = 'admin', is_active = 1, password_hash = excluded.password_hash,
  token_generation = token_generation + 1;
`
const target = { remote: values.remote, env: values.env }
if (!values.remote) await applyMigrations()
await d1Execute(sql, target)
const where = values.remote ? `the remote database of ${values.env ?? 'the top-level configuration'}` : 'the local database'
console.log(`${email} is an administrator in ${where}.`)
