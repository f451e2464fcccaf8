import { signIn } from '../api'
import { Submit, useForm } from '../form'
import type { User } from '../types'
import { Heading, TextField } from '../ui'

export function SignIn({ notice, onSignedIn }: { notice: string; onSignedIn: (user: User) => void }) {
  const form = useForm({ email: '', password: '' }, async ({ email, password }) => onSignedIn(await signIn(email, password)))
  return (
    <main class="signin">
      <Heading>Sign in to the console</Heading>
      {notice && !form.error && (
        <p role="alert" class="alert">
          {notice}
        </p>
      )}
      <form class="record" aria-label="Sign in" onSubmit={form.onSubmit} ref={form.formRef}>
        <TextField label="Email" type="email" autoComplete="username" required {...form.text('email')} />
        <TextField label="Password" type="password" autoComplete="current-password" required {...form.text('password')} />
        <Submit form={form} label="Sign in" />
      </form>
    </main>
  )
}
