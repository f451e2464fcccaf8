import type { Generated, Selectable } from 'kysely'

/** Timestamps are stored as ISO-8601 UTC text (`2026-01-05T10:35:00Z`), which sorts chronologically. */
type Timestamp = string

export interface UsersTable {
  id: Generated<number>
  name: string
  email: string
  password_hash: string
  date_joined: Generated<Timestamp>
}

export interface RefreshTokensTable {
  jti: string
  user_id: number
  /** Unix seconds. */
  expires_at: number
  /** Unix seconds; set when the token is rotated, logged out or revoked. */
  revoked_at: number | null
  /** The jti of the token issued when this one was rotated. */
  replaced_by: string | null
}

export interface CommonPasswordsTable {
  password: string
}

export interface Database {
  users: UsersTable
  refresh_tokens: RefreshTokensTable
  common_passwords: CommonPasswordsTable
}

export type UserRow = Selectable<UsersTable>
