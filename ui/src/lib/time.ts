// Countdown maths for TOTP/Steam codes: how much of a code's window is left, when it turns
// urgent, how the CSS ring animation is keyed to the backend's `validFrom`/`validUntil`, and when
// the single refresh timer must fire. Pure functions of the times passed in: nothing here reads
// the clock, so tests pin "now".

import type { CodeView } from './types'

/** The last part of a code's window in which the countdown turns urgent. */
export const URGENT_MS = 5_000

/** How late after a window's end the codes are re-fetched, so the backend's clock is past it. */
export const REFRESH_SLACK_MS = 40

/** Where a code stands in its validity window at `now`. */
export interface CountdownState {
  /** Milliseconds until `validUntil` (0 once it passed). */
  remainingMs: number
  /** The window's length in milliseconds. */
  periodMs: number
  /** Remaining share of the window, 1 at its start, 0 at its end. */
  fraction: number
  /** Whether we are in the last `URGENT_MS` of the window. */
  urgent: boolean
}

/** Where the window [`validFrom`, `validUntil`) stands at `now`. */
export function countdownAt(validFrom: number, validUntil: number, now: number): CountdownState {
  const periodMs = Math.max(1, validUntil - validFrom)
  const remainingMs = clamp(validUntil - now, 0, periodMs)
  return {
    remainingMs,
    periodMs,
    fraction: remainingMs / periodMs,
    urgent: remainingMs <= URGENT_MS,
  }
}

/**
 * The CSS animation timings that draw the ring without any per-second JavaScript: the ring's
 * animation lasts the whole window and starts `elapsed` in the past (negative delay); the urgent
 * colour animation starts `URGENT_MS` before the end (a positive delay, or negative when already
 * urgent). Seconds, as CSS wants them.
 */
export interface RingTiming {
  durationS: number
  delayS: number
  urgentDurationS: number
  urgentDelayS: number
  /** Discrete steps of the ring (one per second), so 500 rings repaint once a second, not 60 times. */
  steps: number
}

/** The ring animation's timings for a window at `now`. */
export function ringTiming(validFrom: number, validUntil: number, now: number): RingTiming {
  const { remainingMs, periodMs } = countdownAt(validFrom, validUntil, now)
  const elapsedMs = periodMs - remainingMs
  const urgentMs = Math.min(URGENT_MS, periodMs)
  return {
    durationS: periodMs / 1000,
    delayS: -elapsedMs / 1000,
    urgentDurationS: urgentMs / 1000,
    urgentDelayS: (remainingMs - urgentMs) / 1000,
    steps: Math.max(1, Math.round(periodMs / 1000)),
  }
}

/**
 * Milliseconds from `now` until the codes must be re-fetched: just after the earliest
 * `validUntil` among `codes`; null when no code expires (only HOTP accounts). Past deadlines give
 * the slack alone, so a late timer fetches at once.
 */
export function refreshDelay(codes: Iterable<CodeView>, now: number): number | null {
  let earliest = Infinity
  for (const c of codes) {
    if (c.validUntil !== null && c.validUntil < earliest) earliest = c.validUntil
  }
  if (earliest === Infinity) return null
  return Math.max(0, earliest - now) + REFRESH_SLACK_MS
}

/** "123456" → "123 456", "12345678" → "1234 5678", "1234567" → "123 4567"; others unchanged. */
export function groupCode(code: string): string {
  if (!/^\d{6,8}$/.test(code)) return code
  const cut = Math.floor(code.length / 2)
  return `${code.slice(0, cut)} ${code.slice(cut)}`
}

/** "in 12 s" style text for a deadline (used in toasts, never re-rendered per second). */
export function secondsUntil(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000))
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v))
}
