import { z } from '@hono/zod-openapi'
import { PageQuerySchema, paginated } from './pagination'
import { AUDIT_ACTION, changedFields, CLIENT_REQUEST_ID, JSON_TEXT, REQUEST_ID, textOf } from './common'
import { CSV_HEADER } from '../core/access-report'
import { CLINIC_ROLES } from '../core/enums'

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
        object_key: z.string().openapi({ maxLength: 200, pattern: '^audit/\\d{4}/\\d{2}/\\d{2}/\\d{12,}-\\d{12,}-[0-9a-f]{16}\\.ndjson\\.gz$', example: 'audit/2026/12/05/000000000001-000000000042-0123456789abcdef.ndjson.gz' }),
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

export const DeadLetterSchema = z
  .object({
    id: z.number().int().openapi(WHOLE),
    message_id: z.string().openapi({ ...textOf(128), description: "The queue's id of the message." }),
    body: z.string().openapi({ maxLength: 65_536, pattern: JSON_TEXT, description: 'The message body as the queue delivered it (JSON text: an audit event and the patients it named).' }),
    error: z.string().openapi({ ...textOf(4096), description: 'Why D1 refused it, at its last attempt.' }),
    received_at: time('When the dead-letter queue delivered it.'),
    replayed_at: time('When an admin replayed it; null while pending.').nullable(),
    replayed_by: z.number().int().nullable().openapi({ ...WHOLE, description: 'The admin who replayed it.' }),
  })
  .openapi('DeadLetter')

export const DeadLetterPageSchema = paginated(DeadLetterSchema, 'DeadLetterPage')

export const DeadLetterListQuerySchema = PageQuerySchema.extend({
  pending: z
    .enum(['true', 'false'], { error: 'Use true or false.' })
    .transform((value) => value === 'true')
    .optional()
    .openapi({ type: 'string', enum: ['true', 'false'], description: 'true: only those not replayed yet; false: only replayed ones.' }),
})

export type DeadLetter = z.infer<typeof DeadLetterSchema>
export type DeadLetterListQuery = z.output<typeof DeadLetterListQuerySchema>

export const DeadLetterReplaySchema = z
  .object({ id: z.number().int().openapi(WHOLE), replayed_at: time('When it was replayed.') })
  .openapi('DeadLetterReplay')

export type AuditHealth = z.infer<typeof AuditHealthSchema>

const isoTime = (description: string) =>
  z.iso.datetime({ offset: true, error: 'Use an ISO-8601 time such as 2026-01-05T10:35:00Z.' }).openapi({ maxLength: 64, example: '2026-01-01T00:00:00Z', description })

export const AccessReportQuerySchema = z
  .object({
    from: isoTime('The first moment of the range (inclusive).'),
    to: isoTime('The end of the range (exclusive).'),
    format: z
      .enum(['json', 'csv', 'fhir'], { error: 'Choose json, csv or fhir.' })
      .default('json')
      .openapi({ description: 'json (below), csv (text/csv, one access a line) or fhir (a FHIR R4 Bundle of BALP AuditEvents, application/fhir+json).' }),
  })
  .refine((query) => new Date(query.from) < new Date(query.to), { error: 'from must be before to.', path: ['to'] })

const ACCESS_KINDS = ['read', 'list', 'search', 'change', 'refused', 'report'] as const

export const AccessSchema = z
  .object({
    event_id: z.string().nullable().openapi({ maxLength: 36, format: 'uuid' }),
    occurred_at: time('When it happened.'),
    actor: z
      .object({ id: z.number().int().openapi(WHOLE), name: z.string().nullable().openapi({ ...textOf(150), description: 'Null when the account is gone.' }) })
      .nullable()
      .openapi({ description: 'Who: null when nobody was signed in.' }),
    role: z.string().nullable().openapi({ maxLength: 32, enum: [...CLINIC_ROLES, null], description: "The actor's role when the event recorded it." }),
    clinic_id: z.number().int().nullable().openapi({ ...WHOLE, description: 'The clinic the actor acted in, when the event recorded it.' }),
    kind: z.enum(ACCESS_KINDS).openapi({ description: 'read, list, search, change, refused (an attempt that was refused), or report (the history, this report, or a read of the audit trail).' }),
    action: z.string().openapi({ ...AUDIT_ACTION, example: 'patient.read' }),
    outcome: z.enum(['ok', 'denied', 'not_found']),
    query: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'What a list or search asked for.' }),
    changed: changedFields(),
    network: z.string().nullable().openapi({ maxLength: 45, pattern: '^[\\da-f:.]+(/64)?$', description: "The client's network: an IPv4 address or an IPv6 /64." }),
    request_id: z.string().openapi(REQUEST_ID),
    client_request_id: z.string().nullable().openapi(CLIENT_REQUEST_ID),
    source: z.enum(['hot', 'archive']).openapi({ description: 'hot: read from D1; archive: from the R2 archive, for events older than the hot window.' }),
  })
  .openapi('PatientAccess')

export const AccessReportSchema = z
  .object({
    patient_id: z.number().int().openapi(WHOLE),
    from: time('As asked.'),
    to: time('As asked.'),
    count: z.number().int().openapi({ format: 'int64', minimum: 0, maximum: 10_000 }),
    accesses: z.array(AccessSchema).openapi({ maxItems: 10_000, description: 'Oldest first.' }),
  })
  .openapi('PatientAccessReport')

export type AccessReportQuery = z.output<typeof AccessReportQuerySchema>

/** `format=csv`: RFC 4180 with CRLF line ends, the header line first. */
export const CsvReportSchema = z.string().openapi({ maxLength: 10_000_000, pattern: `^${CSV_HEADER}\\r\\n`, description: 'The header line, then one access a line.' })
