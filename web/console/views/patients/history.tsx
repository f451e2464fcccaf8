import { ACTION_LABELS, labelOf, OUTCOME_LABELS, when } from '../../format'
import { ListFooter, useList } from '../../list'
import type { HistoryEvent } from '../../types'
import { Alert, Table } from '../../ui'

/** The patient's audit events, newest first; its page lives in the address beside the page's own. */
export function History({ id, version }: { id: string; version: string }) {
  const list = useList<HistoryEvent, never>({ endpoint: `/api/patients/${id}/history/`, filters: [], prefix: 'history_', version })
  const { data } = list
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <Alert error={data.error} />
      {data.data && (
        <>
          <Table
            caption="Audit events for this patient, newest first"
            columns={['When', 'Action', 'Outcome', 'By user']}
            rows={data.data.results}
            rowKey={(event) => event.id}
            cells={(event) => [when(event.occurred_at), labelOf(ACTION_LABELS, event.action), labelOf(OUTCOME_LABELS, event.outcome), event.actor_id ?? '–']}
            busy={data.loading}
          />
          <ListFooter list={list} what="events" />
        </>
      )}
    </section>
  )
}
