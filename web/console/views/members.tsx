import { useState } from 'preact/hooks'
import { CLINIC_ROLES, MEMBER_STATUS_FILTERS, type ClinicRole } from '../../../src/core/enums'
import { may } from '../../../src/core/permissions'
import { request } from '../api'
import { ConfirmButton } from '../confirm'
import { CLINIC_ROLE_LABELS, MEMBER_STATUS_LABELS, when } from '../format'
import { Submit, useForm } from '../form'
import { ListFooter, useList } from '../list'
import { navigate } from '../router'
import { useSession } from '../session'
import type { Invitation, InvitationCreated, Member } from '../types'
import { ACTIONS, Alert, Feedback, Heading, Options, SelectField, Table, TextField, useActions, useRowError } from '../ui'

interface Clinic {
  id: number
  name: string
}

/** What each role may do, in the words of the role-change confirmation. */
const ROLE_CONSEQUENCES: Record<ClinicRole, string> = {
  admin: "Clinic admins do everything in the clinic, medical history included, and manage its members, invitations and audit log.",
  clinician: 'Clinicians read and write patients, medical history included, and assignments.',
  front_desk: 'Front desk members read and write patients and assignments, and never see medical history.',
}

/** The clinic's members, invitations to join it, and what each member's role is (clinic admins). */
export function Members({ clinic }: { clinic: Clinic }) {
  const base = `/api/clinics/${clinic.id}`
  const members = useList<Member, 'role' | 'status'>({ endpoint: `${base}/members/`, filters: ['role', 'status'] })
  const invitations = useList<Invitation, never>({ endpoint: `${base}/invitations/`, filters: [], prefix: 'invitations_' })
  const session = useSession()
  const memberActions = useActions(members.data.reload)
  /**
   * Changes a member. A change to one's own membership changes what the console shows: the session
   * is read again, and someone who no longer manages the clinic leaves this page.
   */
  const changeMember = async (member: Member, action: () => Promise<unknown>, done: string) => {
    await memberActions.run(action, done)
    if (member.user_id !== session.user.id) return
    const { clinic_role } = await session.renew()
    if (!clinic_role || !may(clinic_role, 'clinic.manage')) navigate('/console/patients/')
  }
  const invitationActions = useActions(invitations.data.reload)

  return (
    <>
      <Heading>Members of {clinic.name}</Heading>
      <Invite base={base} onInvited={invitations.data.reload} />
      <section aria-labelledby="members-heading">
        <h2 id="members-heading">Members</h2>
        <form role="search" class="filters" aria-label="Filter members" onSubmit={(event) => event.preventDefault()}>
          <SelectField label="Role" value={members.filters.role} onChange={(event) => members.filter({ role: event.currentTarget.value })}>
            <option value="">Any</option>
            <Options values={CLINIC_ROLES} labels={CLINIC_ROLE_LABELS} />
          </SelectField>
          <SelectField
            label="Status"
            value={members.filters.status || 'active'}
            onChange={(event) => members.filter({ status: event.currentTarget.value === 'active' ? '' : event.currentTarget.value })}
          >
            <Options values={MEMBER_STATUS_FILTERS} labels={MEMBER_STATUS_LABELS} />
          </SelectField>
        </form>
        <Feedback notice={memberActions.notice} />
        <Alert error={members.data.error} />
        {members.data.data && (
          <>
            <Table
              caption={`Members of ${clinic.name}, first to join first`}
              columns={['Name', 'Email', 'Role', 'Status', 'Member since', ACTIONS]}
              rows={members.data.data.results}
              rowKey={(member) => member.user_id}
              cells={(member) => {
                // A removed member's row is a record: an invitation, not a control here, brings them back.
                if (member.status === 'removed') return [member.name, member.email, CLINIC_ROLE_LABELS[member.role], MEMBER_STATUS_LABELS.removed, when(member.added_at), null]
                return [
                  member.name,
                  member.email,
                  <RoleControl
                    member={member}
                    onSave={(role) =>
                      changeMember(
                        member,
                        () => request('PATCH', `${base}/members/${member.user_id}/`, { body: { role } }),
                        `${member.name} is now ${CLINIC_ROLE_LABELS[role]}.`,
                      )
                    }
                  />,
                  MEMBER_STATUS_LABELS.active,
                  when(member.added_at),
                  <RemoveControl
                    member={member}
                    clinic={clinic.name}
                    onRemove={() => changeMember(member, () => request('DELETE', `${base}/members/${member.user_id}/`), `${member.name} is no longer a member.`)}
                  />,
                ]
              }}
              busy={members.data.loading}
            />
            <ListFooter list={members} what="members" />
          </>
        )}
      </section>
      <section aria-labelledby="invitations-heading">
        <h2 id="invitations-heading">Pending invitations</h2>
        <Feedback notice={invitationActions.notice} />
        <Alert error={invitations.data.error} />
        {invitations.data.data && (
          <>
            {invitations.data.data.count === 0 ? (
              <p>No invitation is waiting.</p>
            ) : (
              <Table
                caption="Invitations not yet accepted, newest first"
                columns={['Email', 'Role', 'Invited', 'Expires', ACTIONS]}
                rows={invitations.data.data.results}
                rowKey={(invitation) => invitation.id}
                cells={(invitation) => [
                  invitation.email,
                  CLINIC_ROLE_LABELS[invitation.role],
                  when(invitation.created_at),
                  when(invitation.expires_at),
                  <RevokeControl
                    invitation={invitation}
                    onRevoke={() =>
                      invitationActions.run(() => request('DELETE', `${base}/invitations/${invitation.id}/`), `The invitation for ${invitation.email} is revoked.`)
                    }
                  />,
                ]}
                busy={invitations.data.loading}
              />
            )}
            <ListFooter list={invitations} what="invitations" />
          </>
        )}
      </section>
    </>
  )
}

