import type { AuditStamp } from '../core/audit'
import type { Db } from './client'

/** What every query of one signed-in request works with: its database session, its audit stamp, who is asking and in which clinic. */
export interface Scope {
  db: Db
  stamp: AuditStamp
  userId: number
  /** The clinic the request acts in: every patient query is within it. Null when the account is in none. */
  clinicId: number | null
}

/** The scope of a request that acts in a clinic (every route that needs a clinic permission). */
export interface ClinicScope extends Scope {
  clinicId: number
}
