import type { User } from '../schemas/auth'
import type { Db } from './client'
import type { UserRow } from './schema'

const PUBLIC_COLUMNS = ['id', 'name', 'email', 'date_joined'] as const

export interface NewUser {
  name: string
  email: string
  password: string
  passwordHash: string
}

/**
 * Inserts a user unless the password is on the common-password list, in one statement.
 * Returns undefined when the password was refused; a taken email fails on the UNIQUE index.
 */
export async function insertUser(db: Db, user: NewUser): Promise<User | undefined> {
  return db.kysely
    .insertInto('users')
    .columns(['name', 'email', 'password_hash'])
    .expression(
      db.kysely
        .selectNoFrom((eb) => [
          eb.val(user.name).as('name'),
          eb.val(user.email).as('email'),
          eb.val(user.passwordHash).as('password_hash'),
        ])
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('common_passwords').select('password').where('password', '=', user.password.toLowerCase()))),
        ),
    )
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirst()
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.kysely.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst()
}

export async function findUser(db: Db, id: number): Promise<User | undefined> {
  return db.kysely.selectFrom('users').select(PUBLIC_COLUMNS).where('id', '=', id).executeTakeFirst()
}

export function updatePasswordHashQuery(db: Db, id: number, passwordHash: string) {
  return db.kysely.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id)
}

export function publicUser(row: UserRow): User {
  return { id: row.id, name: row.name, email: row.email, date_joined: row.date_joined }
}
