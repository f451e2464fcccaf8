/** Unix time in whole seconds, as JWT claims and the token tables use. */
export const nowSeconds = () => Math.floor(Date.now() / 1000)

/** Now in the stored timestamp form: ISO-8601 UTC, whole seconds (`2026-01-05T10:35:00Z`). */
export const nowUtcText = () => `${new Date().toISOString().slice(0, 19)}Z`

/** Unix seconds in the stored timestamp form. */
export const utcTextAt = (seconds: number) => `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`

/** Today's date in UTC, as YYYY-MM-DD. */
export const todayUtc = () => new Date().toISOString().slice(0, 10)

/** Any ISO-8601 time in the stored form (UTC, whole seconds), so text comparison is time comparison. */
export const utcSeconds = (time: string) => `${new Date(time).toISOString().slice(0, 19)}Z`

/** Whole years from `dateOfBirth` to `today` (both YYYY-MM-DD); a 29 February birthday counts from 1 March. */
export function ageInYears(dateOfBirth: string, today: string = todayUtc()): number {
  const years = Number(today.slice(0, 4)) - Number(dateOfBirth.slice(0, 4))
  // MM-DD strings compare in calendar order.
  return today.slice(5) < dateOfBirth.slice(5) ? years - 1 : years
}
