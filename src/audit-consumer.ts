import type { AuditMessage } from './core/audit'
import { connect, type Db } from './db/client'
import { writeAuditMessages } from './db/audit'
import { storeDeadLetter } from './db/audit-dead-letters'
import type { Bindings } from './env'

const FIRST_RETRY_SECONDS = 5
const MAX_RETRY_SECONDS = 300

/** Backoff for a message's next attempt: 5 s, then doubled at each attempt, at most 5 minutes. */
export const retryDelaySeconds = (attempts: number) => Math.min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** (Math.max(1, attempts) - 1))

const logError = (reason: string, fields: Record<string, unknown>) => console.error(JSON.stringify({ level: 'error', reason, ...fields }))

/** Whether a batch comes from a dead-letter queue (`audit-events-dlq`, `audit-events-staging-dlq`). */
export const isDeadLetterQueue = (queue: string) => queue.endsWith('-dlq')

/**
 * The audit queue's consumer: writes a batch of disclosures to D1 in one `batch()`. When that
 * fails, each message is written on its own, so one poison message cannot hold back the good
 * ones; a message that still fails is retried with backoff and, after `max_retries`
 * (wrangler.toml), moves to the dead-letter queue, whose batches go to consumeDeadLetters.
 */
export async function consumeAuditBatch(batch: MessageBatch<AuditMessage>, env: Bindings): Promise<void> {
  const db = connect(env.DB)
  if (isDeadLetterQueue(batch.queue)) return consumeDeadLetters(batch, db)
  try {
    await writeAuditMessages(
      db,
      batch.messages.map((message) => message.body),
    )
    batch.ackAll()
    return
  } catch (error) {
    logError(`audit batch write failed, writing its messages one by one: ${(error as Error).message}`, { messages: batch.messages.length })
  }
  for (const message of batch.messages) {
    try {
      await writeAuditMessages(db, [message.body])
      message.ack()
    } catch (error) {
      logError(`audit message write failed: ${(error as Error).message}`, { message_id: message.id, attempts: message.attempts })
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) })
    }
  }
}

/**
 * The dead-letter queue's consumer: tries each message once more (its cause may be gone), and
 * stores the ones that still fail in `audit_dead_letters` with their body and error, so none
 * expires unseen after the queue's retention. A message is acknowledged only once it is in D1.
 */
async function consumeDeadLetters(batch: MessageBatch<AuditMessage>, db: Db): Promise<void> {
  for (const message of batch.messages) {
    try {
      await writeAuditMessages(db, [message.body])
      message.ack()
      continue
    } catch (error) {
      try {
        await storeDeadLetter(db, { message_id: message.id, body: JSON.stringify(message.body), error: (error as Error).message })
        logError('audit message dead-lettered', { message_id: message.id })
        message.ack()
      } catch (storeError) {
        logError(`dead letter could not be stored: ${(storeError as Error).message}`, { message_id: message.id })
        message.retry({ delaySeconds: retryDelaySeconds(message.attempts) })
      }
    }
  }
}
