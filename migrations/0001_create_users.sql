-- Accounts and the refresh tokens issued to them.
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 150),
  -- Stored trimmed and lowercased; NOCASE keeps the index honest if a writer forgets.
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  password_hash TEXT NOT NULL,
  date_joined TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Only the token's id (jti) is stored, never the token itself.
CREATE TABLE refresh_tokens (
  jti TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER,
  replaced_by TEXT
) WITHOUT ROWID;

CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id, revoked_at);