/** A role menu that changes nothing by itself: Save asks for confirmation, naming the member and the role. */
function RoleControl({ member, onSave }: { member: Member; onSave: (role: ClinicRole) => Promise<void> }) {
  const [role, setRole] = useState<ClinicRole>(member.role)
  const { error, act } = useRowError()
  const label = CLINIC_ROLE_LABELS[role]
  return (
    <div class="row-control">
      <div class="buttons">
        <select aria-label={`Role of ${member.email}`} value={role} onChange={(event) => setRole(event.currentTarget.value as ClinicRole)}>
          <Options values={CLINIC_ROLES} labels={CLINIC_ROLE_LABELS} />
        </select>
        {role !== member.role && (
          <ConfirmButton
            label={`Save role of ${member.email}`}
            question={`Make ${member.name} (${member.email}) ${label}?`}
            consequence={`${ROLE_CONSEQUENCES[role]} The change applies from their next request.`}
            confirm={`Make ${member.email} ${label}`}
            onConfirm={() => act(() => onSave(role))}
          >
            Save role
          </ConfirmButton>
        )}
      </div>
      <Feedback error={error} />
    </div>
  )
}

function RemoveControl({ member, clinic, onRemove }: { member: Member; clinic: string; onRemove: () => Promise<void> }) {
  const { error, act } = useRowError()
  return (
    <div class="row-control">
      <ConfirmButton
        danger
        label={`Remove ${member.email}`}
        question={`Remove ${member.name} (${member.email}) from ${clinic}?`}
        consequence="They lose access to the clinic's patients at their next request. The audit history keeps what they did; an invitation brings them back."
        confirm={`Remove ${member.email}`}
        onConfirm={() => act(onRemove)}
      >
        Remove
      </ConfirmButton>
      <Feedback error={error} />
    </div>
  )
}

function RevokeControl({ invitation, onRevoke }: { invitation: Invitation; onRevoke: () => Promise<void> }) {
  const { error, act } = useRowError()
  return (
    <div class="row-control">
      <ConfirmButton
        danger
        label={`Revoke the invitation for ${invitation.email}`}
        question={`Revoke the invitation for ${invitation.email}?`}
        consequence="Its link stops working at once. You can invite them again."
        confirm={`Revoke the invitation for ${invitation.email}`}
        onConfirm={() => act(onRevoke)}
      >
        Revoke
      </ConfirmButton>
      <Feedback error={error} />
    </div>
  )
}

/** Invites someone by email; the answer's link is shown once, to be copied and handed over. */
function Invite({ base, onInvited }: { base: string; onInvited: () => Promise<void> }) {
  const [created, setCreated] = useState<{ email: string; link: string } | null>(null)
  const form = useForm({ email: '', role: 'clinician' }, async (fields) => {
    setCreated(null)
    const { data } = await request<InvitationCreated>('POST', `${base}/invitations/`, { body: fields })
    setCreated({ email: data.email, link: location.origin + data.accept_url })
    form.reset({ email: '', role: fields.role })
    await onInvited()
    return `${data.email} is invited as ${CLINIC_ROLE_LABELS[data.role]}.`
  })
  return (
    <section aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      <form class="record" aria-labelledby="invite-heading" onSubmit={form.onSubmit} ref={form.formRef} noValidate>
        <TextField label="Email" type="email" autoComplete="off" required {...form.text('email')} />
        <SelectField label="Role" {...form.text('role')}>
          <Options values={CLINIC_ROLES} labels={CLINIC_ROLE_LABELS} />
        </SelectField>
        <Submit form={form} label="Invite" />
      </form>
      {created && <InvitationLink {...created} />}
    </section>
  )
}

/**
 * The invitation link, shown this once (the API keeps only a hash of its token). Copying uses the
 * clipboard where the browser allows it; the link stays selectable for copying by hand.
 */
function InvitationLink({ email, link }: { email: string; link: string }) {
  const [notice, setNotice] = useState('')
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link)
      setNotice('Link copied.')
    } catch {
      setNotice('The browser did not allow copying: select the link and copy it.')
    }
  }
  return (
    <div class="invitation-link">
      <TextField label={`Invitation link for ${email}`} value={link} readOnly onFocus={(event) => event.currentTarget.select()} />
      <p class="hint">Send it to {email} yourself: it is shown only now, works once, for 7 days, and only for that email.</p>
      <div class="buttons">
        <button type="button" onClick={copy}>
          Copy link
        </button>
      </div>
      <Feedback notice={notice} />
    </div>
  )
}
