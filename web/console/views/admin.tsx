import { useState } from 'preact/hooks'
import { get, query, request } from '../api'
import { Alert, Heading, Pager, Status, Table, TextField, useDebounced, useLoad, when } from '../ui'
import type { AdminUser, AuditEvent, Page, User } from '../types'

const PAGE_SIZE = 20

/** Accounts: search, activate and deactivate, change role. */
export function Users({ me }: { me: User }) {
  const [search, setSearch] = useState('')
  const [page, setPage] = useState(1)
  const [notice, setNotice] = useState('')
  const [error, setError] = useState<unknown>(null)
  const term = useDebounced(search)
  const path = `/api/admin/users/${query({ search: term, page, page_size: PAGE_SIZE })}`
  const list = useLoad(() => get<Page<AdminUser>>(path), path)

  const change = async (user: AdminUser, changes: Partial<Pick<AdminUser, 'role' | 'is_active'>>, done: string) => {
    setError(null)
    setNotice('')
    try {
      await request('PATCH', `/api/admin/users/${user.id}/`, { body: changes })
      setNotice(done)
      list.reload()
    } catch (caught) {
      setError(caught)
    }
  }

  return (
    <>
      <Heading>Users</Heading>
      {notice && <Status>{notice}</Status>}
      <Alert error={error} />
      <form role="search" class="filters" aria-label="Filter users" onSubmit={(event) => event.preventDefault()}>
        <TextField
          label="Search"
          type="search"
          value={search}
          placeholder="Name or email"
          onInput={(event) => {
            setSearch(event.currentTarget.value)
            setPage(1)
          }}
        />
      </form>
      <Alert error={list.error} />
      {list.data && (
        <>
          <Table
            caption="Accounts, newest first"
            columns={['Id', 'Name', 'Email', 'Joined', 'Role', 'Status']}
            rows={list.data.results}
            rowKey={(user) => user.id}
            row={(user) => {
              const self = user.id === me.id
              return (
                <>
                  <td>{user.id}</td>
                  <td>{user.name}</td>
                  <td>{user.email}</td>
                  <td>{when(user.date_joined)}</td>
                  <td>
                    <select
                      aria-label={`Role of ${user.email}`}
                      value={user.role}
                      disabled={self}
                      onChange={(event) => {
                        const role = event.currentTarget.value as AdminUser['role']
                        change(user, { role }, `${user.email} is now ${role === 'admin' ? 'an admin' : 'a user'}.`)
                      }}
                    >
                      <option value="user">user</option>
                      <option value="admin">admin</option>
                    </select>
                  </td>
                  <td>
                    {user.is_active ? 'active' : 'deactivated'}{' '}
                    {!self && (
                      <button
                        type="button"
                        onClick={() =>
                          change(
                            user,
                            { is_active: !user.is_active },
                            `${user.email} is ${user.is_active ? 'deactivated' : 'active again'}.`,
                          )
                        }
                      >
                        {user.is_active ? `Deactivate ${user.email}` : `Activate ${user.email}`}
                      </button>
                    )}
                  </td>
                </>
              )
            }}
            busy={list.loading}
          />
          {list.data.count === 0 && <p>No accounts match.</p>}
          <Pager page={page} pageSize={PAGE_SIZE} count={list.data.count} onPage={setPage} what="users" />
        </>
      )}
    </>
  )
}

interface AuditFilters {
  actor: string
  action: string
  resource: string
  since: string
  until: string
}

const noFilters: AuditFilters = { actor: '', action: '', resource: '', since: '', until: '' }

/** A datetime-local value (the browser's local time) as the ISO-8601 UTC time the API takes. */
const isoOf = (local: string) => {
  if (!local) return undefined
  const time = new Date(local)
  return Number.isNaN(time.getTime()) ? local : time.toISOString()
}

/** The audit log, with the API's filters. */
export function Audit() {
  const [draft, setDraft] = useState(noFilters)
  const [filters, setFilters] = useState(noFilters)
  const [page, setPage] = useState(1)
  const path = `/api/admin/audit/${query({
    actor: filters.actor,
    action: filters.action,
    resource: filters.resource,
    since: isoOf(filters.since),
    until: isoOf(filters.until),
    page,
    page_size: PAGE_SIZE,
  })}`
  const list = useLoad(() => get<Page<AuditEvent>>(path), path)
  const bind = (name: keyof AuditFilters) => ({
    value: draft[name],
    onInput: (event: Event) => setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value }),
  })
  const apply = (event: Event) => {
    event.preventDefault()
    setFilters(draft)
    setPage(1)
  }
  const clear = () => {
    setDraft(noFilters)
    setFilters(noFilters)
    setPage(1)
  }

  return (
    <>
      <Heading>Audit log</Heading>
      <form class="filters" aria-label="Filter audit events" onSubmit={apply}>
        <TextField label="Actor (user id)" {...bind('actor')} inputMode="numeric" />
        <TextField label="Action" {...bind('action')} placeholder="patient.* or patient.update" />
        <TextField label="Resource" {...bind('resource')} placeholder="patient or patient:42" />
        <TextField label="Since" {...bind('since')} type="datetime-local" />
        <TextField label="Until" {...bind('until')} type="datetime-local" />
        <div>
          <button type="submit">Apply filters</button>{' '}
          <button type="button" onClick={clear}>
            Clear filters
          </button>
        </div>
      </form>
      <Alert error={list.error} />
      {list.data && !list.error && (
        <>
          <Table
            caption="Audit events, newest first"
            columns={['When', 'Actor', 'Action', 'Resource', 'Outcome', 'Client IP', 'Request id']}
            rows={list.data.results}
            rowKey={(event) => event.id}
            row={(event) => (
              <>
                <td>{when(event.occurred_at)}</td>
                <td>{event.actor_id ?? '–'}</td>
                <td>{event.action}</td>
                <td>
                  {event.resource_type}
                  {event.resource_id === null ? '' : `:${event.resource_id}`}
                </td>
                <td>{event.outcome}</td>
                <td>{event.client_ip ?? '–'}</td>
                <td>
                  <code>{event.request_id}</code>
                </td>
              </>
            )}
            busy={list.loading}
          />
          {list.data.count === 0 && <p>No events match.</p>}
          <Pager page={page} pageSize={PAGE_SIZE} count={list.data.count} onPage={setPage} what="events" />
        </>
      )}
    </>
  )
}
