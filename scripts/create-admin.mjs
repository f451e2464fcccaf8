// `npm run create-admin -- --email ada@example.com --name "Ada Lovelace" [--remote] [--env production]`
// Creates an administrator, or promotes (and re-activates) the account with that email, setting
// its password. The password comes from ADMIN_PASSWORD or, when unset, from a hidden prompt.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { passwordHash, sqlText } from './password-hash.mjs'
import { wranglerSync } from './wrangler.mjs'

const MIN_ADMIN_PASSWORD = 12

const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    remote: { type: 'boolean', default: false },
    env: { type: 'string' },
  },
})

function fail(message) {
  console.error(message)
  process.exit(1)
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question) {
  if (!process.stdin.isTTY) fail('No terminal to ask for the password: set ADMIN_PASSWORD.')
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true })
    rl._writeToOutput = (text) => rl.output.write(text.startsWith(question) ? question : '')
    rl.question(question, (answer) => {
      rl.close()
      process.stdout.write('\n')
      resolve(answer)
    })
  })
}

const email = values.email?.trim().toLowerCase()
if (!email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) fail('Give a valid --email.')
const name = values.name?.trim() || email.split('@')[0]
const password = process.env.ADMIN_PASSWORD ?? (await promptHidden('Password: '))
if (password.length < MIN_ADMIN_PASSWORD) fail(`Use a password of at least ${MIN_ADMIN_PASSWORD} characters for an administrator.`)

const sql = `INSERT INTO users (name, email, password_hash, role, is_active)
VALUES (${sqlText(name)}, ${sqlText(email)}, ${sqlText(passwordHash(password))}, 'admin', 1)
ON CONFLICT (email) DO UPDATE SET role = 'admin', is_active = 1, password_hash = excluded.password_hash;
`
const dir = mkdtempSync(join(tmpdir(), 'create-admin-'))
const file = join(dir, 'admin.sql')
writeFileSync(file, sql, { mode: 0o600 })
const target = values.remote ? ['--remote'] : ['--local']
const environment = values.env ? ['--env', values.env] : []
try {
  if (!values.remote) wranglerSync(['d1', 'migrations', 'apply', 'DB', '--local'])
  wranglerSync(['d1', 'execute', 'DB', ...target, ...environment, '--file', file])
} finally {
  rmSync(dir, { recursive: true, force: true })
}
console.log(`${email} is an administrator in the ${values.remote ? 'remote' : 'local'} database.`)
