import { sql, type ExpressionBuilder } from 'kysely'
import { LOCKOUT, type LockState } from '../core/lockout'
import type { Outcome } from '../core/refusal'
import { batch, type Db } from './client'
import { activeMembershipsQuery, type ClinicChoice } from './memberships'
import type { Database, UserRow } from './schema'

/** Whose attempts these are: the account's email (or, for a signed-in user, their id) and the client network. */
export type AttemptKey = { network: string } & ({ email: string } | { userId: number })

type Eb = ExpressionBuilder<Database, never>

/** The account key as SQL: the email itself, or the signed-in user's email looked up by id. */
function accountOf(eb: Eb, key: AttemptKey) {
  return 'email' in key ? eb.val(key.email) : eb.selectFrom('users').select('email').where('id', '=', key.userId)
}

/** Counts and the oldest time of the attempts still inside both lockout windows, as one row of scalar subqueries. */
function lockStateQuery(db: Db, key: AttemptKey, now: number) {
  return db.kysely.selectNoFrom((eb) => {
    const network = () =>
      eb
        .selectFrom('login_attempts')
        .where('account', '=', accountOf(eb, key))
        .where('network', '=', key.network)
        .where('attempted_at', '>=', now - LOCKOUT.networkWindowSeconds)
    const account = () =>
      eb
        .selectFrom('login_attempts')
        .where('account', '=', accountOf(eb, key))
        .where('attempted_at', '>=', now - LOCKOUT.accountWindowSeconds)
    return [
      network().select((inner) => inner.fn.countAll<number>().as('n')).as('network_attempts'),
      network().select((inner) => inner.fn.min<number>('attempted_at').as('t')).as('oldest_network_attempt'),
      account().select((inner) => inner.fn.countAll<number>().as('n')).as('account_attempts'),
      account().select((inner) => inner.fn.min<number>('attempted_at').as('t')).as('oldest_account_attempt'),
    ]
  })
}

/**
 * The INSERT that reserves one attempt, only while the account is under both limits (per network,
 * and across networks); RETURNING gives its id, or nothing when the account is locked. One
 * statement, so parallel guesses are counted one by one: N at once get at most 10 checks.
 */
function reserveQuery(db: Db, key: AttemptKey, now: number) {
  return db.kysely
    .insertInto('login_attempts')
    .columns(['account', 'network', 'attempted_at'])
    .expression(
      db.kysely
        .selectNoFrom((eb) => [accountOf(eb, key).as('account'), eb.val(key.network).as('network'), eb.val(now).as('attempted_at')])
        .where((eb) => eb.and([
          eb(
            eb
              .selectFrom('login_attempts')
              .select((inner) => inner.fn.countAll<number>().as('n'))
              .where('account', '=', accountOf(eb, key))
              .where('network', '=', key.network)
              .where('attempted_at', '>=', now - LOCKOUT.networkWindowSeconds),
            '<',
            LOCKOUT.perNetwork,
          ),
          eb(
            eb
              .selectFrom('login_attempts')
              .select((inner) => inner.fn.countAll<number>().as('n'))
              .where('account', '=', accountOf(eb, key))
              .where('attempted_at', '>=', now - LOCKOUT.accountWindowSeconds),
            '<',
            LOCKOUT.perAccount,
          ),
          // A signed-in user who no longer exists has no email: nothing to reserve.
          eb(accountOf(eb, key), 'is not', null),
        ])),
    )
    .returning('id')
}

/**
 * When an account's lockout ends, as two scalar subqueries for a query over `users`, each in Unix
 * seconds or null when no such lock holds: `network` is the end of the last of its per-network
 * locks, `account` the end of its account-wide lock. A window never holds more than its limit (the
 * reservation stops there), so a full window's lock ends when its oldest attempt leaves it, as the
 * login's `Retry-After` says (core/lockout.ts).
 */
