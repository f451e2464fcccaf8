// The operator console: a single page under /console/ that uses the API with the signed-in user's
// own bearer tokens, exactly as any other client would.
import './console.css'
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { forgetAccess, refresh, resume, signOut, switchClinic, whenAnotherTab, whenSignedOut, whoAmI } from './api'
import type { Me } from './types'
import { hasUnsavedEdits } from './form'
import { CLINIC_ROLE_LABELS, labelOf } from './format'
import { Link, navigate, usePath } from './router'
import { SessionContext, useMay, type Session } from './session'
import { may, type Permission } from '../../src/core/permissions'
import { Alert, Feedback, Heading } from './ui'
import { Audit, UserPage, Users } from './views/admin'
import { ClinicSwitcher } from './views/clinic'
import { AcceptInvitation, isAcceptPath } from './views/invitation'
import { Members } from './views/members'
import { Assignments } from './views/assignments'
import { Doctors } from './views/doctors/list'
import { DoctorPage } from './views/doctors/page'
import { PatientList } from './views/patients/list'
import { NewPatient } from './views/patients/new'
import { PatientPage } from './views/patients/page'
import { SignIn } from './views/signin'

/** A message for the page the console has just gone to (a clinic joined or switched to), gone once the user moves on. */
interface Flash {
  text: string
  path: string
}

function App() {
  // undefined while a stored session is being resumed; null when signed out.
  const [session, setSession] = useState<Session | null | undefined>(undefined)
  const [notice, setNotice] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [flash, setFlash] = useState<Flash | null>(null)
  const path = usePath()

  const renew = async () => {
    const user = await whoAmI()
    start(user)
    return user
  }
  const start = (user: Me) => {
    setNotice('')
    setSession({ user, admin: user.role === 'admin', renew })
  }
  /** Reads the session again after the clinic changed, and says where the user now is. */
  const arrive = async (goTo: (user: Me) => string, said: (where: string) => string) => {
    const user = await renew()
    const target = goTo(user)
    const where = user.clinic ? `${user.clinic.name} as ${labelOf(CLINIC_ROLE_LABELS, user.clinic_role)}` : 'no clinic'
    setFlash({ text: said(where), path: target })
    navigate(target)
  }
  // The section's list: what was open (a patient of the clinic left) is not in the new clinic.
  const section = (user: Me) => sectionsOf(user).find(({ href }) => location.pathname.startsWith(href))?.href ?? HOME
  const switchTo = async (clinic: number) => {
    await switchClinic(clinic)
    await arrive(section, (where) => `You are now working in ${where}.`)
  }

  const signedOut = (notice: string) => {
    const lost = hasUnsavedEdits() ? ' Changes you had not saved were lost.' : ''
    setNotice(`${notice}${lost}`)
    setSession(null)
  }
  /** Picks up the session the browser holds now (at load, or after another tab signed in). */
  const pickUp = () =>
    resume()
      .then((user) => (user ? start(user) : setSession(null)))
      .catch((caught) => {
        setError(caught)
        setSession(null)
      })

  useEffect(() => {
    whenSignedOut((reason) => signedOut(`You have been signed out: ${reason}`))
    whenAnotherTab((event) => {
      if (event === 'signed-out') {
        forgetAccess()
        signedOut('You signed out in another tab.')
      } else if (event === 'signed-in') {
        void pickUp()
      } else {
        refresh()
          .then(() => arrive(section, (where) => `Another tab moved this session to ${where}.`))
          .catch(setError)
      }
    })
    void pickUp()
  }, [])

  if (session === undefined) return <p aria-busy="true">Loading the console…</p>
  const leave = async () => {
    await signOut()
    setNotice('You have signed out.')
    setSession(null)
    navigate('/console/')
  }
  if (isAcceptPath(path)) {
    return (
      <AcceptInvitation
        user={session?.user ?? null}
        onSignedIn={renew}
        onJoined={() => arrive(() => HOME, (where) => `You joined ${where}.`)}
        onSignOut={leave}
      />
    )
  }
  if (session === null) {
    return (
      <>
        <Alert error={error} />
        <SignIn notice={notice} onSignedIn={() => renew().catch(setError)} />
      </>
    )
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} path={path} flash={flash?.path === path ? flash.text : ''} onSwitch={switchTo} onSignOut={leave} />
    </SessionContext.Provider>
  )
}

interface Section {
  href: string
  label: string
  /** Only for platform admins. */
  admin?: boolean
  /** Only for members whose clinic role holds it. */
  permission?: Permission
}

const SECTIONS: Section[] = [
  { href: '/console/patients/', label: 'Patients' },
  { href: '/console/doctors/', label: 'Doctors' },
  { href: '/console/assignments/', label: 'Assignments' },
  { href: '/console/members/', label: 'Members', permission: 'clinic.manage' },
  { href: '/console/users/', label: 'Users', admin: true },
  { href: '/console/audit/', label: 'Audit', admin: true },
]

const HOME = '/console/patients/'

/** The sections open to the user: the API still refuses whatever the role or account lacks. */
const sectionsOf = (user: Me) =>
  SECTIONS.filter(({ admin, permission }) => (!admin || user.role === 'admin') && (!permission || (user.clinic_role !== null && may(user.clinic_role, permission))))

interface ShellProps {
  session: Session
  path: string
  flash: string
  onSwitch: (clinic: number) => Promise<void>
  onSignOut: () => void
}

function Shell({ session, path, flash, onSwitch, onSignOut }: ShellProps) {
  const sections = sectionsOf(session.user)
  const clinic = session.user.clinic?.id ?? 0
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
        <ClinicSwitcher key={clinic} user={session.user} onSwitch={onSwitch} />
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
        <Feedback notice={flash} />
        <View key={`${path}@${clinic}`} path={path} session={session} />
      </main>
    </>
  )
}

function View({ path, session }: { path: string; session: Session }) {
  const manages = useMay('clinic.manage')
  const route = path.replace(/^\/console/, '').replace(/\/+$/, '') || '/patients'
  const patient = /^\/patients\/(\d+)$/.exec(route)
  const doctor = /^\/doctors\/(\d+)$/.exec(route)
  const account = /^\/users\/(\d+)$/.exec(route)
  if (route === '/patients') return <PatientList />
  if (route === '/patients/new') return <NewPatient />
  if (patient) return <PatientPage id={patient[1]} />
  if (route === '/doctors') return <Doctors />
  if (doctor) return <DoctorPage id={doctor[1]} user={session.user} />
  if (route === '/assignments') return <Assignments />
  if (route === '/members' && manages && session.user.clinic) return <Members clinic={session.user.clinic} />
  if (route === '/users' && session.admin) return <Users me={session.user} />
  if (account && session.admin) return <UserPage id={account[1]} me={session.user} />
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
