// A fake backend for component tests: answers the IPC contract's commands from in-memory data
// through `mockIPC`, and records every call so tests can assert what the UI asked for.
import { mockIPC } from '@tauri-apps/api/mocks'
import strengthTable from '../../tests/fixtures/strength.json'
import type { AccountView, CodeView, Settings, Strength, VaultStatus } from '../src/lib/types'

/**
 * The shared table of password strength cases (tests/fixtures/strength.json), which Rust's
 * `strength::check` and the app's `password_strength` command are tested against: the fake
 * answers `password_strength` from it, so the UI is tested with Rust's verdicts, not its own.
 */
export const STRENGTH_CASES: { password: string; accepted: boolean }[] = strengthTable.cases

/** Rust's verdict on a password of the shared table; others are not known to the fake. */
export function strengthAnswer(password: string): Strength {
  const c = STRENGTH_CASES.find((x) => x.password === password)
  if (!c) throw new Error(`password_strength: a ${password.length}-character password not in tests/fixtures/strength.json`)
  return c.accepted
    ? { score: 4, accepted: true, message: null }
    : { score: 1, accepted: false, message: 'the password is too weak' }
}

export interface Call {
  cmd: string
  args: Record<string, unknown>
}

export function account(id: string, issuer: string, name: string, extra: Partial<AccountView> = {}): AccountView {
  return {
    id,
    issuer,
    name,
    kind: 'totp',
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    counter: null,
    icon: null,
    tags: [],
    favourite: false,
    order: 0,
    notes: '',
    recoveryCodesTotal: 0,
    recoveryCodesUnused: 0,
    lastUsedAt: null,
    createdAt: 0,
    ...extra,
  }
}

export function totpCode(id: string, code: string, now = Date.now(), period = 30): CodeView {
  const start = Math.floor(now / (period * 1000)) * period * 1000
  return { id, code, next: '999999', validFrom: start, validUntil: start + period * 1000, period }
}

export function status(state: VaultStatus['state'], extra: Partial<VaultStatus> = {}): VaultStatus {
  return {
    state,
    vaultPath: '/tmp/vault.twofold',
    slots: ['keychain', 'recoveryKey'],
    rollback: null,
    keychainAvailable: true,
    keychainError: null,
    needs: state === 'locked' ? 'password' : 'nothing',
    reason: null,
    ...extra,
  }
}

export const SETTINGS: Settings = {
  clipboardTimeoutSecs: 30,
  autoLockMins: 10,
  theme: 'system',
  closeToTray: false,
  startMinimised: false,
  globalShortcut: null,
  showNextCode: false,
  sortMode: 'alpha',
  autoBackup: false,
  autoBackupDir: null,
  autoBackupKeep: 10,
}

export interface Fake {
  calls: Call[]
  count: (cmd: string) => number
  last: (cmd: string) => Record<string, unknown> | undefined
}

/**
 * Installs the fake. `overrides` answer (or throw for) chosen commands; others get defaults
 * from `accounts`, `codes` and `vault`.
 */
export function fakeBackend(opts: {
  vault?: VaultStatus
  accounts?: AccountView[]
  codes?: CodeView[]
  overrides?: Record<string, (args: Record<string, unknown>) => unknown>
}): Fake {
  const calls: Call[] = []
  let vault = opts.vault ?? status('unlocked')
  const accounts = opts.accounts ?? []
  const codes = opts.codes ?? []
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>
    calls.push({ cmd, args })
    const o = opts.overrides?.[cmd]
    if (o) return o(args)
    switch (cmd) {
      case 'vault_status':
        return vault
      case 'unlock':
        vault = status('unlocked')
        return vault
      case 'lock':
        vault = status('locked')
        return vault
      case 'list_accounts':
        return accounts
      case 'current_codes':
        return codes
      case 'get_settings':
        return SETTINGS
      case 'set_settings':
        return args.settings
      case 'copy_code':
        return { clearsAt: Date.now() + 30_000 }
      case 'activity':
        return null
      case 'validate_manual':
        return { ok: true, message: null }
      case 'password_strength':
        return strengthAnswer(String(args.password))
      default:
        return null
    }
  }, { shouldMockEvents: true })
  return {
    calls,
    count: (cmd) => calls.filter((c) => c.cmd === cmd).length,
    last: (cmd) => calls.filter((c) => c.cmd === cmd).at(-1)?.args,
  }
}