export function lockEnds(eb: ExpressionBuilder<Database, 'users'>, now: number) {
  const attempts = (windowSeconds: number) =>
    eb.selectFrom('login_attempts').whereRef('login_attempts.account', '=', 'users.email').where('login_attempts.attempted_at', '>=', now - windowSeconds)
  return {
    network: attempts(LOCKOUT.networkWindowSeconds)
      .select(sql<number>`min(login_attempts.attempted_at) + ${LOCKOUT.networkWindowSeconds}`.as('ends'))
      .groupBy('login_attempts.network')
      .having((inner) => inner.fn.countAll(), '>=', LOCKOUT.perNetwork)
      .orderBy('ends', 'desc')
      .limit(1),
    account: attempts(LOCKOUT.accountWindowSeconds).select(
      sql<number | null>`case when count(*) >= ${LOCKOUT.perAccount} then min(login_attempts.attempted_at) + ${LOCKOUT.accountWindowSeconds} end`.as('ends'),
    ),
  }
}

/** Forgets attempts older than the longest window, a few at a time, so the table stays small without a cron job. */
const expireQuery = (db: Db, now: number) =>
  db.kysely.deleteFrom('login_attempts').where('id', 'in', (eb) =>
    eb
      .selectFrom('login_attempts')
      .select('id')
      .where('attempted_at', '<', now - LOCKOUT.accountWindowSeconds)
      .orderBy('attempted_at')
      .limit(20),
  )

/** An attempt that may go on to the password check: its reservation, released if the password was right. */
export interface Reservation {
  attemptId: number
}

/**
 * A login's first round trip: reserves the attempt (or finds the account locked), reads the account
 * behind the email and its clinics (the one used last first), and expires old attempts, in one batch. Every login takes it, known email or not.
 */
export async function beginLogin(
  db: Db,
  email: string,
  network: string,
  now: number,
): Promise<{ reservation: Outcome<Reservation>; account?: UserRow; clinics: ClinicChoice[] }> {
  const key = { email, network }
  const { reserved, accounts, clinics, lock } = await batch(db, {
    expired: expireQuery(db, now),
    reserved: reserveQuery(db, key, now),
    accounts: db.kysely.selectFrom('users').selectAll().where('email', '=', email),
    clinics: activeMembershipsQuery(db).where('users.email', '=', email),
    lock: lockStateQuery(db, key, now),
  })
  return { reservation: reservationOf(reserved, lock), account: accounts[0], clinics }
}

/**
 * The first round trip of a password check by a signed-in user (change-password): reserves an
 * attempt against their account from this network, as a login would, and reads their row.
 */
export async function beginPasswordCheck(db: Db, userId: number, network: string, now: number): Promise<{ reservation: Outcome<Reservation>; user?: UserRow }> {
  const key = { userId, network }
  const { reserved, users, lock } = await batch(db, {
    expired: expireQuery(db, now),
    reserved: reserveQuery(db, key, now),
    users: db.kysely.selectFrom('users').selectAll().where('id', '=', userId),
    lock: lockStateQuery(db, key, now),
  })
  return { reservation: reservationOf(reserved, lock), user: users[0] }
}

function reservationOf(reserved: { id: number }[], lock: unknown[]): Outcome<Reservation> {
  return reserved.length ? { attemptId: reserved[0].id } : { refused: 'locked', lock: lock[0] as LockState }
}

/** The DELETE that forgets an account's attempts from one network, for a successful login's batch. */
export const forgetNetworkAttemptsQuery = (db: Db, email: string, network: string) =>
  db.kysely.deleteFrom('login_attempts').where('account', '=', email).where('network', '=', network)

/** The DELETE that releases one reservation: the password it guarded was right. */
export const releaseAttemptQuery = (db: Db, attemptId: number) => db.kysely.deleteFrom('login_attempts').where('id', '=', attemptId)

/** Releases one reservation on its own: the password was right, but the request stopped before its write. */
export async function releaseAttempt(db: Db, attemptId: number): Promise<void> {
  await releaseAttemptQuery(db, attemptId).execute()
}
