import { keyText, planImport, type ExistingState, type ImportPlan, type Planned } from './plan'
import { parseDump, sortDump, type ImportMap, type Kind } from './source'
import { stateFrom, stateReads, writeFiles, writeUnits } from './sql'

export { ImportRefusal, parseMap } from './source'

/** How the import reaches D1: the CLI through wrangler, the tests through the test database. */
export interface ImportIo {
  /** Runs read-only statements and answers each one's rows, in order. */
  read(statements: string[]): Promise<Record<string, unknown>[][]>
  /**
   * Runs one file's statements, atomically where the database allows it. When `reads` are given, it
   * runs them after the writes in the same call if it can and answers their rows; otherwise undefined.
   */
  write(statements: string[], reads: string[]): Promise<Record<string, unknown>[][] | undefined>
}

export interface RunOptions {
  map?: ImportMap
  clinic?: string
  clinicAdmin?: string
  dryRun?: boolean
  /** The dump's file name, recorded in each import event. */
  file: string
  /** Statements per write (one wrangler call each). */
  statementsPerWrite?: number
  onProgress?: (message: string) => void
}

export interface ModelReport {
  model: string
  kind: Kind | 'clinics'
  imported: number
  /** Records that were already here under another key: same email, same licence. */
  linked: number
  alreadyThere: number
  refused: { label: string; reason: string }[]
  notes: { label: string; note: string }[]
}

export interface ImportReport {
  file: string
  dryRun: boolean
  /** The audit events' request_id. */
  runId: string
  clinic: string | null
  models: ModelReport[]
  /** Users imported now whose password cannot log in here. */
  disabledLogins: { label: string; email: string; reason: string }[]
  /** Users imported now whose Django hash was kept. */
  keptPasswords: number
  skipped: [string, number][]
  unread: [string, string[]][]
  /** Whether anything was (or, in a dry run, would be) written. */
  changes: boolean
}

const DEFAULT_STATEMENTS_PER_WRITE = 5_000

/**
 * Imports a `dumpdata` file: reads it whole and plans every record before writing anything (a
 * malformed file or an impossible request throws ImportRefusal with nothing written), then writes
 * in files of whole records, then reads back which keys landed, so the report says what the
 * database holds and not what was hoped.
 */
export async function importDjango(dumpText: string, options: RunOptions, io: ImportIo): Promise<ImportReport> {
  const map = options.map ?? {}
  const dump = sortDump(parseDump(dumpText), map)
  const reads = stateReads(dump)
  const before = stateFrom(reads, await io.read(reads.map((read) => read.sql)))
  const plan = planImport(dump, before, { map, clinic: options.clinic, clinicAdmin: options.clinicAdmin })
  const runId = `import-${crypto.randomUUID()}`
  if (options.dryRun) return report(plan, options, runId, null)

  const units = writeUnits(plan, runId)
  const files = writeFiles(units, options.statementsPerWrite ?? DEFAULT_STATEMENTS_PER_WRITE, runId, options.file)
  const keyReads = reads.filter((read) => read.what === 'keys')
  const keySql = keyReads.map((read) => read.sql)
  let done = 0
  let landed: Record<string, unknown>[][] | undefined
  for (const [index, file] of files.entries()) {
    landed = await io.write(file.statements, index === files.length - 1 ? keySql : [])
    done += file.units.length
    options.onProgress?.(`  wrote ${done} of ${units.length} records (up to ${file.units[file.units.length - 1].label})`)
  }
  if (!files.length) return report(plan, options, runId, before)
  const after = stateFrom(keyReads, landed ?? (await io.read(keySql)))
  return report(plan, options, runId, after)
}

