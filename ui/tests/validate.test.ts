import { describe, expect, it } from 'vitest'
import { base32Message, counterMessage, digitsMessage, manualMessage, periodMessage, shortKeyHint } from '../src/lib/validate'

describe('base32Message', () => {
  it('accepts keys as sites print them: lower case, spaces, dashes, padding', () => {
    expect(base32Message('JBSWY3DPEHPK3PXP')).toBeNull()
    expect(base32Message('jbsw y3dp-ehpk 3pxp')).toBeNull()
    expect(base32Message('MZXW6===')).toBeNull()
  })

  it('asks for a key when empty', () => {
    expect(base32Message('  ')).toBe('Enter the key the site showed')
  })

  it('names the bad character and explains 0, 1, 8 and 9', () => {
    expect(base32Message('JBSWY3D0')).toBe('"0" is not a base32 character (base32 has no 0): use the letters A–Z and digits 2–7')
    expect(base32Message('JBSW!')).toBe('"!" is not a base32 character: use the letters A–Z and digits 2–7')
  })

  it('rejects lengths that cannot encode whole bytes (RFC 4648 §6)', () => {
    expect(base32Message('JBSWY3DPE')).toMatch(/^9 characters cannot be a whole key/)
    expect(base32Message('JBS')).toMatch(/^3 characters/)
    expect(base32Message('JBSWY3')).toMatch(/^6 characters/)
  })
})

describe('numbers', () => {
  it('digits must be 6 to 8, except for Steam', () => {
    expect(digitsMessage('totp', 6)).toBeNull()
    expect(digitsMessage('hotp', 8)).toBeNull()
    expect(digitsMessage('totp', 5)).toBe('Digits must be 6, 7 or 8')
    expect(digitsMessage('totp', 9)).toBe('Digits must be 6, 7 or 8')
    expect(digitsMessage('totp', 6.5)).toBe('Digits must be 6, 7 or 8')
    expect(digitsMessage('steam', 5)).toBeNull()
  })

  it('period must be 1 to 86400 s for TOTP only', () => {
    expect(periodMessage('totp', 30)).toBeNull()
    expect(periodMessage('totp', 0)).toBe('Period must be a whole number of seconds from 1 to 86400')
    expect(periodMessage('totp', 86_401)).not.toBeNull()
    expect(periodMessage('totp', null)).not.toBeNull()
    expect(periodMessage('hotp', null)).toBeNull()
  })

  it('counter must be a non-negative integer for HOTP only', () => {
    expect(counterMessage('hotp', 0)).toBeNull()
    expect(counterMessage('hotp', -1)).toBe('Counter must be a whole number, 0 or more')
    expect(counterMessage('hotp', null)).not.toBeNull()
    expect(counterMessage('totp', null)).toBeNull()
  })
})

describe('manualMessage', () => {
  const ok = { name: 'alice', secret: 'JBSWY3DPEHPK3PXP', kind: 'totp' as const, digits: 6, period: 30, counter: null }

  it('passes a complete form', () => {
    expect(manualMessage(ok)).toBeNull()
  })

  it('reports the key first, then numbers, then the name', () => {
    expect(manualMessage({ ...ok, secret: '', digits: 4, name: '' })).toBe('Enter the key the site showed')
    expect(manualMessage({ ...ok, digits: 4, name: '' })).toBe('Digits must be 6, 7 or 8')
    expect(manualMessage({ ...ok, name: ' ' })).toMatch(/^Enter the account name/)
  })
})

it('hints at keys shorter than 80 bits', () => {
  expect(shortKeyHint('JBSWY3DP')).toBe('This key is only 40 bits long: check that you typed all of it')
  expect(shortKeyHint('JBSWY3DPEHPK3PXP')).toBeNull()
  expect(shortKeyHint('JBS')).toBeNull()
})
