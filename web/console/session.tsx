// The signed-in user as the console knows it: who they are, the clinic they act in and their role
// there. Views ask `useMay` what the role allows, reading the API's own permissions table, so the
// console hides exactly what the API refuses (the API still checks every request).
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { may, type Permission } from '../../src/core/permissions'
import type { Me } from './types'

export interface Session {
  user: Me
  admin: boolean
  /** Reads the user again (after a change to their own membership), and answers it. */
  renew: () => Promise<Me>
}

export const SessionContext = createContext<Session | null>(null)

export const useSession = () => useContext(SessionContext)!

/** Whether the signed-in member's role in the current clinic holds `permission`. */
export function useMay(permission: Permission): boolean {
  const role = useSession().user.clinic_role
  return role ? may(role, permission) : false
}
