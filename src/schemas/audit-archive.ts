import { z } from '@hono/zod-openapi'

const WHOLE = { format: 'int64', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const
const time = (description: string) => z.string().openapi({ format: 'date-time', maxLength: 20, example: '2026-12-05T03:20:00Z', description })

export const AuditHealthSchema = z
  .object({
    dead_letters: z.object({
      count: z.number().int().openapi({ format: 'int64', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Dead letters not yet replayed.' }),
      oldest_received_at: time('When the oldest of them arrived.').nullable(),
    }),
    oldest_unarchived_event: z
      .object({ id: z.number().int().openapi(WHOLE), occurred_at: time('When it happened.') })
      .nullable()
      .openapi({ description: 'The first event the archiver has not written to R2 yet; null when every event is archived.' }),
    last_link: z
      .object({
        seq: z.number().int().openapi(WHOLE),
        object_key: z.string().openapi({ maxLength: 200, example: 'audit/2026/12/05/000000000001-000000000042-0123456789abcdef.ndjson.gz' }),
        first_event_id: z.number().int().openapi(WHOLE),
        last_event_id: z.number().int().openapi(WHOLE),
        event_count: z.number().int().openapi(WHOLE),
        row_sha256: z.string().openapi({ maxLength: 64, pattern: '^[0-9a-f]{64}$' }),
        archived_at: time('When the object was archived.'),
        verified_at: time('When it was read back and found equal to D1; null until then.').nullable(),
      })
      .nullable()
      .openapi({ description: "The hash chain's last row; null before the first archive run." }),
  })
  .openapi('AuditHealth')

export const DeadLetterReplaySchema = z
  .object({ id: z.number().int().openapi(WHOLE), replayed_at: time('When it was replayed.') })
  .openapi('DeadLetterReplay')

export type AuditHealth = z.infer<typeof AuditHealthSchema>
