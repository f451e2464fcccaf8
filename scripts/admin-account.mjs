// @ts-check
// The SQL of `npm run create-admin`, apart from the script so a test can run it against D1.
import { sqlText } from './sql-text.mjs'

/**
 * Creates an administrator, or promotes and re-activates the account with that email (ending its
 * sessions), unless the password is on the common-password list; then writes an
 * `admin.create_admin` audit event saying which it did (`detail.account`: created or promoted) and
 * what it set, never the password. One statement a line (D1's `exec()` splits on lines). The last
 * statement answers the event's `account`, or no row when the password was refused.
 * @param {{ name: string, email: string, hash: string, password: string, runId: string }} account
 */
export function adminAccountSql({ name, email, hash, password, runId }) {
  const common = `EXISTS (SELECT 1 FROM common_passwords WHERE password = ${sqlText(password.toLowerCase())})`
  const requestId = sqlText(`create-admin:${runId}`)
  return [
    `INSERT INTO users (name, email, password_hash, role, is_active) SELECT ${sqlText(name)}, ${sqlText(email)}, ${sqlText(hash)}, 'admin', 1 WHERE NOT ${common} ON CONFLICT (email) DO UPDATE SET role = 'admin', is_active = 1, password_hash = excluded.password_hash, token_generation = token_generation + 1;`,
    // A new account is still at generation 0; a promoted one has just moved on.
    `INSERT INTO audit_events (event_id, actor_id, action, resource_type, resource_id, outcome, request_id, client_ip, detail) SELECT ${sqlText(runId)}, NULL, 'admin.create_admin', 'user', id, 'ok', ${requestId}, NULL, json_object('account', CASE WHEN token_generation = 0 THEN 'created' ELSE 'promoted' END, 'changes', json_object('role', 'admin', 'is_active', json('true'), 'password', 'set')) FROM users WHERE email = ${sqlText(email)} AND password_hash = ${sqlText(hash)};`,
    `SELECT json_extract(detail, '$.account') AS account FROM audit_events WHERE request_id = ${requestId};`,
  ].join('\n')
}
