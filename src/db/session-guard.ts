import { CLINIC_ROLES, PermissionDeniedError, rolesWith, type ClinicRole, type Permission } from '../core/permissions'
import { SessionEndedError } from '../core/session-ended'
import type { D1Handle, Db } from './client'

/** Who a signed-in request is: the account, its token generation, and the clinic its token names (null: none). */
export interface SessionClaims {
  userId: number
  generation: number
  clinicId: number | null
}

/** The signed-in member as the request's first round trip found them. */
export interface Member {
  readonly userId: number
  /** The account's token generation the access token carries. */
  readonly generation: number
  readonly clinicId: number | null
  /** The member's role in the clinic, read by the database in the request's first round trip; null before it and outside any clinic. */
  readonly role: ClinicRole | null
  /** Adds a permission the request needs (and the body field that needs it); only before the first round trip. */
  demand(permission: Permission, field?: string): void
}

interface Demand {
  permission: Permission
  field?: string
}

/**
 * The guard statement: one row with the member's role while the account is active at the token's
 * generation and an active member of the token's clinic with an allowed role. Otherwise it fails at
 * run time, which aborts and rolls back the whole D1 batch it leads, so a write riding in the same
 * batch never lands: `json()` of a non-JSON string for an ended session, and `json_extract()` with
 * a path naming the role for a role without the permission (SQLite offers no other way for a plain
 * SELECT to fail, and D1 reports only the error's text). The roles are the constants of
 * core/permissions.ts, never input; the membership is read once, by primary key.
 */
function guardStatement(handle: D1Handle, { userId, generation, clinicId }: SessionClaims, allowed: readonly ClinicRole[]): D1PreparedStatement {
  if (clinicId === null) {
    return handle
      .prepare(`SELECT CASE WHEN EXISTS (SELECT 1 FROM users WHERE id = ? AND is_active = 1 AND token_generation = ?) THEN NULL ELSE json('session ended') END AS role`)
      .bind(userId, generation)
  }
  const branches = CLINIC_ROLES.map((role) => (allowed.includes(role) ? `WHEN '${role}' THEN '${role}'` : `WHEN '${role}' THEN json_extract('{}', 'role:${role}')`))
  return handle
    .prepare(
      `SELECT CASE (SELECT m.role FROM clinic_members AS m JOIN users AS u ON u.id = m.user_id ` +
        `WHERE m.clinic_id = ? AND m.user_id = ? AND m.status = 'active' AND u.is_active = 1 AND u.token_generation = ?) ` +
        `${branches.join(' ')} ELSE json('session ended') END AS role`,
    )
    .bind(clinicId, userId, generation)
}

const SESSION_ENDED = /malformed JSON/
const ROLE_REFUSED = /bad JSON path: 'role:(\w+)'/

/**
 * Guards every later statement of this request's `db`: its first round trip also proves the account
 * is active at the token's generation (a password change, refresh-token theft, logout-all or
 * deactivation moves it on), that it is still an active member of the token's clinic, and that its
 * role there holds every permission demanded, all without a round trip of its own. A removed member's
 * token stops at its next request; a demoted one's loses what the new role lacks at once.
 */
export function guardSession(db: Db, claims: SessionClaims): Member {
  const demands: Demand[] = []
  let role: ClinicRole | null = null
  let guarded = false

  const denied = (found: ClinicRole | null) => {
    const demand = demands.find(({ permission }) => found === null || !rolesWith(permission).includes(found)) ?? demands[0]
    return new PermissionDeniedError(demand.permission, found, demand.field)
  }

  const guard = (handle: D1Handle): D1Handle => {
    const send = async (statements: D1PreparedStatement[]): Promise<D1Result[]> => {
      if (guarded) return handle.batch(statements)
      guarded = true
      if (claims.clinicId === null && demands.length) throw denied(null)
      const allowed = CLINIC_ROLES.filter((candidate) => demands.every(({ permission }) => rolesWith(permission).includes(candidate)))
      try {
        const [check, ...results] = await handle.batch([guardStatement(handle, claims, allowed), ...statements])
        role = (check.results[0] as { role: ClinicRole | null }).role
        return results
      } catch (error) {
        const message = (error as Error).message
        if (SESSION_ENDED.test(message)) throw new SessionEndedError()
        const refused = ROLE_REFUSED.exec(message)
        if (refused) {
          // The role the database found, for the refusal's audit event.
          role = refused[1] as ClinicRole
          throw denied(role)
        }
        throw error
      }
    }
    const wrap = (statement: D1PreparedStatement): D1PreparedStatement =>
      ({
        statement,
        bind: (...values: unknown[]) => wrap(statement.bind(...values)),
        all: async () => (await send([statement]))[0],
        run: async () => (await send([statement]))[0],
        first: async () => (await send([statement]))[0].results[0] ?? null,
      }) as unknown as D1PreparedStatement
    const unwrap = (statement: D1PreparedStatement) => (statement as unknown as { statement: D1PreparedStatement }).statement
    return {
      prepare: (sql: string) => wrap(handle.prepare(sql)),
      batch: (statements: D1PreparedStatement[]) => send(statements.map(unwrap)),
    } as unknown as D1Handle
  }

  db.wrap(guard)
  return {
    userId: claims.userId,
    generation: claims.generation,
    clinicId: claims.clinicId,
    get role() {
      return role
    },
    demand(permission, field) {
      if (guarded) throw new Error('demand() after the first round trip: the guard has already run')
      demands.push({ permission, field })
    },
  }
}
