import { sign, verify } from 'hono/jwt'
import { nowSeconds } from '../core/clock'
import type { Config } from '../core/config'
import { ApiError, INVALID_TOKEN_CHALLENGE } from '../lib/errors'

export type TokenType = 'access' | 'refresh'

export interface TokenClaims {
  sub: string
  iat: number
  exp: number
  jti: string
  /** Access and refresh checks each require their own type, so one can never stand in for the other. */
  token_type: TokenType
}

export interface IssuedToken {
  token: string
  claims: TokenClaims
}

const ALGORITHM = 'HS256'

export async function issueToken(config: Config, userId: number, type: TokenType): Promise<IssuedToken> {
  const iat = nowSeconds()
  const lifetime = type === 'access' ? config.accessTokenSeconds : config.refreshTokenSeconds
  const claims: TokenClaims = { sub: String(userId), iat, exp: iat + lifetime, jti: crypto.randomUUID(), token_type: type }
  return { token: await sign({ ...claims }, config.jwtSecret, ALGORITHM), claims }
}

/** Verifies signature (HS256 only), expiry and type; anything else is `token_not_valid`. */
export async function verifyToken(config: Config, token: string, type: TokenType): Promise<TokenClaims> {
  let payload: Record<string, unknown>
  try {
    payload = await verify(token, config.jwtSecret, ALGORITHM)
  } catch {
    throw invalidToken(type)
  }
  if (
    payload.token_type !== type ||
    typeof payload.sub !== 'string' ||
    !/^[1-9]\d*$/.test(payload.sub) ||
    typeof payload.jti !== 'string' ||
    typeof payload.exp !== 'number' ||
    typeof payload.iat !== 'number'
  ) {
    throw invalidToken(type)
  }
  return payload as unknown as TokenClaims
}

export const userIdOf = (claims: TokenClaims) => Number(claims.sub)

export function invalidToken(type: TokenType): ApiError {
  return new ApiError('token_not_valid', `The ${type} token is invalid or expired.`, {
    headers: type === 'access' ? INVALID_TOKEN_CHALLENGE : undefined,
  })
}
