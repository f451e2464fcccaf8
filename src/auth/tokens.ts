import { sign, verify } from 'hono/jwt'
import { nowSeconds } from '../core/clock'
import type { Config } from '../core/config'
import type { Outcome } from '../core/refusal'

export type TokenType = 'access' | 'refresh'

export interface TokenClaims {
  sub: string
  iat: number
  exp: number
  jti: string
  /** Who issued it and the environment it is for: a token of another environment is refused. */
  iss: string
  aud: string
  /** The account's token generation when issued; the token dies when the account's moves on. */
  gen: number
  /** The clinic the token acts in (null: the account is in none); membership and role are checked on every use, never taken from here. */
  clinic: number | null
  /** Access and refresh checks each require their own type, so one can never stand in for the other. */
  token_type: TokenType
}

export interface IssuedToken {
  token: string
  claims: TokenClaims
}

/** Who a token is for: the account and its token generation at the time the login or refresh verified it, and the clinic it acts in. */
export interface TokenSubject {
  userId: number
  generation: number
  clinicId: number | null
}

const ALGORITHM = 'HS256'

export async function issueToken(config: Config, { userId, generation, clinicId }: TokenSubject, type: TokenType): Promise<IssuedToken> {
  const iat = nowSeconds()
  const lifetime = type === 'access' ? config.accessTokenSeconds : config.refreshTokenSeconds
  const claims: TokenClaims = {
    sub: String(userId),
    iat,
    exp: iat + lifetime,
    jti: crypto.randomUUID(),
    iss: config.issuer,
    aud: config.audience,
    gen: generation,
    clinic: clinicId,
    token_type: type,
  }
  return { token: await sign({ ...claims }, config.jwtSecret, ALGORITHM), claims }
}

/** An access and a refresh token for one subject. */
export async function issueTokenPair(config: Config, subject: TokenSubject): Promise<{ access: IssuedToken; refresh: IssuedToken }> {
  const [access, refresh] = await Promise.all([issueToken(config, subject, 'access'), issueToken(config, subject, 'refresh')])
  return { access, refresh }
}

/** Verifies signature (HS256 only), expiry, issuer, audience and type; any other token is refused as `denied`. */
export async function verifyToken(config: Config, token: string, type: TokenType): Promise<Outcome<TokenClaims>> {
  let payload: Record<string, unknown>
  try {
    payload = await verify(token, config.jwtSecret, { alg: ALGORITHM, iss: config.issuer, aud: config.audience })
  } catch {
    return { refused: 'denied' }
  }
  if (
    payload.token_type !== type ||
    typeof payload.sub !== 'string' ||
    !/^[1-9]\d*$/.test(payload.sub) ||
    typeof payload.jti !== 'string' ||
    typeof payload.exp !== 'number' ||
    typeof payload.iat !== 'number' ||
    payload.aud !== config.audience ||
    !Number.isSafeInteger(payload.gen) ||
    (payload.gen as number) < 0 ||
    !(payload.clinic === null || (Number.isSafeInteger(payload.clinic) && (payload.clinic as number) > 0))
  ) {
    return { refused: 'denied' }
  }
  return payload as unknown as TokenClaims
}

export const userIdOf = (claims: TokenClaims) => Number(claims.sub)

export const subjectOf = (claims: TokenClaims): TokenSubject => ({ userId: userIdOf(claims), generation: claims.gen, clinicId: claims.clinic })
