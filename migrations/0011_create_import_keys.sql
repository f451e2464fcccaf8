-- What an import brought in: each record of the source system (its model and primary key) and the
-- row it became here, so running the same import again adds only what is new. A record deleted here
-- after its import keeps its key, so a later run does not bring it back.
CREATE TABLE import_keys (
  kind TEXT NOT NULL CHECK (kind IN ('user', 'clinic', 'patient', 'doctor', 'mapping')),
  -- The source model (`auth.user`, `patients.patient`); for a clinic the import made, the model of
  -- the user it was made for, or `clinic` for the one named with --clinic.
  model TEXT NOT NULL,
  -- The primary key as text, or the natural key of a dump made with --natural-primary.
  source_key TEXT NOT NULL,
  -- No foreign key: the row is in the table of its kind.
  row_id INTEGER NOT NULL,
  -- The run that created the row (its audit events' request_id); NULL when the record was matched
  -- to a row already here (same email, same licence), which the import neither created nor audits.
  run_id TEXT,
  imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  PRIMARY KEY (kind, model, source_key)
) WITHOUT ROWID;

-- Each write of a run records the import events of the rows it created, found by their run.
CREATE INDEX import_keys_run ON import_keys (run_id) WHERE run_id IS NOT NULL;
