import { describe, expect, it } from 'vitest'
import { countdownAt, groupCode, refreshDelay, REFRESH_SLACK_MS, ringTiming, secondsUntil } from '../src/lib/time'
import type { CodeView } from '../src/lib/types'

const T0 = 1_700_000_010_000 // a 30 s boundary
const code = (validUntil: number | null, id = 'a'): CodeView => ({
  id,
  code: '123456',
  next: null,
  validFrom: validUntil === null ? null : validUntil - 30_000,
  validUntil,
  period: validUntil === null ? null : 30,
})

describe('countdownAt', () => {
  it('is full at the start of the window and empty at its end', () => {
    expect(countdownAt(T0, T0 + 30_000, T0)).toMatchObject({ remainingMs: 30_000, fraction: 1, urgent: false })
    expect(countdownAt(T0, T0 + 30_000, T0 + 30_000)).toMatchObject({ remainingMs: 0, fraction: 0, urgent: true })
  })

  it('turns urgent in the last 5 seconds only', () => {
    expect(countdownAt(T0, T0 + 30_000, T0 + 24_999).urgent).toBe(false)
    expect(countdownAt(T0, T0 + 30_000, T0 + 25_000).urgent).toBe(true)
  })

  it('clamps a clock outside the window', () => {
    expect(countdownAt(T0, T0 + 30_000, T0 - 5_000).remainingMs).toBe(30_000)
    expect(countdownAt(T0, T0 + 30_000, T0 + 90_000).fraction).toBe(0)
  })
})

describe('ringTiming', () => {
  it('starts the ring in the past by the elapsed time and the urgent colour 5 s before the end', () => {
    const t = ringTiming(T0, T0 + 30_000, T0 + 12_000)
    expect(t).toEqual({ durationS: 30, delayS: -12, urgentDurationS: 5, urgentDelayS: 13, steps: 30 })
  })

  it('gives a negative urgent delay when already urgent', () => {
    expect(ringTiming(T0, T0 + 30_000, T0 + 27_000).urgentDelayS).toBe(-2)
  })

  it('handles windows shorter than the urgent span', () => {
    const t = ringTiming(T0, T0 + 3_000, T0 + 1_000)
    expect(t.urgentDurationS).toBe(3)
    expect(t.urgentDelayS).toBe(-1)
  })
})

describe('refreshDelay', () => {
  it('waits for the earliest deadline plus the slack', () => {
    const codes = [code(T0 + 30_000, 'a'), code(T0 + 60_000, 'b'), code(null, 'hotp')]
    expect(refreshDelay(codes, T0 + 10_000)).toBe(20_000 + REFRESH_SLACK_MS)
  })

  it('is null when nothing expires (HOTP only)', () => {
    expect(refreshDelay([code(null)], T0)).toBeNull()
    expect(refreshDelay([], T0)).toBeNull()
  })

  it('fires at once (after the slack) for a passed deadline', () => {
    expect(refreshDelay([code(T0)], T0 + 5_000)).toBe(REFRESH_SLACK_MS)
  })
})

describe('groupCode', () => {
  it.each([
    ['123456', '123 456'],
    ['1234567', '123 4567'],
    ['12345678', '1234 5678'],
    ['2BCDF', '2BCDF'],
    ['', ''],
  ])('%s → %s', (raw, grouped) => {
    expect(groupCode(raw)).toBe(grouped)
  })
})

it('secondsUntil rounds up and never goes negative', () => {
  expect(secondsUntil(T0 + 29_001, T0)).toBe(30)
  expect(secondsUntil(T0 - 1, T0)).toBe(0)
})
