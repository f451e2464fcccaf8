import { applyD1Migrations, env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'

const db = env.MIGRATION_DB
const rows = async <T>(query: string, ...values: unknown[]) => (await db.prepare(query).bind(...values).all<T>()).results

describe('migration 0008: clinics', () => {
  it("gives every existing user a clinic of their own as admin, and moves their patients and assignments into it", async () => {
    await applyD1Migrations(db, env.TEST_MIGRATIONS.filter((migration) => migration.name < '0008'))
    await db.batch([
      db.prepare(`INSERT INTO users (id, name, email, password_hash) VALUES (1, 'Ada Lovelace', 'ada@example.com', 'x'), (2, 'Grace Hopper', 'grace@example.com', 'x')`),
      db.prepare(`INSERT INTO doctors (id, created_by, name, specialization) VALUES (1, 1, 'Dr. Who', 'Cardiology')`),
      db.prepare(
        `INSERT INTO patients (id, created_by, name, date_of_birth, gender, email, medical_history) VALUES
         (1, 1, 'P one', '1980-01-01', 'female', 'one@example.com', 'Asthma'), (2, 2, 'P two', '1990-01-01', 'male', 'one@example.com', NULL),
         (3, 1, 'P three', '1970-01-01', 'other', NULL, NULL), (4, 2, 'P gone', '1970-01-01', 'other', NULL, NULL)`,
      ),
      db.prepare(`DELETE FROM patients WHERE id = 4`),
      db.prepare(`INSERT INTO mappings (patient_id, doctor_id, assigned_by) VALUES (1, 1, 1), (2, 1, 2)`),
    ])

    await applyD1Migrations(db, env.TEST_MIGRATIONS)

    expect(await rows('SELECT id, name FROM clinics ORDER BY id')).toEqual([
      { id: 1, name: "Ada Lovelace's clinic" },
      { id: 2, name: "Grace Hopper's clinic" },
    ])
    expect(await rows('SELECT clinic_id, user_id, role, status FROM clinic_members ORDER BY clinic_id')).toEqual([
      { clinic_id: 1, user_id: 1, role: 'admin', status: 'active' },
      { clinic_id: 2, user_id: 2, role: 'admin', status: 'active' },
    ])
    expect(await rows('SELECT id, clinic_id, created_by, name, medical_history FROM patients ORDER BY id')).toEqual([
      { id: 1, clinic_id: 1, created_by: 1, name: 'P one', medical_history: 'Asthma' },
      { id: 2, clinic_id: 2, created_by: 2, name: 'P two', medical_history: null },
      { id: 3, clinic_id: 1, created_by: 1, name: 'P three', medical_history: null },
    ])
    expect(await rows('SELECT patient_id, doctor_id FROM mappings ORDER BY id')).toEqual([
      { patient_id: 1, doctor_id: 1 },
      { patient_id: 2, doctor_id: 1 },
    ])
    // The clinic column is NOT NULL and a foreign key.
    const columns = await rows<{ name: string; notnull: number }>('PRAGMA table_info(patients)')
    expect(columns.find((column) => column.name === 'clinic_id')?.notnull).toBe(1)
    await expect(db.prepare(`INSERT INTO patients (clinic_id, created_by, name, date_of_birth, gender) VALUES (99, 1, 'X', '2000-01-01', 'male')`).run()).rejects.toThrow(/FOREIGN KEY/)
    // A deleted patient's id is not given out again.
    const [created] = await rows<{ id: number }>(`INSERT INTO patients (clinic_id, created_by, name, date_of_birth, gender) VALUES (1, 1, 'New', '2000-01-01', 'male') RETURNING id`)
    expect(created.id).toBe(5)
    // A new clinic is numbered after every migrated one.
    const [clinic] = await rows<{ id: number }>(`INSERT INTO clinics (name) VALUES ('New clinic') RETURNING id`)
    expect(clinic.id).toBe(3)
  })
})
