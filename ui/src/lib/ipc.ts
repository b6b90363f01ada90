// The only module that talks to the backend: typed wrappers over the app's commands (IPC contract,
// /work/notes/IPC.md), the three backend events, and the two platform services the UI needs (the
// native file dialog and file drops). Components never call `invoke`; they go through the state
// modules, which call these functions. Arguments are camelCase keys; Tauri maps them to the Rust
// snake_case parameters.

import { invoke } from '@tauri-apps/api/core'
import { listen, type UnlistenFn } from '@tauri-apps/api/event'
import { getCurrentWebview } from '@tauri-apps/api/webview'
import { open, save } from '@tauri-apps/plugin-dialog'
import type {
  AutoBackupStatus,
  ExportFormat,
  ExportFormatId,
  ExportOutcome,
  FileImportOutcome,
  FilePreview,
  OnDuplicate,
  Strength,
  TransferQr,
  VerifyReport,
  AccountPatch,
  AccountView,
  CredentialChange,
  CodeView,
  ImportDecision,
  ImportOutcome,
  IpcErrorKind,
  ManualEntry,
  RecoveryCodeView,
  Revealed,
  ScanResult,
  Settings,
  Validation,
  VaultStatus,
} from './types'

const KINDS: readonly IpcErrorKind[] = [
  'locked',
  'wrongPassword',
  'invalidInput',
  'keychain',
  'notFound',
  'duplicate',
  'changedOnDisk',
  'damaged',
  'internal',
]

/** A command's failure, mirroring the Rust `IpcError` (`{ kind, message }`). */
export class IpcError extends Error {
  readonly kind: IpcErrorKind

  constructor(kind: IpcErrorKind, message: string) {
    super(message)
    this.name = 'IpcError'
    this.kind = kind
  }

  /** Normalises whatever `invoke` rejected with (the serialized enum, or a bare string). */
  static from(raw: unknown): IpcError {
    if (raw instanceof IpcError) return raw
    if (typeof raw === 'object' && raw !== null && 'kind' in raw) {
      const { kind, message } = raw as { kind: unknown; message: unknown }
      const known = KINDS.find((k) => k === kind)
      return new IpcError(known ?? 'internal', typeof message === 'string' ? message : String(kind))
    }
    if (raw instanceof Error) return new IpcError('internal', raw.message)
    return new IpcError('internal', String(raw))
  }
}

/** Calls a command and turns its rejection into an `IpcError`. */
async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args)
  } catch (raw) {
    throw IpcError.from(raw)
  }
}

// ---- vault ----
export const vaultStatus = () => call<VaultStatus>('vault_status')
export const createVault = (password: string | null, useKeychain: boolean) =>
  call<{ recoveryKey: string }>('create_vault', { password, useKeychain })
export const unlock = (password: string | null, recoveryKey: string | null) =>
  call<VaultStatus>('unlock', { password, recoveryKey })
export const lock = () => call<VaultStatus>('lock')
export const setPassword = (current: string | null, password: string | null) =>
  call<CredentialChange>('set_password', { current, password })
export const regenerateRecoveryKey = (password: string | null) =>
  call<CredentialChange>('regenerate_recovery_key', { password })
export const restoreNewerCopy = () => call<VaultStatus>('restore_newer_copy')
export const activity = () => call<void>('activity')

// ---- accounts ----
export const listAccounts = () => call<AccountView[]>('list_accounts')
export const currentCodes = () => call<CodeView[]>('current_codes')
export const copyCode = (id: string) => call<{ clearsAt: number | null }>('copy_code', { id })
export const nextHotp = (id: string) => call<CodeView>('next_hotp', { id })
export const updateAccount = (id: string, patch: AccountPatch) =>
  call<AccountView>('update_account', { id, patch })
export const reorderAccounts = (ids: string[]) => call<void>('reorder_accounts', { ids })
export const deleteAccount = (id: string) => call<{ undoToken: string }>('delete_account', { id })
export const undoDelete = (undoToken: string) => call<AccountView>('undo_delete', { undoToken })
export const listRecoveryCodes = (id: string) =>
  call<RecoveryCodeView[]>('list_recovery_codes', { id })
export const addRecoveryCodes = (id: string, text: string) =>
  call<AccountView>('add_recovery_codes', { id, text })
export const setRecoveryCodeUsed = (id: string, index: number, used: boolean) =>
  call<AccountView>('set_recovery_code_used', { id, index, used })
export const revealSecret = (id: string, password: string | null) =>
  call<Revealed>('reveal_secret', { id, password })

// ---- import ----
export const scanImageFile = (path: string) => call<ScanResult>('scan_image_file', { path })
export const scanImageBytes = (bytes: Uint8Array) =>
  call<ScanResult>('scan_image_bytes', { bytes: Array.from(bytes) })
export const scanScreen = () => call<ScanResult>('scan_screen')
export const scanClipboard = () => call<ScanResult>('scan_clipboard')
export const parseUri = (uri: string) => call<ScanResult>('parse_uri', { uri })
export const validateManual = (e: Omit<ManualEntry, 'issuer' | 'name'>) =>
  call<Validation>('validate_manual', {
    secret: e.secret,
    kind: e.kind,
    algorithm: e.algorithm,
    digits: e.digits,
    period: e.period,
    counter: e.counter,
  })
