import { ACTION_LABELS, FIELD_LABELS, labelOf, OUTCOME_LABELS, when } from '../../format'
import { ListFooter, useList } from '../../list'
import type { HistoryEvent } from '../../types'
import { Alert } from '../../ui'

/** What happened, in words: an update by the fields it changed, anything else by its action's label; a refusal says so first. */
function whatOf(event: HistoryEvent): string {
  const action = labelOf(ACTION_LABELS, event.action)
  if (event.outcome !== 'ok') return `${labelOf(OUTCOME_LABELS, event.outcome)}: ${action}`
  if (!event.changed) return action
  const fields = event.changed.map((field) => labelOf(FIELD_LABELS, field)).join(', ')
  if (event.resource_type === 'patient') return fields ? `Changed ${fields}` : 'Saved with no changes'
  return `${action}: ${fields || 'saved with no changes'}`
}

/** Who acted: by name; an event nobody signed in made is the system's, and a name the API no longer has is an account that is gone. */
const whoOf = (event: HistoryEvent) => event.actor_name ?? (event.actor_id === null ? 'System' : 'Someone no longer in the clinic')

/**
 * The patient's audit events, newest first, read as a change log: reads are left out unless "Show
 * reads" is ticked, and the API leaves them out (so pages stay full). Its page and that choice live
 * in the address beside the page's own.
 */
export function History({ id, version }: { id: string; version: string }) {
  const list = useList<HistoryEvent, 'reads'>({
    endpoint: `/api/patients/${id}/history/`,
    filters: ['reads'],
    prefix: 'history_',
    version,
    toApi: ({ reads }) => ({ reads: reads === 'true' ? 'true' : 'false' }),
  })
  const { data } = list
  const showReads = list.filters.reads === 'true'
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <label class="inline">
        <input type="checkbox" checked={showReads} onChange={(event) => list.filter({ reads: event.currentTarget.checked ? 'true' : '' })} />
        Show reads
      </label>
      <Alert error={data.error} />
      {data.data && (
        <>
          {data.data.results.length === 0 ? (
            <p>No events to show.</p>
          ) : (
            <ol class="history" aria-label={showReads ? 'Every event, newest first' : 'Changes, newest first'} aria-busy={data.loading}>
              {data.data.results.map((event) => (
                <li key={event.id}>
                  {whatOf(event)} — {whoOf(event)}, <time dateTime={event.occurred_at}>{when(event.occurred_at)}</time>
                </li>
              ))}
            </ol>
          )}
          <ListFooter list={list} what="events" />
        </>
      )}
    </section>
  )
}
