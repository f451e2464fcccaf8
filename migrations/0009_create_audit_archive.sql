-- The audit record leaves D1 for R2 (binding AUDIT_ARCHIVE), where it is kept for six years; D1
-- keeps a hot window. See docs/audit-archive.md.

-- One row per archived object: the events with after_event_id < id <= last_event_id, as gzip'd
-- newline JSON. Each row names the SHA-256 of the row before it (row_sha256, computed by
-- src/core/audit-chain.ts over the row's fields), so the rows form one hash chain from the first
-- object on; `npm run audit:verify` recomputes every link.
CREATE TABLE audit_archive_manifest (
  seq INTEGER PRIMARY KEY,
  object_key TEXT NOT NULL UNIQUE,
  -- The last event id of the row before, 0 for the first row: the object holds the events after it.
  after_event_id INTEGER NOT NULL UNIQUE,
  first_event_id INTEGER NOT NULL,
  last_event_id INTEGER NOT NULL UNIQUE,
  event_count INTEGER NOT NULL,
  -- The earliest and latest occurred_at of its events: the access report reads only the objects of its range.
  min_occurred_at TEXT NOT NULL,
  max_occurred_at TEXT NOT NULL,
  object_sha256 TEXT NOT NULL,
  previous_row_sha256 TEXT NOT NULL UNIQUE,
  row_sha256 TEXT NOT NULL UNIQUE,
  archived_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  -- Set once the object was read back from R2, re-hashed and found equal to the events in D1; only
  -- then may the hot window delete those events.
  verified_at TEXT,
  CHECK (after_event_id >= 0 AND first_event_id > after_event_id AND last_event_id >= first_event_id),
  CHECK (event_count BETWEEN 1 AND last_event_id - first_event_id + 1),
  CHECK (length(object_sha256) = 64 AND length(previous_row_sha256) = 64 AND length(row_sha256) = 64)
);

-- Each row starts where the last one ended and links to its hash: two overlapping archiver runs
-- cannot both archive one range, nor fork the chain (the loser's INSERT fails, its range stays).
CREATE TRIGGER audit_archive_manifest_chain BEFORE INSERT ON audit_archive_manifest
WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM audit_archive_manifest)
  OR NEW.after_event_id IS NOT (SELECT coalesce(max(last_event_id), 0) FROM audit_archive_manifest)
  OR NEW.previous_row_sha256 IS NOT coalesce(
    (SELECT row_sha256 FROM audit_archive_manifest ORDER BY seq DESC LIMIT 1),
    '0000000000000000000000000000000000000000000000000000000000000000'
  )
BEGIN
  SELECT raise(ABORT, 'audit_archive_manifest: a row must start where the last one ended');
END;

-- The manifest is append-only, except that verified_at is set once.
CREATE TRIGGER audit_archive_manifest_append_only_update BEFORE UPDATE ON audit_archive_manifest
WHEN OLD.verified_at IS NOT NULL OR NEW.verified_at IS NULL
  OR NEW.seq IS NOT OLD.seq OR NEW.object_key IS NOT OLD.object_key
  OR NEW.after_event_id IS NOT OLD.after_event_id OR NEW.first_event_id IS NOT OLD.first_event_id
  OR NEW.last_event_id IS NOT OLD.last_event_id OR NEW.event_count IS NOT OLD.event_count
  OR NEW.min_occurred_at IS NOT OLD.min_occurred_at OR NEW.max_occurred_at IS NOT OLD.max_occurred_at
  OR NEW.object_sha256 IS NOT OLD.object_sha256 OR NEW.previous_row_sha256 IS NOT OLD.previous_row_sha256
  OR NEW.row_sha256 IS NOT OLD.row_sha256 OR NEW.archived_at IS NOT OLD.archived_at
BEGIN
  SELECT raise(ABORT, 'audit_archive_manifest is append-only');
END;

CREATE TRIGGER audit_archive_manifest_append_only_delete BEFORE DELETE ON audit_archive_manifest
BEGIN
  SELECT raise(ABORT, 'audit_archive_manifest is append-only');
END;

-- The hot window: an event may leave D1 only once a verified manifest row covers it. The database
-- refuses any other DELETE, whatever code sends it; UPDATE stays refused.
DROP TRIGGER audit_events_append_only_delete;
CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
WHEN NOT EXISTS (
  SELECT 1 FROM audit_archive_manifest
  WHERE verified_at IS NOT NULL AND after_event_id < OLD.id AND last_event_id >= OLD.id
)
BEGIN
  SELECT raise(ABORT, 'audit_events: only archived and verified events may be deleted');
END;

DROP TRIGGER audit_event_resources_append_only_delete;
CREATE TRIGGER audit_event_resources_append_only_delete BEFORE DELETE ON audit_event_resources
WHEN NOT EXISTS (
  SELECT 1 FROM audit_events JOIN audit_archive_manifest
    ON audit_archive_manifest.after_event_id < audit_events.id AND audit_archive_manifest.last_event_id >= audit_events.id
  WHERE audit_events.event_id = OLD.event_id AND audit_archive_manifest.verified_at IS NOT NULL
)
BEGIN
  SELECT raise(ABORT, 'audit_event_resources: only archived and verified events may be deleted');
END;

-- Messages the audit queue gave up on (its dead-letter queue's consumer stores them here), so none
-- expires unseen; an admin replays one once its cause is fixed.
CREATE TABLE audit_dead_letters (
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  -- The message body as JSON text, exactly as the queue delivered it.
  body TEXT NOT NULL,
  error TEXT NOT NULL,
  received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  replayed_at TEXT,
  replayed_by INTEGER
);

CREATE INDEX audit_archive_manifest_occurred ON audit_archive_manifest (max_occurred_at, min_occurred_at);

CREATE INDEX audit_dead_letters_pending ON audit_dead_letters (replayed_at, id);

-- An investigator starts from a support ticket's request id.
CREATE INDEX audit_events_request_id ON audit_events (request_id);
CREATE INDEX audit_events_client_request_id ON audit_events (client_request_id);

-- The archiver and the hot window reach an event's named records by its event_id.
CREATE INDEX audit_event_resources_event_id ON audit_event_resources (event_id);
