/**
 * Thrown by the request's first D1 round trip when the signed-in account is disabled or gone
 * (db/active-user-guard.ts); the error handler answers it as an invalid token.
 */
export class AccountDisabledError extends Error {
  override readonly name = 'AccountDisabledError'
  constructor() {
    super('This account is disabled or no longer exists.')
  }
}
