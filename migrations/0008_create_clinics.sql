-- Clinics: staff who share patients, each under their own name. A user belongs to any number of
-- clinics with one role in each; patients belong to a clinic (created_by stays as who created them);
-- assignments follow their patient. Every existing user gets a clinic of their own, as its admin,
-- holding their patients: a solo user sees exactly what they saw before.

CREATE TABLE clinics (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE clinic_members (
  clinic_id INTEGER NOT NULL REFERENCES clinics (id) ON DELETE RESTRICT,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  role TEXT NOT NULL CHECK (role IN ('admin', 'clinician', 'front_desk')),
  -- A removed member keeps its row, so the trail of who was in the clinic stays whole.
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
  added_by INTEGER REFERENCES users (id) ON DELETE RESTRICT,
  added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  -- When the member last signed in to (or switched to) this clinic: login picks the latest.
  last_used_at TEXT,
  PRIMARY KEY (clinic_id, user_id)
) WITHOUT ROWID;

CREATE INDEX clinic_members_user ON clinic_members (user_id, status, last_used_at);

-- A clinic always keeps an active admin: the database refuses the change that would leave none,
-- whichever request sends it, so two admins demoting each other cannot both win.
CREATE TRIGGER clinic_members_keep_an_admin AFTER UPDATE OF role, status ON clinic_members
WHEN OLD.role = 'admin' AND OLD.status = 'active' AND (NEW.role != 'admin' OR NEW.status != 'active')
  AND NOT EXISTS (SELECT 1 FROM clinic_members WHERE clinic_id = OLD.clinic_id AND role = 'admin' AND status = 'active')
BEGIN
  SELECT RAISE(ABORT, 'clinic_members: a clinic keeps at least one active admin');
END;

CREATE TABLE clinic_invitations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  clinic_id INTEGER NOT NULL REFERENCES clinics (id) ON DELETE RESTRICT,
  email TEXT NOT NULL COLLATE NOCASE CHECK (length(email) <= 254),
  role TEXT NOT NULL CHECK (role IN ('admin', 'clinician', 'front_desk')),
  -- SHA-256 (hex) of the one-time token; the token itself is shown once and never stored.
  token_hash TEXT NOT NULL UNIQUE,
  invited_by INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  expires_at TEXT NOT NULL,
  accepted_at TEXT,
  accepted_by INTEGER REFERENCES users (id) ON DELETE RESTRICT,
  revoked_at TEXT
);

CREATE INDEX clinic_invitations_clinic ON clinic_invitations (clinic_id, id);

-- Every existing user's own clinic, as its admin. The clinic takes the user's id, so the patients'
-- move below is a plain copy; AUTOINCREMENT then numbers new clinics after the highest of them.
INSERT INTO clinics (id, name, created_at, updated_at)
SELECT id, substr(name, 1, 111) || '''s clinic', date_joined, date_joined FROM users;

INSERT INTO clinic_members (clinic_id, user_id, role, added_by, added_at)
SELECT id, id, 'admin', id, date_joined FROM users;

-- patients gains a NOT NULL clinic_id with a foreign key, which ALTER TABLE cannot add: the table is
-- rebuilt, and with it mappings, whose foreign key must point at the new table. The old patients
-- table is renamed first (its children follow the new name), so nothing deletes a row a child
-- still points at; every key is checked again at the end of the migration.
PRAGMA defer_foreign_keys = true;

ALTER TABLE patients RENAME TO patients_before_clinics;

CREATE TABLE patients (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  clinic_id INTEGER NOT NULL REFERENCES clinics (id) ON DELETE RESTRICT,
  created_by INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  date_of_birth TEXT NOT NULL,
  gender TEXT NOT NULL CHECK (gender IN ('male', 'female', 'other')),
  email TEXT COLLATE NOCASE,
  phone_number TEXT,
  address TEXT CHECK (length(address) <= 500),
  blood_group TEXT CHECK (blood_group IN ('A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-')),
  medical_history TEXT CHECK (length(medical_history) <= 10000),
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

INSERT INTO patients
  (id, clinic_id, created_by, name, date_of_birth, gender, email, phone_number, address, blood_group, medical_history, version, created_at, updated_at)
SELECT id, created_by, created_by, name, date_of_birth, gender, email, phone_number, address, blood_group, medical_history, version, created_at, updated_at
FROM patients_before_clinics;

CREATE TABLE mappings_with_clinics (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  patient_id INTEGER NOT NULL REFERENCES patients (id) ON DELETE RESTRICT,
  doctor_id INTEGER NOT NULL REFERENCES doctors (id) ON DELETE RESTRICT,
  notes TEXT CHECK (length(notes) <= 1000),
  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
  assigned_by INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  version INTEGER NOT NULL DEFAULT 1,
  assigned_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  UNIQUE (patient_id, doctor_id)
);

INSERT INTO mappings_with_clinics SELECT id, patient_id, doctor_id, notes, is_active, assigned_by, version, assigned_at, updated_at FROM mappings;

-- Ids are never reused after a delete: the new tables continue the old ones' sequences.
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'patients_before_clinics'), 0)) WHERE name = 'patients';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'patients', seq FROM sqlite_sequence WHERE name = 'patients_before_clinics' AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'patients');
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'mappings'), 0)) WHERE name = 'mappings_with_clinics';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'mappings_with_clinics', seq FROM sqlite_sequence WHERE name = 'mappings' AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'mappings_with_clinics');

DROP TABLE mappings;
DROP TABLE patients_before_clinics;
ALTER TABLE mappings_with_clinics RENAME TO mappings;
CREATE INDEX mappings_doctor_id ON mappings (doctor_id);

-- Every list, search and filter is within one clinic: clinic first in every index.
CREATE UNIQUE INDEX patients_clinic_email ON patients (clinic_id, email);
CREATE INDEX patients_clinic_created_at ON patients (clinic_id, created_at, id);
CREATE INDEX patients_clinic_name ON patients (clinic_id, name COLLATE NOCASE, id);
CREATE INDEX patients_clinic_date_of_birth ON patients (clinic_id, date_of_birth, id);
CREATE INDEX patients_clinic_gender ON patients (clinic_id, gender, created_at, id);
CREATE INDEX patients_clinic_blood_group ON patients (clinic_id, blood_group, created_at, id);
CREATE INDEX patients_created_by ON patients (created_by);

-- Every audit event records its clinic and the actor's role in it at that moment (NULL before this
-- migration, and for events outside any clinic: a refused login, the platform's administration).
ALTER TABLE audit_events ADD COLUMN clinic_id INTEGER;
ALTER TABLE audit_events ADD COLUMN actor_role TEXT;
CREATE INDEX audit_events_clinic ON audit_events (clinic_id, id);
