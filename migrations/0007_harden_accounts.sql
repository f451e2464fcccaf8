-- Accounts that hold up against an attacker.

-- Every access and refresh token carries the generation it was issued under; bumping it (password
-- change, refresh-token theft, logout-all, deactivation) ends every token of the account at its
-- next request, within the same second or not.
ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;

-- Login attempts, reserved before the password is checked: a row per attempt, keyed by the email
-- as sent (known or not, so unknown emails cost the same writes) and the client network (/64 for
-- IPv6, the address for IPv4). A successful login deletes its network's rows; the rest expire.
CREATE TABLE login_attempts (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  network TEXT NOT NULL,
  -- Unix seconds.
  attempted_at INTEGER NOT NULL
);

CREATE INDEX login_attempts_account ON login_attempts (account, network, attempted_at);
CREATE INDEX login_attempts_attempted_at ON login_attempts (attempted_at);

-- Replaced by login_attempts (counted per account and network, reserved before the check).
DROP TABLE login_failures;

-- The request id a client sent (X-Request-Id), kept apart from the server-generated request_id.
ALTER TABLE audit_events ADD COLUMN client_request_id TEXT;
