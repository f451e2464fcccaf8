import type { AuditStamp } from '../core/audit'
import type { Db } from './client'

/** What every query of one signed-in request works with: its database session, its audit stamp, and who is asking. */
export interface Scope {
  db: Db
  stamp: AuditStamp
  userId: number
}
