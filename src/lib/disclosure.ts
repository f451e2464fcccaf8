import type { Context } from 'hono'
import { auditMessage, type Disclosure } from '../core/audit'
import { nowUtcText } from '../core/clock'
import { isUnseen, type Unseen } from '../core/refusal'
import type { AppEnv } from '../env'
import { ApiError } from './errors'
import { auditStamp } from './request-scope'

/**
 * Puts a disclosure on the audit record before its answer leaves: the event is durable once the
 * queue has accepted it (the consumer writes it to D1 moments later), so a read never waits on a D1
 * write. When the queue refuses it, the request fails closed with 503 and discloses nothing.
 */
export async function recordDisclosure(c: Context<AppEnv>, disclosure: Disclosure): Promise<void> {
  try {
    await c.env.AUDIT_QUEUE.send(auditMessage(auditStamp(c), disclosure, nowUtcText()), { contentType: 'json' })
  } catch (error) {
    throw new ApiError('audit_unavailable', undefined, { logReason: `audit queue send failed: ${(error as Error).message}` })
  }
}

/**
 * Records the read of one record: `ok` naming the patients it shows, or the refusal naming none.
 * The read is on the record before the caller learns its outcome, either way.
 */
export function recordRead<T>(
  c: Context<AppEnv>,
  read: Pick<Disclosure, 'action' | 'resourceType' | 'resourceId'>,
  found: T | Unseen,
  patientsOf: (found: T) => number[],
): Promise<void> {
  if (isUnseen(found)) return recordDisclosure(c, { ...read, outcome: found.refused, patients: [] })
  return recordDisclosure(c, { ...read, outcome: 'ok', patients: patientsOf(found) })
}