export const addManual = (e: ManualEntry) => call<ScanResult>('add_manual', { ...e })
export const confirmImport = (decisions: ImportDecision[]) =>
  call<ImportOutcome>('confirm_import', { decisions })

// ---- import from file, export, backups (issue 5) ----
export const readImportFile = (path: string, password: string | null) =>
  call<FilePreview>('read_import_file', { path, password })
export const confirmFileImport = (importId: string, onDuplicate: OnDuplicate, exclude: number[]) =>
  call<FileImportOutcome>('confirm_file_import', { importId, onDuplicate, exclude })
export const cancelFileImport = (importId: string) => call<void>('cancel_file_import', { importId })
export const exportFormats = () => call<ExportFormat[]>('export_formats')
export const passwordStrength = (password: string) => call<Strength>('password_strength', { password })
export const exportVault = (a: {
  format: ExportFormatId
  path: string
  password: string | null
  vaultPassword: string | null
  confirmPlain: boolean
}) => call<ExportOutcome>('export_vault', { ...a })
/** (SHOW) the Google Authenticator transfer QR codes, SVG documents. */
export const showTransferQr = (vaultPassword: string | null, confirmPlain: boolean) =>
  call<TransferQr>('show_transfer_qr', { vaultPassword, confirmPlain })
export const verifyBackup = (path: string, password: string) =>
  call<VerifyReport>('verify_backup', { path, password })
export const autoBackupStatus = () => call<AutoBackupStatus>('auto_backup_status')
export const setAutoBackupPassword = (password: string | null) =>
  call<AutoBackupStatus>('set_auto_backup_password', { password })
export const backupNow = () => call<AutoBackupStatus>('backup_now')

// ---- settings ----
export const getSettings = () => call<Settings>('get_settings')
export const setSettings = (settings: Settings) => call<Settings>('set_settings', { settings })

// ---- events ----

/** The backend events the UI reacts to. */
export interface BackendEvents {
  onVaultChanged: () => void
  onLocked: (reason: string) => void
  onFocusSearch: () => void
}

/** Subscribes to "vault-changed", "locked" and "focus-search"; resolves to one unsubscribe. */
export async function listenBackend(h: BackendEvents): Promise<UnlistenFn> {
  const offs = await Promise.all([
    listen('vault-changed', () => h.onVaultChanged()),
    listen<{ reason?: string } | null>('locked', (e) => h.onLocked(e.payload?.reason ?? '')),
    listen('focus-search', () => h.onFocusSearch()),
  ])
  return () =>
    offs.forEach((off) => {
      // `UnlistenFn` is typed void but is async: a window going away may reject it; ignore.
      Promise.resolve()
        .then(() => off() as unknown)
        .catch(() => {})
    })
}

// ---- platform ----

/** Opens the native "choose an image" dialog; resolves to the path, or null if cancelled. */
export async function chooseImageFile(title: string): Promise<string | null> {
  const picked = await open({
    title,
    multiple: false,
    directory: false,
    filters: [{ name: 'Images', extensions: ['png', 'jpg', 'jpeg', 'gif', 'bmp', 'webp'] }],
  })
  return typeof picked === 'string' ? picked : null
}

/** Opens the native "choose a file" dialog for an import or backup file; null if cancelled. */
export async function chooseFile(title: string): Promise<string | null> {
  const picked = await open({ title, multiple: false, directory: false })
  return typeof picked === 'string' ? picked : null
}

/** Opens the native "choose a folder" dialog; null if cancelled. */
export async function chooseFolder(title: string): Promise<string | null> {
  const picked = await open({ title, multiple: false, directory: true })
  return typeof picked === 'string' ? picked : null
}

/** Opens the native save dialog; resolves to the chosen path, or null if cancelled. */
export async function chooseSavePath(title: string, defaultPath: string, extension: string): Promise<string | null> {
  const picked = await save({
    title,
    defaultPath,
    filters: extension ? [{ name: extension.toUpperCase(), extensions: [extension] }] : [],
  })
  return typeof picked === 'string' ? picked : null
}

/** Subscribes to "backup-status" (an automatic backup was written or failed). */
export async function onBackupStatus(h: (s: AutoBackupStatus) => void): Promise<UnlistenFn> {
  try {
    const off = await listen<AutoBackupStatus>('backup-status', (e) => h(e.payload))
    // As in `listenBackend`: the async unlisten may reject when the window goes away.
    return () => {
      Promise.resolve()
        .then(() => off() as unknown)
        .catch(() => {})
    }
  } catch {
    return () => {}
  }
}

/** Calls `onDrop` with the paths of files dropped on the window; resolves to an unsubscribe. */
export async function onFileDrop(
  onDrop: (paths: string[]) => void,
  onHover: (over: boolean) => void,
): Promise<UnlistenFn> {
  try {
    return await getCurrentWebview().onDragDropEvent((e) => {
      const p = e.payload
      if (p.type === 'drop') {
        onHover(false)
        onDrop(p.paths)
      } else if (p.type === 'enter' || p.type === 'over') {
        onHover(true)
      } else {
        onHover(false)
      }
    })
  } catch {
    // Outside a Tauri window (unit tests, a plain browser) there is no webview to listen to.
    return () => {}
  }
}
