/* global crypto, URL */
// The floor for `get_patient`: an audited read of one patient doing only what is unavoidable. Verify
// the token; one D1 batch of the guard, the clinic's patient row and whether the id exists at all
// (the audit outcome); one awaited send of the event to the audit queue; JSON out. No framework,
// no query builder, no schema validation. Loaded next to the app, on the same D1 and queue.
import { guardStatement, json, verifyAccess } from './floor-auth.mjs'

export default {
  /** @param {Request} request @param {{ DB: D1Database, AUDIT_QUEUE: Queue, JWT_SECRET: string }} env */
  async fetch(request, env) {
    const claims = await verifyAccess(request, env)
    if (!claims) return json({ code: 'token_not_valid' }, 401)
    const id = Number(new URL(request.url).pathname.split('/').at(-1))
    const [guard, found, other] = await env.DB.batch([
      guardStatement(env.DB, claims),
      env.DB.prepare('SELECT * FROM patients WHERE clinic_id = ? AND id = ?').bind(claims.clinicId, id),
      env.DB.prepare('SELECT id FROM patients WHERE id = ?').bind(id),
    ])
    const patient = found.results[0]
    await env.AUDIT_QUEUE.send(
      {
        event_id: crypto.randomUUID(),
        occurred_at: new Date().toISOString().slice(0, 19) + 'Z',
        actor_id: claims.userId,
        action: 'patient.read',
        resource_type: 'patient',
        resource_id: id,
        outcome: patient ? 'ok' : other.results[0] ? 'denied' : 'not_found',
        request_id: crypto.randomUUID(),
        client_ip: request.headers.get('cf-connecting-ip'),
        client_request_id: null,
        detail: null,
        clinic_id: claims.clinicId,
        actor_role: /** @type {{ role: string }} */ (guard.results[0]).role,
        patients: patient ? [id] : [],
      },
      { contentType: 'json' },
    )
    return patient ? json(patient) : json({ code: 'not_found' }, 404)
  },
}
