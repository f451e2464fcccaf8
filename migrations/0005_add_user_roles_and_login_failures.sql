-- Administration: a role and an on/off switch per account.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin'));
ALTER TABLE users ADD COLUMN is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1));
CREATE INDEX users_name ON users (name COLLATE NOCASE, id);

-- Failed logins per account, for the lockout (10 failures within 15 minutes).
CREATE TABLE login_failures (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- Unix seconds.
  failed_at INTEGER NOT NULL
);

CREATE INDEX login_failures_user_id ON login_failures (user_id, failed_at);
