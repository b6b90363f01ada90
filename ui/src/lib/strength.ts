// Backup password strength. The rule is Rust's (twofold-core `strength::check`, the CLI's too):
// the form asks it through `password_strength` instead of estimating on its own, so the meter,
// the form and the export can never disagree (issue 10 §2), and the window loads no estimator
// or dictionary of its own. The shared table of cases is tests/fixtures/strength.json.

import { passwordStrength } from './ipc'
import type { Strength } from './types'

/** Words for the meter, by zxcvbn score. */
export const STRENGTH_LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const

/** Rust's verdict on one password (kept with the text it is for). */
export interface Judgement {
  password: string
  strength: Strength
}

/** Asks Rust how strong `password` is. */
export const judge = (password: string): Promise<Judgement> =>
  passwordStrength(password).then((strength) => ({ password, strength }))

/** The verdict held if it is for `password` (null while an older answer is held, or none). */
export function strengthOf(judged: Judgement | null, password: string): Strength | null {
  return judged !== null && judged.password === password ? judged.strength : null
}

/**
 * Why a new backup password cannot be used yet, or null: empty, not judged yet, refused by
 * Rust's rule, or not repeated identically.
 */
export function backupPasswordProblem(password: string, repeat: string, strength: Strength | null): string | null {
  if (password === '') return 'Enter a backup password'
  if (strength === null) return 'Checking the password…'
  if (!strength.accepted) {
    const label = STRENGTH_LABELS[Math.min(Math.max(strength.score, 0), 4)].toLowerCase()
    return `This password is too easy to guess (${label}): use a longer passphrase, e.g. four or five unrelated words`
  }
  if (password !== repeat) return 'The two passwords do not match'
  return null
}

/**
 * An effect body for a form: judges `password` 150 ms after the last keystroke and hands the
 * verdict to `set`; returns the cleanup. An empty password is not sent.
 */
export function judgeLater(password: string, set: (j: Judgement | null) => void): () => void {
  if (password === '') {
    set(null)
    return () => {}
  }
  let live = true
  const t = setTimeout(() => {
    judge(password)
      .then((j) => live && set(j))
      .catch(() => {})
  }, 150)
  return () => {
    live = false
    clearTimeout(t)
  }
}
