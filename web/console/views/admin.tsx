import { useEffect, useState } from 'preact/hooks'
import { request } from '../api'
import { ROLES, USER_STATUSES, type Role } from '../../../src/core/enums'
import { ConfirmButton } from '../confirm'
import { ACTION_LABELS, labelOf, OUTCOME_LABELS, RESOURCE_LABELS, ROLE_LABELS, USER_STATUS_LABELS, when } from '../format'
import { Submit, useForm } from '../form'
import { ListFooter, useList } from '../list'
import { Link } from '../router'
import { useMay, useSession } from '../session'
import type { AdminUser, AuditEvent, User } from '../types'
import { Alert, Feedback, Heading, Options, SelectField, Table, TextField, useActions, useLoad, useRowError } from '../ui'

type AccountChange = Partial<Pick<AdminUser, 'role' | 'is_active'>>

/** An account's actions (see `useActions` for where their outcome is said). */
function useAccountActions(reload: () => Promise<void>) {
  const { notice, run } = useActions(reload)
  return {
    notice,
    change: (user: AdminUser, changes: AccountChange, done: string) => run(() => request('PATCH', `/api/admin/users/${user.id}/`, { body: changes }), done),
    unlock: (user: AdminUser) => run(() => request('POST', `/api/admin/users/${user.id}/unlock/`), `${user.email} is unlocked: they can sign in again.`),
  }
}

type AccountActions = ReturnType<typeof useAccountActions>

/** Accounts: search and filter by role and state, activate and deactivate, change role, unlock. */
export function Users({ me }: { me: User }) {
  const list = useList<AdminUser, 'search' | 'role' | 'status'>({ endpoint: '/api/admin/users/', filters: ['search', 'role', 'status'] })
  const { data } = list
  const actions = useAccountActions(data.reload)

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
        <SelectField label="Role" value={list.filters.role} onChange={(event) => list.filter({ role: event.currentTarget.value })}>
          <option value="">Any</option>
          <Options values={ROLES} labels={ROLE_LABELS} />
        </SelectField>
        <SelectField label="Status" value={list.filters.status} onChange={(event) => list.filter({ status: event.currentTarget.value })}>
          <option value="">Any</option>
          <Options values={USER_STATUSES} labels={USER_STATUS_LABELS} />
        </SelectField>
      </form>
      <Feedback notice={actions.notice} />
      <Alert error={data.error} />
      {data.data && (
        <>
          <Table
            caption="Accounts, newest first"
            columns={['Id', 'Name', 'Email', 'Joined', 'Role', 'Status', 'Sign-in']}
            rows={data.data.results}
            rowKey={(user) => user.id}
            cells={(user) => [
              user.id,
              <Link href={`/console/users/${user.id}`}>{user.name}</Link>,
              user.email,
              when(user.date_joined),
              <RoleControl user={user} me={me} actions={actions} />,
              <ActiveControl user={user} me={me} actions={actions} />,
              <LockControl user={user} actions={actions} />,
            ]}
            busy={data.loading}
          />
          {data.data.count === 0 && <p>No accounts match.</p>}
          <ListFooter list={list} what="users" />
        </>
      )}
    </>
  )
}

/** One account: what the list shows, its controls, and its trail. */
export function UserPage({ id, me }: { id: string; me: User }) {
  const account = useLoad(() => request<AdminUser>('GET', `/api/admin/users/${id}/`), `user-${id}`)
  const actions = useAccountActions(account.reload)
  const back = (
    <p>
      <Link href="/console/users/">Back to users</Link>
    </p>
  )
  if (account.error) {
    return (
      <>
        <Heading>User</Heading>
        <Alert error={account.error} />
        {back}
      </>
    )
  }
  if (!account.data) return <p aria-busy="true">Loading the account…</p>
  const user = account.data.data
  return (
    <>
      <Heading>{user.name}</Heading>
      {back}
      <section aria-labelledby="account-heading">
        <h2 id="account-heading">Account</h2>
        <Feedback notice={actions.notice} />
        <dl class="details">
          <dt>Id</dt>
          <dd>{user.id}</dd>
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Joined</dt>
          <dd>{when(user.date_joined)}</dd>
          <dt>Role</dt>
          <dd>
            <RoleControl user={user} me={me} actions={actions} />
          </dd>
          <dt>Status</dt>
          <dd>
            <ActiveControl user={user} me={me} actions={actions} />
          </dd>
          <dt>Sign-in</dt>
          <dd>
            <LockControl user={user} actions={actions} />
          </dd>
        </dl>
      </section>
      <section aria-labelledby="trail-heading">
        <h2 id="trail-heading">In the audit log</h2>
        <ul>
          <li>
            <Link href={`/console/audit/?actor=${user.id}`}>What {user.name} did</Link>
          </li>
          <li>
            <Link href={`/console/audit/?resource=user:${user.id}`}>What was done to this account</Link>
          </li>
        </ul>
      </section>
    </>
  )
}

