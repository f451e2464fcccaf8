/**
 * The lockout's numbers. Failed logins count per (account, client network): 10 within 15 minutes
 * lock that account for that network only, so an attacker's guesses never lock the owner out from
 * elsewhere. Across all networks, 100 failures within an hour lock the account everywhere, which
 * bounds distributed guessing to 100 guesses an hour. Attempts are counted before the password is
 * checked (db/login-attempts.ts), so parallel guesses cannot outrun the count.
 */
export const LOCKOUT = {
  /** Failed logins of one account from one network... */
  perNetwork: 10,
  /** ...within this many seconds (15 minutes). */
  networkWindowSeconds: 15 * 60,
  /** Failed logins of one account from all networks together... */
  perAccount: 100,
  /** ...within this many seconds (1 hour). */
  accountWindowSeconds: 60 * 60,
} as const

/** When a lock holds: the oldest attempt still counted in each window (Unix seconds), and how many there are. */
export interface LockState {
  network_attempts: number
  oldest_network_attempt: number | null
  account_attempts: number
  oldest_account_attempt: number | null
}

/**
 * Seconds until a locked account may try again from this network: a lock holds while its window
 * is full, so it ends when the oldest attempt in that window leaves it. At least 1.
 */
export function lockedForSeconds(state: LockState, now: number): number {
  const waits: number[] = []
  if (state.network_attempts >= LOCKOUT.perNetwork && state.oldest_network_attempt !== null) {
    waits.push(state.oldest_network_attempt + LOCKOUT.networkWindowSeconds - now)
  }
  if (state.account_attempts >= LOCKOUT.perAccount && state.oldest_account_attempt !== null) {
    waits.push(state.oldest_account_attempt + LOCKOUT.accountWindowSeconds - now)
  }
  return Math.max(1, ...waits)
}
