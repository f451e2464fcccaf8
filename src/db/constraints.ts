import type { Outcome } from '../core/refusal'

/** SQLite's words for a UNIQUE violation: `UNIQUE constraint failed: table.col[, table.col]`. */
const UNIQUE_VIOLATION = /UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)/
const CHECK_VIOLATION = /CHECK constraint failed/

/**
 * Runs a write whose races the database decides, and answers what its constraints refused as a
 * refusal: a UNIQUE violation is `duplicate`, naming the last column of the index (the field a
 * client can change); a CHECK violation is `invalid`. D1 reports constraints only as error text.
 * The schemas mirror every CHECK, so that branch is a backstop: input the database refused is the
 * client's, never a 500.
 */
export async function refusingConstraints<T>(write: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await write()
  } catch (error) {
    const message = (error as Error).message
    const unique = UNIQUE_VIOLATION.exec(message)
    if (unique) return { refused: 'duplicate', field: unique[1].split(', ').at(-1)!.split('.').at(-1)! }
    if (CHECK_VIOLATION.test(message)) return { refused: 'invalid', message: 'A value is outside what the record allows.' }
    throw error
  }
}
