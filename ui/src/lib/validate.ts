// Live validation of the manual entry form, run on every keystroke before the backend's
// `validate_manual` confirms. The rules mirror twofold-core: `SecretBytes::from_base32` (lenient
// RFC 4648 base32: case-insensitive, spaces, dashes and `=` ignored, a final group of 1, 3 or 6
// characters impossible), `Digits` (6..=8) and `Period` (1..=86400 s). Messages are for people.

import type { Kind } from './types'

/** Characters `from_base32` skips. */
const IGNORED = /[\s=-]/g

/** Why a typed key is not base32, or null when it is. */
export function base32Message(input: string): string | null {
  const clean = input.replace(IGNORED, '')
  if (clean === '') return 'Enter the key the site showed'
  for (let i = 0; i < clean.length; i++) {
    const ch = clean[i]
    if (!/[A-Za-z2-7]/.test(ch)) {
      const what = ch === '0' || ch === '1' || ch === '8' || ch === '9' ? ` (base32 has no ${ch})` : ''
      return `"${ch}" is not a base32 character${what}: use the letters A–Z and digits 2–7`
    }
  }
  if ([1, 3, 6].includes(clean.length % 8)) {
    return `${clean.length} characters cannot be a whole key: check for a missing or extra character`
  }
  return null
}

/** The number of key bytes a valid base32 input encodes (for the "short key" hint). */
export function base32Bytes(input: string): number {
  return Math.floor((input.replace(IGNORED, '').length * 5) / 8)
}

/** Why a digits value is invalid for `kind`, or null. */
export function digitsMessage(kind: Kind, digits: number): string | null {
  if (kind === 'steam') return null
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) return 'Digits must be 6, 7 or 8'
  return null
}

/** Why a period is invalid for `kind`, or null. */
export function periodMessage(kind: Kind, period: number | null): string | null {
  if (kind !== 'totp') return null
  if (period === null || !Number.isInteger(period) || period < 1 || period > 86_400) {
    return 'Period must be a whole number of seconds from 1 to 86400'
  }
  return null
}

/** Why a counter is invalid for `kind`, or null. */
export function counterMessage(kind: Kind, counter: number | null): string | null {
  if (kind !== 'hotp') return null
  if (counter === null || !Number.isSafeInteger(counter) || counter < 0) {
    return 'Counter must be a whole number, 0 or more'
  }
  return null
}

/** The fields checked live. */
export interface ManualFields {
  name: string
  secret: string
  kind: Kind
  digits: number
  period: number | null
  counter: number | null
}

/** The first problem of the form, or null when it can be submitted. */
export function manualMessage(f: ManualFields): string | null {
  return (
    base32Message(f.secret) ??
    digitsMessage(f.kind, f.digits) ??
    periodMessage(f.kind, f.period) ??
    counterMessage(f.kind, f.counter) ??
    (f.name.trim() === '' ? 'Enter the account name (for example your e-mail address)' : null)
  )
}

/** A hint (not an error) for keys shorter than the 80 bits nearly every site uses. */
export function shortKeyHint(secret: string): string | null {
  if (base32Message(secret) !== null) return null
  const bytes = base32Bytes(secret)
  return bytes < 10 ? `This key is only ${bytes * 8} bits long: check that you typed all of it` : null
}
