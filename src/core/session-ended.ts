/**
 * Thrown by the request's first D1 round trip when the access token's session is over: its account
 * is disabled or gone, or its tokens were ended since this one was issued (password change,
 * logout-all, refresh-token theft, deactivation); see db/session-guard.ts. Not a refusal: it aborts
 * the whole batch, and the error handler answers it as an invalid token.
 */
export class SessionEndedError extends Error {
  override readonly name = 'SessionEndedError'
  constructor() {
    super('This token was ended, or its account is disabled or no longer exists.')
  }
}
