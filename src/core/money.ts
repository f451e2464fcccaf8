/** 1,000,000.00 in cents. */
export const MAX_FEE_CENTS = 100_000_000

export const FEE_MESSAGES = {
  notNumber: 'Enter the fee as a number, such as 150 or "150.50".',
  negative: 'The fee cannot be negative.',
  tooLarge: 'The fee cannot be more than 1000000.',
  decimals: 'The fee can have at most 2 decimal places.',
} as const

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/

/**
 * Reads a fee as exact integer cents from its decimal text, never through float arithmetic,
 * so 0.29 is 29 cents and not 28.999...; returns the problem's message when it is not a valid fee.
 */
export function feeCents(value: number | string): number | string {
  let text: string
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return FEE_MESSAGES.notNumber
    if (value < 0) return FEE_MESSAGES.negative
    if (value > MAX_FEE_CENTS / 100) return FEE_MESSAGES.tooLarge
    text = String(value)
    // Only tiny fractions like 1e-7 print in exponent form within the range checked above.
    if (text.includes('e')) return FEE_MESSAGES.decimals
  } else {
    text = value.trim()
  }
  const match = DECIMAL_TEXT.exec(text)
  if (!match) return FEE_MESSAGES.notNumber
  const [, sign, whole, fraction = ''] = match
  if (whole === '' && fraction === '') return FEE_MESSAGES.notNumber
  const significant = whole.replace(/^0+/, '')
  if (sign === '-' && /[1-9]/.test(whole + fraction)) return FEE_MESSAGES.negative
  if (fraction.length > 2) return FEE_MESSAGES.decimals
  // Eight digits already exceed the maximum, and fewer keep the arithmetic below exact.
  if (significant.length > 7) return FEE_MESSAGES.tooLarge
  const cents = Number(significant || '0') * 100 + Number(fraction.padEnd(2, '0'))
  return cents > MAX_FEE_CENTS ? FEE_MESSAGES.tooLarge : cents
}

/** Integer cents as the API's decimal text, e.g. 15050 → "150.50". */
export const formatCents = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`