const article = (role: Role) => (role === 'admin' ? 'an admin' : 'a user')

/** A role menu that changes nothing by itself: Save asks for confirmation, naming the account and the role. */
function RoleControl({ user, me, actions }: { user: AdminUser; me: User; actions: AccountActions }) {
  const [role, setRole] = useState<Role>(user.role)
  const { error, act } = useRowError()
  if (user.id === me.id) return <>{labelOf(ROLE_LABELS, user.role)}</>
  return (
    <div class="row-control">
      <div class="buttons">
        <select aria-label={`Role of ${user.email}`} value={role} onChange={(event) => setRole(event.currentTarget.value as Role)}>
          <Options values={ROLES} labels={ROLE_LABELS} />
        </select>
        {role !== user.role && (
          <ConfirmButton
            label={`Save role of ${user.email}`}
            question={`Make ${user.name} (${user.email}) ${article(role)}?`}
            consequence={role === 'admin' ? 'Admins see every account and the whole audit log, and can change any account.' : 'They lose the admin pages at their next request.'}
            confirm={`Make ${user.email} ${article(role)}`}
            onConfirm={() => act(() => actions.change(user, { role }, `${user.email} is now ${article(role)}.`))}
          >
            Save role
          </ConfirmButton>
        )}
      </div>
      <Feedback error={error} />
    </div>
  )
}

/** Active or deactivated, and the switch to the other (never for oneself). */
function ActiveControl({ user, me, actions }: { user: AdminUser; me: User; actions: AccountActions }) {
  const { error, act } = useRowError()
  // Not a .row-control: its button names the account in full, and must wrap on a phone.
  return (
    <div>
      {user.is_active ? 'Active' : 'Deactivated'}{' '}
      {user.id !== me.id &&
        (user.is_active ? (
          <ConfirmButton
            danger
            question={`Deactivate ${user.name} (${user.email})?`}
            consequence="They are signed out everywhere and cannot sign in until an admin activates the account again."
            confirm={`Deactivate ${user.email}`}
            onConfirm={() => act(() => actions.change(user, { is_active: false }, `${user.email} is deactivated.`))}
          >
            Deactivate {user.email}
          </ConfirmButton>
        ) : (
          <button type="button" onClick={() => act(() => actions.change(user, { is_active: true }, `${user.email} is active again.`))}>
            Activate {user.email}
          </button>
        ))}
      <Feedback error={error} />
    </div>
  )
}

/**
 * Whether a login lockout holds, until when and where, and the unlock. The lock is per network: an
 * account locked only where the failures came from can still sign in from anywhere else.
 */
function LockControl({ user, actions }: { user: AdminUser; actions: AccountActions }) {
  const { error, act } = useRowError()
  if (user.locked_until === null) return <>Not locked</>
  return (
    <div class="row-control">
      <p>
        Locked until {when(user.locked_until)}{' '}
        <span class="hint">{user.locked_everywhere ? 'on every network' : 'from the networks the failed sign-ins came from'}</span>
      </p>
      <ConfirmButton
        label={`Unlock ${user.email}`}
        question={`Unlock ${user.name} (${user.email})?`}
        consequence="Their failed sign-ins are forgotten on every network, so they can sign in at once. Do it once you know the failures were theirs, or the password has been changed."
        confirm={`Unlock ${user.email}`}
        onConfirm={() => act(() => actions.unlock(user))}
      >
        Unlock
      </ConfirmButton>
      <Feedback error={error} />
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

/** Who did it: the actor's name, linking to the account; none for the system's own events. */
function Actor({ event }: { event: AuditEvent }) {
  if (event.actor_id === null) return <>–</>
  return <Link href={`/console/users/${event.actor_id}`}>{event.actor_name ?? `User #${event.actor_id}`}</Link>
}

/**
 * What the event is about, by kind and id, never by a patient's name: the trail spans clinics, and
 * an admin is a member of few of them. A patient links to its record only from an event that
 * reached it in the clinic the admin acts in now, where the record opens for them.
 */
function Resource({ event }: { event: AuditEvent }) {
  const clinic = useSession().user.clinic?.id
  const readsPatients = useMay('patient.read')
  const { resource_type: type, resource_id: id } = event
  const text = `${labelOf(RESOURCE_LABELS, type)}${id === null ? '' : ` #${id}`}`
  if (id === null) return <>{text}</>
  if (type === 'user') return <Link href={`/console/users/${id}`}>{text}</Link>
  const opens = type === 'patient' && readsPatients && event.outcome === 'ok' && event.clinic_id !== null && event.clinic_id === clinic
  return opens ? <Link href={`/console/patients/${id}`}>{text}</Link> : <>{text}</>
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
              <Actor event={event} />,
              <span title={event.action}>{labelOf(ACTION_LABELS, event.action)}</span>,
              <Resource event={event} />,
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
