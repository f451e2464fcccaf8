/* global crypto */
// The floor for `create_patient`: verify the token, then one D1 batch of the guard, the INSERT …
// RETURNING and its audit INSERT (the actor's role read in the batch, as the app records it), and
// JSON out. No framework, no query builder, no schema validation. Loaded next to the app, on the same D1.
import { guardStatement, json, verifyAccess } from './floor-auth.mjs'

const COLUMNS = ['name', 'date_of_birth', 'gender', 'email', 'phone_number', 'address', 'blood_group', 'medical_history']

export default {
  /** @param {Request} request @param {{ DB: D1Database, JWT_SECRET: string }} env */
  async fetch(request, env) {
    const claims = await verifyAccess(request, env)
    if (!claims) return json({ code: 'token_not_valid' }, 401)
    const body = await request.json()
    const [, created] = await env.DB.batch([
      guardStatement(env.DB, claims),
      env.DB.prepare(`INSERT INTO patients (clinic_id, created_by, ${COLUMNS.join(', ')}) VALUES (?, ?, ${COLUMNS.map(() => '?').join(', ')}) RETURNING *`).bind(
        claims.clinicId,
        claims.userId,
        ...COLUMNS.map((column) => body[column] ?? null),
      ),
      env.DB.prepare(
        `INSERT INTO audit_events (event_id, actor_id, clinic_id, actor_role, action, resource_type, resource_id, outcome, request_id, client_ip) ` +
          `VALUES (?, ?, ?, (SELECT role FROM clinic_members WHERE clinic_id = ? AND user_id = ?), 'patient.create', 'patient', ` +
          `CASE WHEN changes() > 0 THEN last_insert_rowid() END, CASE WHEN changes() > 0 THEN 'ok' ELSE 'not_found' END, ?, ?)`,
      ).bind(crypto.randomUUID(), claims.userId, claims.clinicId, claims.clinicId, claims.userId, crypto.randomUUID(), request.headers.get('cf-connecting-ip')),
    ])
    return json(created.results[0], 201)
  },
}
