-- Who touched which record, when, and how it ended. Append-only: the triggers below refuse any
-- UPDATE or DELETE, whatever the caller. No patient fields or other PHI are ever stored here.
CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  occurred_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  -- No foreign key: the trail outlives what it describes. NULL when nobody was signed in.
  actor_id INTEGER,
  action TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id INTEGER,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'not_found')),
  request_id TEXT NOT NULL,
  client_ip TEXT
);

CREATE INDEX audit_events_resource ON audit_events (resource_type, resource_id, id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id);
CREATE INDEX audit_events_action ON audit_events (action, id);
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at, id);

CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT raise(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
BEGIN
  SELECT raise(ABORT, 'audit_events is append-only');
END;
