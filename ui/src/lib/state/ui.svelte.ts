// Which panel is open over the account list (add, import preview, details, settings), the pending
// scan result for the preview, and the throttled activity ping that keeps auto-lock away while
// the user works. Holds no secrets.

import * as ipc from '../ipc'
import type { Picked, ScanResult } from '../types'

/** A panel over the list. */
export type Panel =
  | { kind: 'none' }
  | { kind: 'add' }
  | { kind: 'preview'; scan: ScanResult }
  | { kind: 'details'; id: string }
  | { kind: 'settings' }
  | { kind: 'importFile'; file?: Picked }
  | { kind: 'export' }
  | { kind: 'verify' }

/** The add dialog's tabs, in order. */
export const ADD_TABS = ['file', 'paste', 'screen', 'camera', 'uri', 'manual'] as const

/** One add dialog tab. */
export type AddTab = (typeof ADD_TABS)[number]

/** At most one `activity` ping per this many milliseconds (IPC contract). */
export const ACTIVITY_THROTTLE_MS = 15_000

class UiState {
  panel = $state<Panel>({ kind: 'none' })
  addTab = $state<AddTab>('file')
  /** Bumped to ask the search box to take focus. */
  searchFocus = $state(0)
  #lastPing = -Infinity

  /** Opens a panel. */
  open(p: Panel): void {
    this.panel = p
  }

  /** Opens the add dialog on a tab (the file tab unless told otherwise). */
  openAdd(tab: AddTab = 'file'): void {
    this.addTab = tab
    this.panel = { kind: 'add' }
  }

  /** Back to the list. */
  close(): void {
    this.panel = { kind: 'none' }
  }

  /** Asks the search box to take focus. */
  focusSearch(): void {
    this.close()
    this.searchFocus++
  }

  /** Tells the backend the user is active, at most once per `ACTIVITY_THROTTLE_MS`. */
  ping(now = Date.now()): boolean {
    if (now - this.#lastPing < ACTIVITY_THROTTLE_MS) return false
    this.#lastPing = now
    ipc.activity().catch(() => {})
    return true
  }
}

/** The window's navigation state. */
export const ui = new UiState()
