import { ACTION_LABELS, labelOf, OUTCOME_LABELS, when } from '../../format'
import { ListFooter, useList } from '../../list'
import type { HistoryEvent, User } from '../../types'
import { Alert, Table } from '../../ui'

/** Who acted, as far as the history tells: the signed-in user by name, anyone else by account number. */
const actorOf = (event: HistoryEvent, me: User) =>
  event.actor_id === null ? 'Nobody signed in' : event.actor_id === me.id ? `You (${me.name})` : `User ${event.actor_id}`

/** The patient's audit events, newest first; its page lives in the address beside the page's own. */
export function History({ id, version, me }: { id: string; version: string; me: User }) {
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
            cells={(event) => [when(event.occurred_at), labelOf(ACTION_LABELS, event.action), labelOf(OUTCOME_LABELS, event.outcome), actorOf(event, me)]}
            busy={data.loading}
          />
          <ListFooter list={list} what="events" />
        </>
      )}
    </section>
  )
}
