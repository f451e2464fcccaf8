/**
 * Thrown by the request's first D1 round trip when the signed-in account is disabled or gone, or
 * its tokens were ended since this one was issued (db/active-user-guard.ts); the error handler
 * answers it as an invalid token.
 */
export class AccountDisabledError extends Error {
  override readonly name = 'AccountDisabledError'
  constructor() {
    super('This token was ended, or its account is disabled or no longer exists.')
  }
}
