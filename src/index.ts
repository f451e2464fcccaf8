import app from './app'
import { consumeAuditBatch } from './audit-consumer'
import type { AuditMessage } from './core/audit'
import type { Bindings } from './env'

export type { AppType } from './app'

export default {
  fetch: app.fetch,
  queue: (batch: MessageBatch<AuditMessage>, env: Bindings) => consumeAuditBatch(batch, env),
} satisfies ExportedHandler<Bindings, AuditMessage>
