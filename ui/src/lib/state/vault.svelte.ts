// The vault's lock state as the backend reports it (`VaultStatus`), and the screen it implies:
// first run (no vault), unlock (locked), or the accounts (unlocked). Passwords and recovery keys
// pass through these functions to the backend and are never stored here.

import * as ipc from '../ipc'
import type { VaultStatus } from '../types'

class VaultStore {
  /** The last status, or null before the first answer. */
  status = $state<VaultStatus | null>(null)
  /** Why the vault was locked by the backend ("locked" event), shown on the unlock screen. */
  lockReason = $state<string | null>(null)
  /** A startup error (the backend did not answer). */
  error = $state<string | null>(null)

  /** Whether the vault has a password slot (reveal and recovery-key changes then ask for it). */
  get hasPassword(): boolean {
    const slots = this.status?.slots ?? []
    return slots.includes('password') || slots.includes('keychainAndPassword')
  }

  /** Whether the vault can be opened through the OS keychain. */
  get hasKeychain(): boolean {
    const slots = this.status?.slots ?? []
    return slots.includes('keychain') || slots.includes('keychainAndPassword')
  }

  /** Asks the backend for the status. */
  async refresh(): Promise<VaultStatus> {
    try {
      const s = await ipc.vaultStatus()
      this.status = s
      this.error = null
      return s
    } catch (e) {
      this.error = ipc.IpcError.from(e).message
      throw e
    }
  }

  /** Creates the vault; resolves to the recovery key, to be shown once. */
  async create(password: string | null, useKeychain: boolean): Promise<string> {
    const { recoveryKey } = await ipc.createVault(password, useKeychain)
    return recoveryKey
  }

  /** Marks the vault open after the recovery key was acknowledged. */
  async enter(): Promise<void> {
    await this.refresh()
  }

  /** Unlocks with a password, a recovery key, or (both null) the keychain. */
  async unlock(password: string | null, recoveryKey: string | null): Promise<void> {
    this.status = await ipc.unlock(password, recoveryKey)
    this.lockReason = null
  }

  /** Locks the vault (keys are wiped in the backend). */
  async lock(): Promise<void> {
    this.status = await ipc.lock()
    this.lockReason = null
  }

  /** Called on the "locked" event. */
  lockedByBackend(reason: string): void {
    this.lockReason = reason || null
    if (this.status) this.status = { ...this.status, state: 'locked' }
    this.refresh().catch(() => {})
  }
}

/** The vault of the window. */
export const vault = new VaultStore()
