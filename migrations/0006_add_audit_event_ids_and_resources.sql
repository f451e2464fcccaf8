-- Read events arrive through a queue (at least once): each carries an id made by the server, and
-- a redelivered event inserts nothing twice. Events written before this migration have none.
ALTER TABLE audit_events ADD COLUMN event_id TEXT;
CREATE UNIQUE INDEX audit_events_event_id ON audit_events (event_id);

-- What the request asked for, as JSON: a list's query parameters (search terms included: the trail
-- is where an investigator needs them). NULL for events that carry nothing more than their resource.
ALTER TABLE audit_events ADD COLUMN detail TEXT;

-- Every record an event disclosed or touched beyond its own resource: each patient on a list page,
-- the patient of an assignment. A patient's history finds its events through the primary key.
CREATE TABLE audit_event_resources (
  event_id TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id INTEGER NOT NULL,
  PRIMARY KEY (resource_type, resource_id, event_id)
) WITHOUT ROWID;

CREATE TRIGGER audit_event_resources_append_only_update BEFORE UPDATE ON audit_event_resources
BEGIN
  SELECT raise(ABORT, 'audit_event_resources is append-only');
END;

CREATE TRIGGER audit_event_resources_append_only_delete BEFORE DELETE ON audit_event_resources
BEGIN
  SELECT raise(ABORT, 'audit_event_resources is append-only');
END;
