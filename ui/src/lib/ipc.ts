// The only module that talks to the backend: typed wrappers over the app's commands (IPC contract,
// docs/ipc.md), the backend events, and file drops. Components never call `invoke`; they go through
// the state modules, which call these functions. Arguments are camelCase keys; Tauri maps them to
// the Rust snake_case parameters. Files are never named by path here: Rust shows the native
// choosers (`choosePath`) and tells the page about dropped files, handing out opaque tokens that
// the commands take (issue 11 item 4; docs/ipc.md "Path tokens").

import { invoke } from '@tauri-apps/api/core'
import { listen, type UnlistenFn } from '@tauri-apps/api/event'
import { getCurrentWebview } from '@tauri-apps/api/webview'
import type {
  AutoBackupStatus,
  CameraInfo,
  CameraProgress,
  ExportFormat,
  ExportFormatId,
  ExportOutcome,
  FileImportOutcome,
  FilePreview,
  OnDuplicate,
  Picked,
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
  'cancelled',
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
export const keepCurrentCopy = () => call<VaultStatus>('keep_current_copy')
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
/** (SHOW) after a native confirmation; `password` when the vault has one. */
export const listRecoveryCodes = (id: string, password: string | null) =>
  call<RecoveryCodeView[]>('list_recovery_codes', { id, password })
export const addRecoveryCodes = (id: string, text: string) =>
  call<AccountView>('add_recovery_codes', { id, text })
export const setRecoveryCodeUsed = (id: string, index: number, used: boolean) =>
  call<AccountView>('set_recovery_code_used', { id, index, used })
export const revealSecret = (id: string, password: string | null) =>
  call<Revealed>('reveal_secret', { id, password })

// ---- import ----
export const scanImageFile = (token: string) => call<ScanResult>('scan_image_file', { token })
export const scanImageBytes = (bytes: Uint8Array) =>
  call<ScanResult>('scan_image_bytes', { bytes: Array.from(bytes) })
export const scanScreen = () => call<ScanResult>('scan_screen')
export const scanClipboard = () => call<ScanResult>('scan_clipboard')
export const listCameras = () => call<CameraInfo[]>('list_cameras')
/** Resolves when a code (or a whole transfer batch) is read; empty when stopped. */
export const scanCamera = (device: number | null) => call<ScanResult>('scan_camera', { device })
export const stopCamera = () => call<boolean>('stop_camera')
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
export const readImportFile = (token: string, password: string | null) =>
  call<FilePreview>('read_import_file', { token, password })
export const confirmFileImport = (importId: string, onDuplicate: OnDuplicate, exclude: number[]) =>
  call<FileImportOutcome>('confirm_file_import', { importId, onDuplicate, exclude })
export const cancelFileImport = (importId: string) => call<void>('cancel_file_import', { importId })
export const exportFormats = () => call<ExportFormat[]>('export_formats')
export const passwordStrength = (password: string) => call<Strength>('password_strength', { password })
export const exportVault = (a: {
  format: ExportFormatId
  token: string
  password: string | null
  vaultPassword: string | null
  confirmPlain: boolean
}) => call<ExportOutcome>('export_vault', { ...a })
/** (SHOW) the Google Authenticator transfer QR codes, SVG documents. */
export const showTransferQr = (vaultPassword: string | null, confirmPlain: boolean) =>
  call<TransferQr>('show_transfer_qr', { vaultPassword, confirmPlain })
export const verifyBackup = (token: string, password: string) =>
  call<VerifyReport>('verify_backup', { token, password })
export const autoBackupStatus = () => call<AutoBackupStatus>('auto_backup_status')
export const setAutoBackupPassword = (password: string | null, vaultPassword: string | null) =>
  call<AutoBackupStatus>('set_auto_backup_password', { password, vaultPassword })
/** Sets the automatic backups' folder to a chosen one (`token`), or clears it (`null`). */
export const setAutoBackupFolder = (token: string | null, vaultPassword: string | null) =>
  call<AutoBackupStatus>('set_auto_backup_folder', { token, vaultPassword })
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

/** The camera dialog's events. */
export interface CameraEvents {
  onStarted: () => void
  onPreview: (url: string) => void
  onProgress: (p: CameraProgress) => void
}

/** Subscribes to "camera-started", "camera-preview" and "camera-progress". */
export async function listenCamera(h: CameraEvents): Promise<UnlistenFn> {
  const offs = await Promise.all([
    listen('camera-started', () => h.onStarted()),
    listen<{ url: string }>('camera-preview', (e) => h.onPreview(e.payload.url)),
    listen<CameraProgress>('camera-progress', (e) => h.onProgress(e.payload)),
  ])
  return () =>
    offs.forEach((off) => {
      Promise.resolve()
        .then(() => off() as unknown)
        .catch(() => {})
    })
}

// ---- platform ----

/** What a native chooser is for (Rust picks its title and kind). */
export type PathPurpose = 'importFile' | 'imageFile' | 'backupFile' | 'exportFile' | 'backupFolder'

/**
 * Shows the native chooser for `purpose` (Rust opens it); resolves to the chosen path's token
 * and names, or null if cancelled. `suggestedName` is the file name offered for `exportFile`.
 */
export const choosePath = (purpose: PathPurpose, suggestedName: string | null = null) =>
  call<Picked | null>('choose_path', { purpose, suggestedName })

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

/**
 * Calls `onDrop` with the files dropped on the window (tokens and names from Rust, which the OS
 * tells the paths; the page never handles a path) and `onHover` while a drag is over it;
 * resolves to an unsubscribe.
 */
export async function onFileDrop(onDrop: (files: Picked[]) => void, onHover: (over: boolean) => void): Promise<UnlistenFn> {
  const offs: UnlistenFn[] = []
  try {
    offs.push(await listen<Picked[]>('files-dropped', (e) => onDrop(e.payload)))
    offs.push(
      await getCurrentWebview().onDragDropEvent((e) => {
        const t = e.payload.type
        onHover(t === 'enter' || t === 'over')
      }),
    )
  } catch {
    // Outside a Tauri window (unit tests, a plain browser) there is nothing to listen to.
  }
  return () =>
    offs.forEach((off) => {
      Promise.resolve()
        .then(() => off() as unknown)
        .catch(() => {})
    })
}
