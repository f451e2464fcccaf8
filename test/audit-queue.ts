import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import type { AuditMessage } from '../src/core/audit'
import worker from '../src/index'

/** A stand-in for the AUDIT_QUEUE binding that keeps what the Worker sends, or refuses it (`failing`). */
export function recordingQueue({ failing = false } = {}) {
  const sent: AuditMessage[] = []
  const queue = {
    send: async (body: AuditMessage) => {
      if (failing) throw new Error('Queue send failed: the queue is unavailable')
      sent.push(structuredClone(body))
    },
    sendBatch: async () => {
      throw new Error('the Worker sends one message per disclosure')
    },
  } as unknown as Queue<AuditMessage>
  return { queue, sent }
}

/** Runs the Worker's queue consumer on these messages as the audit queue would deliver them; answers what it acked or retried. */
export async function deliver(messages: readonly AuditMessage[], attempts = 1) {
  const batch = createMessageBatch<AuditMessage>(
    'audit-events',
    messages.map((body, index) => ({ id: `message-${index}`, timestamp: new Date(), attempts, body })),
  )
  const ctx = createExecutionContext()
  await worker.queue!(batch, env, ctx)
  return getQueueResult(batch, ctx)
}

/** Runs the Worker's cron work (archive, verify, hot window) as the trigger would at `scheduledTime`. */
export async function runScheduled(scheduledTime = new Date(), bindings: Partial<Cloudflare.Env> = {}) {
  const controller = createScheduledController({ scheduledTime, cron: '* * * * *' })
  const ctx = createExecutionContext()
  await worker.scheduled!(controller, { ...env, ...bindings }, ctx)
  await waitOnExecutionContext(ctx)
}

/** Runs the dead-letter queue's consumer on these messages; answers what it acked or retried. */
export async function deliverDeadLetters(messages: readonly AuditMessage[]) {
  const batch = createMessageBatch<AuditMessage>(
    'audit-events-dlq',
    messages.map((body, index) => ({ id: `dead-${crypto.randomUUID()}-${index}`, timestamp: new Date(), attempts: 1, body })),
  )
  const ctx = createExecutionContext()
  await worker.queue!(batch, env, ctx)
  return getQueueResult(batch, ctx)
}
