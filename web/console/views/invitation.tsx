import { useState } from 'preact/hooks'
import { request, signIn, switchClinic } from '../api'
import { Submit, useForm } from '../form'
import type { Me, Membership } from '../types'
import { Alert, Heading, TextField } from '../ui'

/** The page an invitation link opens (`accept_url` of the API). */
export const isAcceptPath = (path: string) => path.replace(/\/+$/, '') === '/console/invitations/accept'

/**
 * The invitation's token, from the address's fragment: browsers never send a fragment to a server,
 * so the token stays out of every request log until the console posts it.
 */
const tokenOf = () => new URLSearchParams(location.hash.slice(1)).get('token') ?? ''

/** Joins the invitation's clinic and moves the session into it. */
async function join(token: string): Promise<void> {
  const { data } = await request<Membership>('POST', '/api/invitations/accept/', { body: { token } })
  await switchClinic(data.clinic.id)
}

/** The token is spent: it leaves the address (and so the history) before the console opens. */
const forgetToken = () => history.replaceState(null, '', location.pathname)

interface AcceptProps {
  /** The signed-in user, or null. */
  user: Me | null
  /** Tells the console someone signed in here (the invitation may still be refused). */
  onSignedIn: () => Promise<unknown>
  /** The clinic is joined: the console opens in it. */
  onJoined: () => Promise<void>
  onSignOut: () => void
}

/**
 * Accepts an invitation: a signed-in user accepts it as themselves; anyone else signs in or creates
 * an account with it first, and it is accepted on the way in.
 */
export function AcceptInvitation({ user, onSignedIn, onJoined, onSignOut }: AcceptProps) {
  const [token] = useState(tokenOf)
  // A refusal of the invitation once signed in: shown above the Accept button that can try again.
  const [refused, setRefused] = useState<unknown>(null)

  /** Signs in (or registers), then accepts; a refused invitation still leaves the user signed in. */
  const enter = async (signInFirst: () => Promise<void>, accept: boolean) => {
    await signInFirst()
    try {
      if (accept) await join(token)
    } catch (caught) {
      setRefused(caught)
      await onSignedIn()
      return
    }
    forgetToken()
    await onJoined()
  }
  const accept = useForm({}, async () => {
    await join(token)
    forgetToken()
    await onJoined()
  })
  const signInForm = useForm({ email: '', password: '' }, ({ email, password }) => enter(async () => void (await signIn(email, password)), true))
  // The account made here, if signing in to it failed (a rate limit): pressing again only signs in.
  const [registered, setRegistered] = useState('')
  const register = useForm({ name: '', email: '', password: '' }, ({ name, email, password }) =>
    enter(async () => {
      if (registered !== email) {
        await request('POST', '/api/auth/register/', { body: { name, email, password, invitation: token }, anonymous: true })
        setRegistered(email)
      }
      await signIn(email, password)
    }, false),
  )

  return (
    <main class="signin">
      <Heading>Join a clinic</Heading>
      {!token ? (
        <p role="alert" class="alert">
          This invitation link is incomplete: ask the clinic&apos;s admin for the whole link.
        </p>
      ) : user ? (
        <>
          <p>
            Signed in as {user.name} ({user.email}). The invitation must be for this email.
          </p>
          <Alert error={refused} />
          <form class="record" aria-label="Accept the invitation" onSubmit={accept.onSubmit} ref={accept.formRef}>
            <Submit form={accept} label="Accept the invitation">
              <button type="button" onClick={onSignOut}>
                Sign out to use another account
              </button>
            </Submit>
          </form>
        </>
      ) : (
        <>
          <p>You have been invited to a clinic. Sign in with the email the invitation was sent to, or create an account with it.</p>
          <section aria-labelledby="existing-heading">
            <h2 id="existing-heading">I have an account</h2>
            <form class="record" aria-labelledby="existing-heading" onSubmit={signInForm.onSubmit} ref={signInForm.formRef}>
              <TextField label="Email" type="email" autoComplete="username" required {...signInForm.text('email')} />
              <TextField label="Password" type="password" autoComplete="current-password" required {...signInForm.text('password')} />
              <Submit form={signInForm} label="Sign in and join" />
            </form>
          </section>
          <section aria-labelledby="new-heading">
            <h2 id="new-heading">I am new here</h2>
            <form class="record" aria-labelledby="new-heading" onSubmit={register.onSubmit} ref={register.formRef}>
              <TextField label="Name" autoComplete="name" required maxLength={150} {...register.text('name')} />
              <TextField label="Email" type="email" autoComplete="email" required {...register.text('email')} />
              <TextField label="Password" type="password" autoComplete="new-password" required {...register.text('password')} />
              <Submit form={register} label="Create account and join" />
            </form>
          </section>
        </>
      )}
    </main>
  )
}
