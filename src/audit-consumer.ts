import type { AuditMessage } from './core/audit'
import { connect } from './db/client'
import { writeAuditMessages } from './db/audit'
import type { Bindings } from './env'

const FIRST_RETRY_SECONDS = 5
const MAX_RETRY_SECONDS = 300

/** Backoff for a batch's next attempt: 5 s, then doubled at each attempt, at most 5 minutes. */
export const retryDelaySeconds = (attempts: number) => Math.min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** (Math.max(1, attempts) - 1))

/**
 * The audit queue's consumer: writes a batch of disclosures to D1 in one `batch()`. A failed batch is
 * retried with backoff and, after `max_retries` (wrangler.toml), moves to the dead-letter queue.
 */
export async function consumeAuditBatch(batch: MessageBatch<AuditMessage>, env: Bindings): Promise<void> {
  try {
    await writeAuditMessages(
      connect(env.DB),
      batch.messages.map((message) => message.body),
    )
    batch.ackAll()
  } catch (error) {
    const attempts = Math.max(...batch.messages.map((message) => message.attempts))
    console.error(JSON.stringify({ level: 'error', reason: `audit batch write failed: ${(error as Error).message}`, messages: batch.messages.length, attempts }))
    batch.retryAll({ delaySeconds: retryDelaySeconds(attempts) })
  }
}
