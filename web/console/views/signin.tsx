import { useState } from 'preact/hooks'
import { signIn } from '../api'
import type { User } from '../types'
import { Alert, Heading, TextField } from '../ui'

export function SignIn({ notice, onSignedIn }: { notice: string; onSignedIn: (user: User) => void }) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      onSignedIn(await signIn(email, password))
    } catch (caught) {
      setError(caught)
      setBusy(false)
    }
  }
  return (
    <main class="signin">
      <Heading>Sign in to the console</Heading>
      {notice && !error && (
        <p role="alert" class="alert">
          {notice}
        </p>
      )}
      <form class="record" aria-label="Sign in" onSubmit={submit}>
        <Alert error={error} />
        <TextField
          label="Email"
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onInput={(event) => setEmail(event.currentTarget.value)}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onInput={(event) => setPassword(event.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  )
}
