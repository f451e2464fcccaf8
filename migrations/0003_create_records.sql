-- Patients (each user's own), the shared doctor directory, and the assignments between them.
-- The constraints here are what make the rules hold under concurrent requests; every index
-- serves a filter or ordering of the API, owner first for patients.
-- AUTOINCREMENT: an id is never reused after a delete, so an id in the audit trail, an ETag or a
-- client's cache always names the one record it was given to.

CREATE TABLE patients (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
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

CREATE UNIQUE INDEX patients_created_by_email ON patients (created_by, email);
CREATE INDEX patients_created_by_created_at ON patients (created_by, created_at, id);
-- Names sort the way people read them: case-insensitively.
CREATE INDEX patients_created_by_name ON patients (created_by, name COLLATE NOCASE, id);
CREATE INDEX patients_created_by_date_of_birth ON patients (created_by, date_of_birth, id);
CREATE INDEX patients_created_by_gender ON patients (created_by, gender, created_at, id);
CREATE INDEX patients_created_by_blood_group ON patients (created_by, blood_group, created_at, id);

CREATE TABLE doctors (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_by INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  specialization TEXT NOT NULL COLLATE NOCASE CHECK (length(specialization) BETWEEN 1 AND 120),
  email TEXT COLLATE NOCASE UNIQUE,
  phone_number TEXT,
  qualification TEXT CHECK (length(qualification) <= 200),
  experience_years INTEGER CHECK (experience_years BETWEEN 0 AND 80),
  license_number TEXT COLLATE NOCASE UNIQUE CHECK (length(license_number) <= 50),
  clinic_address TEXT CHECK (length(clinic_address) <= 500),
  -- Money is stored exactly, as integer cents.
  consultation_fee_cents INTEGER CHECK (consultation_fee_cents BETWEEN 0 AND 100000000),
  is_available INTEGER NOT NULL DEFAULT 1 CHECK (is_available IN (0, 1)),
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE INDEX doctors_created_at ON doctors (created_at, id);
-- Also covers the search over name and specialization, so counting matches never reads the table.
CREATE INDEX doctors_name ON doctors (name COLLATE NOCASE, specialization, id);
CREATE INDEX doctors_specialization ON doctors (specialization, created_at, id);
CREATE INDEX doctors_experience_years ON doctors (experience_years, id);
CREATE INDEX doctors_consultation_fee ON doctors (consultation_fee_cents, id);
CREATE INDEX doctors_is_available ON doctors (is_available, created_at, id);
CREATE INDEX doctors_created_by ON doctors (created_by);

CREATE TABLE mappings (
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

CREATE INDEX mappings_doctor_id ON mappings (doctor_id);