function report(plan: ImportPlan, options: RunOptions, runId: string, after: ExistingState | null): ImportReport {
  const landed = (record: Planned<unknown>) => after === null || after.keys.has(keyText(record.ref))
  const summarize = (kind: ModelReport['kind'], model: string, records: Planned<unknown>[]): ModelReport => {
    const summary: ModelReport = { model, kind, imported: 0, linked: 0, alreadyThere: 0, refused: [], notes: [] }
    for (const record of records) {
      if (record.status === 'there') summary.alreadyThere += 1
      else if (record.status === 'refused') summary.refused.push({ label: record.label, reason: record.reason ?? 'refused' })
      else if (!landed(record)) summary.refused.push({ label: record.label, reason: 'not written: it conflicts with a record already here (an email or a pair taken since the import read the database)' })
      else {
        if (record.status === 'new') summary.imported += 1
        else summary.linked += 1
        summary.notes.push(...record.notes.map((note) => ({ label: record.label, note })))
      }
    }
    return summary
  }
  const models: ModelReport[] = []
  for (const kind of ['users', 'doctors', 'patients', 'assignments'] as const) {
    const model = plan.models[kind]
    if (!model) continue
    if (kind === 'users') {
      models.push(summarize(kind, model, plan.users))
      models.push(summarize('clinics', plan.mode.clinic ? `clinic "${plan.mode.clinic}"` : 'clinics (one per user)', plan.clinics))
    } else {
      models.push(summarize(kind, model, plan[kind]))
    }
  }
  const importedUsers = plan.users.filter((user) => user.status === 'new' && landed(user))
  const disabledLogins = importedUsers.flatMap((user) =>
    user.password && !user.password.usable ? [{ label: user.label, email: user.email ?? '', reason: user.password.reason }] : [],
  )
  return {
    file: options.file,
    dryRun: after === null,
    runId,
    clinic: plan.mode.clinic,
    models,
    disabledLogins,
    keptPasswords: importedUsers.length - disabledLogins.length,
    skipped: [...plan.skipped],
    unread: [...plan.unread],
    changes: models.some((model) => model.imported > 0 || model.linked > 0),
  }
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`

/** Notes printed per model (every refusal is printed): a large dump's report stays readable. */
const SHOWN_LINES = 50

const capped = (lines: string[]) =>
  lines.length <= SHOWN_LINES ? lines : [...lines.slice(0, SHOWN_LINES), `      ... and ${lines.length - SHOWN_LINES} more like these`]

/** The report as the CLI prints it. */
export function formatReport(report: ImportReport, how: { setPassword: string }): string {
  const lines: string[] = []
  const verb = report.dryRun ? 'would be imported' : 'imported'
  lines.push(report.dryRun ? `Dry run of ${report.file}: nothing was written.` : `Imported ${report.file}.`)
  const width = Math.max(...report.models.map((model) => model.model.length))
  for (const model of report.models) {
    const parts = [`${model.imported} ${verb}`, `${model.alreadyThere} already there`]
    if (model.linked) parts.push(`${model.linked} matched to a record already here`)
    parts.push(`${model.refused.length} refused`)
    lines.push(`  ${model.model.padEnd(width)}  ${parts.join(', ')}`)
    lines.push(...model.refused.map((refused) => `      refused ${refused.label}: ${refused.reason}`))
    lines.push(...capped(model.notes.map((note) => `      ${note.label}: ${note.note}`)))
  }
  if (report.keptPasswords || report.disabledLogins.length) {
    lines.push(
      `Passwords: ${report.keptPasswords} Django PBKDF2-SHA256 ${report.keptPasswords === 1 ? 'hash' : 'hashes'} kept as ${report.keptPasswords === 1 ? 'it is' : 'they are'}: those users sign in with their old password, re-hashed at their first login.`,
    )
  }
  if (report.disabledLogins.length) {
    lines.push(`${plural(report.disabledLogins.length, 'user')} cannot sign in until an administrator sets a password (${how.setPassword}):`)
    for (const user of report.disabledLogins) lines.push(`      ${user.email} (${user.label}): ${user.reason}`)
  }
  if (report.skipped.length) lines.push(`Skipped (Django's own data or named "skip"): ${report.skipped.map(([model, count]) => `${model} ${count}`).join(', ')}.`)
  for (const [model, fields] of report.unread) lines.push(`Not carried over from ${model}: ${fields.join(', ')}.`)
  const refused = report.models.some((model) => model.refused.length > 0)
  if (!report.changes) {
    const why = refused ? 'every record is already there or refused' : 'every record is already there'
    lines.push(report.dryRun ? `Nothing to import: ${why}.` : `Nothing changed: ${why}.`)
  }
  else if (!report.dryRun) lines.push(`Each imported record has an "import" audit event (request_id ${report.runId}).`)
  return lines.join('\n')
}
