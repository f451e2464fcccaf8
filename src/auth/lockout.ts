/** Failed logins that lock an account... */
export const MAX_FAILED_LOGINS = 10
/** ...when they all fall within this many seconds (15 minutes). */
export const LOCKOUT_WINDOW_SECONDS = 15 * 60

/**
 * Seconds until a locked account may try again: the lock holds while MAX_FAILED_LOGINS failures
 * lie within the window, so it ends when the oldest of them leaves it. Zero when not locked.
 */
export function lockedForSeconds(recentFailures: number, oldestRecentFailure: number | null, now: number): number {
  if (recentFailures < MAX_FAILED_LOGINS || oldestRecentFailure === null) return 0
  return Math.max(1, oldestRecentFailure + LOCKOUT_WINDOW_SECONDS - now)
}
