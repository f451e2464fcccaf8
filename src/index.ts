import app from './app'
import { runAuditArchive } from './audit-archiver'
import { consumeAuditBatch } from './audit-consumer'
import type { AuditMessage } from './core/audit'
import type { Bindings } from './env'

export type { AppType } from './app'

const worker: ExportedHandler<Bindings, AuditMessage> = {
  fetch: app.fetch,
  queue: (batch, env) => consumeAuditBatch(batch, env),
  scheduled: async (controller, env) => {
    await runAuditArchive(env, new Date(controller.scheduledTime))
  },
}

export default worker
