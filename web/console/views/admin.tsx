import { useEffect, useState } from 'preact/hooks'
import { request } from '../api'
import { ROLES, type Role } from '../../../src/core/enums'
import { ConfirmButton } from '../confirm'
import { ACTION_LABELS, labelOf, OUTCOME_LABELS, ROLE_LABELS, when } from '../format'
import { Submit, useForm } from '../form'
import { ListFooter, useList } from '../list'
import type { AdminUser, AuditEvent, User } from '../types'
import { Alert, Feedback, Heading, Options, Table, TextField } from '../ui'

/** Accounts: search, activate and deactivate, change role. */
export function Users({ me }: { me: User }) {
  const list = useList<AdminUser, 'search'>({ endpoint: '/api/admin/users/', filters: ['search'] })
  const { data } = list
  const [notice, setNotice] = useState('')
  const [error, setError] = useState<unknown>(null)

  const change = async (user: AdminUser, changes: Partial<Pick<AdminUser, 'role' | 'is_active'>>, done: string) => {
    setError(null)
    setNotice('')
    try {
      await request('PATCH', `/api/admin/users/${user.id}/`, { body: changes })
      await data.reload()
      setNotice(done)
    } catch (caught) {
      setError(caught)
    }
  }

  return (
    <>
      <Heading>Users</Heading>
      <form role="search" class="filters" aria-label="Filter users" onSubmit={(event) => event.preventDefault()}>
        <TextField
          label="Search"
          type="search"
          value={list.search}
          placeholder="Name or email"
          onInput={(event) => list.setSearch(event.currentTarget.value)}
        />
      </form>
      <Feedback notice={notice} error={error} />
      <Alert error={data.error} />
      {data.data && (
        <>
          <Table
            caption="Accounts, newest first"
            columns={['Id', 'Name', 'Email', 'Joined', 'Role', 'Status']}
            rows={data.data.results}
            rowKey={(user) => user.id}
            cells={(user) => {
              const self = user.id === me.id
              return [
                user.id,
                user.name,
                user.email,
                when(user.date_joined),
                self ? labelOf(ROLE_LABELS, user.role) : <RoleCell user={user} onSave={(role) => change(user, { role }, `${user.email} is now ${role === 'admin' ? 'an admin' : 'a user'}.`)} />,
                <>
                  {user.is_active ? 'Active' : 'Deactivated'}{' '}
                  {!self &&
                    (user.is_active ? (
                      <ConfirmButton
                        danger
                        question={`Deactivate ${user.name} (${user.email})?`}
                        consequence="They are signed out everywhere and cannot sign in until an admin activates the account again."
                        confirm={`Deactivate ${user.email}`}
                        onConfirm={() => change(user, { is_active: false }, `${user.email} is deactivated.`)}
                      >
                        Deactivate {user.email}
                      </ConfirmButton>
                    ) : (
                      <button type="button" onClick={() => change(user, { is_active: true }, `${user.email} is active again.`)}>
                        Activate {user.email}
                      </button>
                    ))}
                </>,
              ]
            }}
            busy={data.loading}
          />
          {data.data.count === 0 && <p>No accounts match.</p>}
          <ListFooter list={list} what="users" />
        </>
      )}
    </>
  )
}

/** A role menu that changes nothing by itself: Save asks for confirmation, naming the account and the role. */
function RoleCell({ user, onSave }: { user: AdminUser; onSave: (role: Role) => Promise<void> }) {
  const [role, setRole] = useState<Role>(user.role)
  const changed = role !== user.role
  return (
    <div class="buttons">
      <select aria-label={`Role of ${user.email}`} value={role} onChange={(event) => setRole(event.currentTarget.value as Role)}>
        <Options values={ROLES} labels={ROLE_LABELS} />
      </select>
      {changed && (
        <ConfirmButton
          label={`Save role of ${user.email}`}
          question={`Make ${user.name} (${user.email}) ${role === 'admin' ? 'an admin' : 'a user'}?`}
          consequence={role === 'admin' ? 'Admins see every account and the whole audit log, and can change any account.' : 'They lose the admin pages at their next request.'}
          confirm={`Make ${user.email} ${role === 'admin' ? 'an admin' : 'a user'}`}
          onConfirm={() => onSave(role)}
        >
          Save role
        </ConfirmButton>
      )}
    </div>
  )
}

type AuditFilter = 'actor' | 'action' | 'resource' | 'since' | 'until'
const AUDIT_FILTERS: readonly AuditFilter[] = ['actor', 'action', 'resource', 'since', 'until']
const noFilters: Record<AuditFilter, string> = { actor: '', action: '', resource: '', since: '', until: '' }

/** A datetime-local value (the browser's local time) as the ISO-8601 UTC time the API takes. */
const isoOf = (local: string) => {
  if (!local) return undefined
  const time = new Date(local)
  return Number.isNaN(time.getTime()) ? local : time.toISOString()
}

/** The audit log, with the API's filters; the address keeps the local times the user typed. */
export function Audit() {
  const list = useList<AuditEvent, AuditFilter>({
    endpoint: '/api/admin/audit/',
    filters: AUDIT_FILTERS,
    toApi: (filters) => ({ ...filters, since: isoOf(filters.since), until: isoOf(filters.until) }),
  })
  const { data } = list
  const applied = list.filters
  const form = useForm(applied, async (fields) => list.filter(fields))
  // Back or a link changed the filters: the form shows them.
  useEffect(() => form.reset(applied), [AUDIT_FILTERS.map((name) => applied[name]).join('\n')])
  // The API checks the filters: its refusal belongs on the fields.
  useEffect(() => {
    if (data.error) form.refuse(data.error)
  }, [data.error])

  return (
    <>
      <Heading>Audit log</Heading>
      <form class="filters" aria-label="Filter audit events" onSubmit={form.onSubmit} ref={form.formRef}>
        <TextField label="Actor (user id)" {...form.text('actor')} inputMode="numeric" />
        <TextField label="Action" {...form.text('action')} placeholder="patient.* or patient.update" />
        <TextField label="Resource" {...form.text('resource')} placeholder="patient or patient:42" />
        <TextField label="Since" {...form.text('since')} type="datetime-local" />
        <TextField label="Until" {...form.text('until')} type="datetime-local" />
        <Submit form={form} label="Apply filters">
          <button type="button" onClick={() => list.filter(noFilters)}>
            Clear filters
          </button>
        </Submit>
      </form>
      {data.data && !data.error && (
        <>
          <Table
            caption="Audit events, newest first"
            columns={['When', 'Actor', 'Action', 'Resource', 'Outcome', 'Client IP', 'Request id']}
            rows={data.data.results}
            rowKey={(event) => event.id}
            cells={(event) => [
              when(event.occurred_at),
              event.actor_id ?? '–',
              <span title={event.action}>{labelOf(ACTION_LABELS, event.action)}</span>,
              `${event.resource_type}${event.resource_id === null ? '' : `:${event.resource_id}`}`,
              labelOf(OUTCOME_LABELS, event.outcome),
              event.client_ip ?? '–',
              <code>{event.request_id}</code>,
            ]}
            busy={data.loading}
          />
          {data.data.count === 0 && <p>No events match.</p>}
          <ListFooter list={list} what="events" />
        </>
      )}
    </>
  )
}
