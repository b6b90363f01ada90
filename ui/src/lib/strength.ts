// Backup password strength (zxcvbn-ts with the common dictionaries): a 0..4 score for the meter,
// and the rule the export and automatic-backup forms apply before a password is accepted.
// The estimator and its dictionaries (about 400 kB) are loaded on demand, in a chunk of their
// own, when a screen with a password meter opens (`loadStrength`): the window starts without them.

import type { ZxcvbnFactory } from '@zxcvbn-ts/core'

/** The lowest zxcvbn score accepted for a backup password ("safely unguessable"). */
export const MIN_SCORE = 3

/** Words for the meter, by score. */
export const STRENGTH_LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const

let factory: ZxcvbnFactory | null = null
let loading: Promise<void> | null = null

/** Loads the estimator (once); `strengthScore` answers 0 until this resolved. */
export function loadStrength(): Promise<void> {
  loading ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]).then(([core, common]) => {
    factory = new core.ZxcvbnFactory({
      dictionary: { ...common.dictionary },
      graphs: common.adjacencyGraphs,
    })
  })
  return loading
}

/** Whether `loadStrength` finished. */
export function strengthLoaded(): boolean {
  return factory !== null
}

/**
 * zxcvbn's score of `password`, 0 (guessable in seconds) to 4; 0 for "" and while the estimator
 * is not loaded yet (so nothing is accepted before it is judged).
 */
export function strengthScore(password: string): number {
  if (password === '' || factory === null) return 0
  // zxcvbn's cost grows with length; a longer passphrase is judged on its first 256 characters.
  return factory.check(password.slice(0, 256)).score
}

/**
 * Why a new backup password cannot be used yet, or null: empty, too weak (below `MIN_SCORE`),
 * or not repeated identically.
 */
export function backupPasswordProblem(password: string, repeat: string, score = strengthScore(password)): string | null {
  if (password === '') return 'Enter a backup password'
  if (score < MIN_SCORE) {
    return `This password is too easy to guess (${STRENGTH_LABELS[score].toLowerCase()}): use a longer passphrase, e.g. four or five unrelated words`
  }
  if (password !== repeat) return 'The two passwords do not match'
  return null
}
