// The operator console: a single page under /console/ that uses the API with the signed-in user's
// own bearer tokens, exactly as any other client would.
import './console.css'
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { isAdmin, resume, signOut, whenSignedOut } from './api'
import type { User } from './types'
import { hasUnsavedEdits } from './form'
import { Link, navigate, usePath } from './router'
import { Alert, Heading } from './ui'
import { Audit, Users } from './views/admin'
import { Assignments } from './views/assignments'
import { Doctors } from './views/doctors/list'
import { DoctorPage } from './views/doctors/page'
import { PatientList } from './views/patients/list'
import { NewPatient } from './views/patients/new'
import { PatientPage } from './views/patients/page'
import { SignIn } from './views/signin'

interface Session {
  user: User
  admin: boolean
}

function App() {
  // undefined while a stored session is being resumed; null when signed out.
  const [session, setSession] = useState<Session | null | undefined>(undefined)
  const [notice, setNotice] = useState('')
  const [error, setError] = useState<unknown>(null)

  const start = async (user: User) => {
    setNotice('')
    setSession({ user, admin: await isAdmin() })
  }

  useEffect(() => {
    whenSignedOut((reason) => {
      const lost = hasUnsavedEdits() ? ' Changes you had not saved were lost.' : ''
      setNotice(`You have been signed out: ${reason}${lost}`)
      setSession(null)
    })
    resume()
      .then((user) => (user ? start(user) : setSession(null)))
      .catch((caught) => {
        setError(caught)
        setSession(null)
      })
  }, [])

  if (session === undefined) return <p aria-busy="true">Loading the console…</p>
  if (session === null) {
    return (
      <>
        <Alert error={error} />
        <SignIn notice={notice} onSignedIn={(user) => start(user).catch(setError)} />
      </>
    )
  }
  const leave = async () => {
    await signOut()
    setNotice('You have signed out.')
    setSession(null)
    navigate('/console/')
  }
  return <Shell session={session} onSignOut={leave} />
}

const SECTIONS = [
  { href: '/console/patients/', label: 'Patients', admin: false },
  { href: '/console/doctors/', label: 'Doctors', admin: false },
  { href: '/console/assignments/', label: 'Assignments', admin: false },
  { href: '/console/users/', label: 'Users', admin: true },
  { href: '/console/audit/', label: 'Audit', admin: true },
]

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const path = usePath()
  const sections = SECTIONS.filter((section) => !section.admin || session.admin)
  return (
    <>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header>
        <p class="brand">Healthcare records console</p>
        <nav aria-label="Sections">
          <ul>
            {sections.map((section) => (
              <li key={section.href}>
                <Link href={section.href} current={path.startsWith(section.href)}>
                  {section.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <p class="who">
          Signed in as {session.user.name}
          <span class="email">
            {' '}
            ({session.user.email}
            {session.admin ? ', admin' : ''})
          </span>{' '}
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </p>
      </header>
      <main id="content">
        <View key={path} path={path} session={session} />
      </main>
    </>
  )
}

function View({ path, session }: { path: string; session: Session }) {
  const route = path.replace(/^\/console/, '').replace(/\/+$/, '') || '/patients'
  const patient = /^\/patients\/(\d+)$/.exec(route)
  const doctor = /^\/doctors\/(\d+)$/.exec(route)
  if (route === '/patients') return <PatientList />
  if (route === '/patients/new') return <NewPatient />
  if (patient) return <PatientPage id={patient[1]} />
  if (route === '/doctors') return <Doctors />
  if (doctor) return <DoctorPage id={doctor[1]} user={session.user} />
  if (route === '/assignments') return <Assignments />
  if (route === '/users' && session.admin) return <Users me={session.user} />
  if (route === '/audit' && session.admin) return <Audit />
  return (
    <>
      <Heading>Page not found</Heading>
      <p>
        The console has no page at this address. <Link href="/console/patients/">Go to patients</Link>
      </p>
    </>
  )
}

render(<App />, document.getElementById('root')!)
