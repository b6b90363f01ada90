// App settings (no secrets): loaded after unlock, saved field by field, and the theme applied to
// <html data-theme> so app.css can pick the palette (or follow prefers-color-scheme for "system").

import * as ipc from '../ipc'
import type { Settings } from '../types'
import { accounts } from './accounts.svelte'

/** The defaults of the IPC contract, used until the backend answers. */
export const DEFAULT_SETTINGS: Settings = {
  clipboardTimeoutSecs: 30,
  autoLockMins: 10,
  theme: 'system',
  closeToTray: false,
  startMinimised: false,
  globalShortcut: 'CommandOrControl+Shift+K',
  showNextCode: false,
  sortMode: 'alpha',
  autoBackup: false,
  autoBackupDir: null,
  autoBackupKeep: 10,
}

/** Why a clipboard timeout is invalid, or null (0 = never, else 5..=300 s). */
export function clipboardTimeoutMessage(secs: number): string | null {
  if (!Number.isInteger(secs) || (secs !== 0 && (secs < 5 || secs > 300))) {
    return 'Use 0 (never) or 5 to 300 seconds'
  }
  return null
}

/** Why an auto-lock delay is invalid, or null (0 = never). */
export function autoLockMessage(mins: number): string | null {
  if (!Number.isInteger(mins) || mins < 0 || mins > 1440) return 'Use 0 (never) or 1 to 1440 minutes'
  return null
}

/** Applies a theme to the document. */
export function applyTheme(theme: Settings['theme']): void {
  if (typeof document === 'undefined') return
  if (theme === 'system') delete document.documentElement.dataset.theme
  else document.documentElement.dataset.theme = theme
}

class SettingsStore {
  value = $state<Settings>({ ...DEFAULT_SETTINGS })

  /** Loads settings from the backend. */
  async load(): Promise<void> {
    this.#apply(await ipc.getSettings())
  }

  /** Saves a change; the backend's answer (which may normalise it) wins. */
  async save(patch: Partial<Settings>): Promise<void> {
    const next = { ...$state.snapshot(this.value), ...patch }
    this.#apply(await ipc.setSettings(next))
  }

  #apply(s: Settings): void {
    this.value = s
    accounts.sortMode = s.sortMode
    applyTheme(s.theme)
  }
}

/** The window's settings. */
export const settings = new SettingsStore()
