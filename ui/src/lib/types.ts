// Mirrors of the Rust view types of the app crate (src-tauri, serde `rename_all = "camelCase"`), as
// fixed by the IPC contract. Times are unix milliseconds. No type here ever holds an OTP secret,
// except the explicit "show" results (`Revealed`, `RecoveryCodeView`, `TransferQr`) and a new
// recovery key (`create_vault`'s `{ recoveryKey }`, `CredentialChange.recoveryKey`).

/** Whether a vault exists and whether its keys are in memory. */
export type VaultState = 'none' | 'locked' | 'unlocked'

/** A way the vault key is wrapped. */
export type SlotKind = 'keychain' | 'password' | 'keychainAndPassword' | 'recoveryKey'

/** What the unlock screen must ask for. */
export type UnlockNeeds = 'nothing' | 'password' | 'passwordOrRecoveryKey'

/** `vault_status()`, `unlock()`, `lock()`, `restore_newer_copy()`, `keep_current_copy()`; in `CredentialChange`. */
export interface VaultStatus {
  state: VaultState
  vaultPath: string
  slots: SlotKind[]
  keychainAvailable: boolean
  keychainError: string | null
  needs: UnlockNeeds
  reason: string | null
  /** The vault file is older than a copy beside it or than this session saw (a rollback). */
  rollback: RollbackInfo | null
}

/** A rollback: an older vault file was put in place (a sync tool, a restore). */
export interface RollbackInfo {
  current: number
  newer: number
  /** Whether a newer copy is at hand (beside the vault, or held by this session), so it can be restored. */
  canRestore: boolean
}

/** What a credential change did (the data key was rotated). */
export interface CredentialChange {
  status: VaultStatus
  /** A new recovery key to show once, when there is one. */
  recoveryKey: string | null
  copiesResealed: number
  copiesRemoved: number
}

/** The OTP family of an account. */
export type Kind = 'totp' | 'hotp' | 'steam'

/** The HMAC hash of an account. */
export type Algorithm = 'SHA1' | 'SHA256' | 'SHA512'

/** One account as the list shows it: labels only, never the secret. */
export interface AccountView {
  id: string
  issuer: string
  name: string
  kind: Kind
  algorithm: Algorithm
  digits: number
  period: number | null
  counter: number | null
  icon: string | null
  tags: string[]
  favourite: boolean
  order: number
  notes: string
  recoveryCodesTotal: number
  recoveryCodesUnused: number
  lastUsedAt: number | null
  createdAt: number
}

/** A code computed by the backend at "now". HOTP: `code` is "" until the first `next_hotp`. */
export interface CodeView {
  id: string
  code: string
  next: string | null
  validFrom: number | null
  validUntil: number | null
  period: number | null
}

/** The list order. */
export type SortMode = 'alpha' | 'manual' | 'recent'

/** The colour scheme. */
export type Theme = 'system' | 'light' | 'dark'

/** App settings (no secrets). */
export interface Settings {
  clipboardTimeoutSecs: number
  autoLockMins: number
  theme: Theme
  closeToTray: boolean
  startMinimised: boolean
  globalShortcut: string | null
  showNextCode: boolean
  sortMode: SortMode
  /** Automatic backups on. */
  autoBackup: boolean
  /** Their folder. */
  autoBackupDir: string | null
  /** How many to keep (1..=1000, default 10). */
  autoBackupKeep: number
}

/** An account found by a scan or typed in, waiting for the user's decision. */
export interface Candidate {
  token: string
  issuer: string
  name: string
  kind: Kind
  algorithm: Algorithm
  digits: number
  period: number | null
  counter: number | null
  duplicateOf: string | null
}

/** A camera `list_cameras` names. */
export interface CameraInfo {
  index: number
  name: string
}

/** `camera-progress`: codes read so far, and how many a transfer batch announced. */
export interface CameraProgress {
  scanned: number
  expected: number | null
  complete: boolean
}

/** What a scan found, and the human-readable problems it met. */
export interface ScanResult {
  candidates: Candidate[]
  messages: string[]
}

/** The user's decision for one candidate. */
export type ImportAction = 'add' | 'skip' | 'replace'

/** One decision sent to `confirm_import`. */
export interface ImportDecision {
  token: string
  action: ImportAction
}

/** How many candidates `confirm_import` added, replaced and skipped. */
export interface ImportOutcome {
  added: number
  replaced: number
  skipped: number
}

/** (SHOW) one recovery code of an account. */
export interface RecoveryCodeView {
  index: number
  code: string
  used: boolean
  usedAt: number | null
}

/** (SHOW) an account's secret, its otpauth URI and a QR code as an SVG document. */
export interface Revealed {
  secret: string
  uri: string
  qrSvg: string
}

/** The editable fields of an account. */
export interface AccountPatch {
  issuer?: string
  name?: string
  icon?: string | null
  tags?: string[]
  notes?: string
  favourite?: boolean
}

/** The fields of the manual entry form, as sent to `validate_manual` / `add_manual`. */
export interface ManualEntry {
  issuer: string
  name: string
  secret: string
  kind: Kind
  algorithm: Algorithm
  digits: number
  period: number | null
  counter: number | null
}

/** `validate_manual` result. */
export interface Validation {
  ok: boolean
  message: string | null
}

/** The kinds of `IpcError`, 1:1 with the Rust enum. */
export type IpcErrorKind =
  | 'locked'
  | 'wrongPassword'
  | 'invalidInput'
  | 'keychain'
  | 'notFound'
  | 'duplicate'
  | 'changedOnDisk'
  | 'damaged'
  | 'cancelled'
  | 'internal'

/** One account of an import file, as the preview shows it (never the secret). */
export interface FileEntry {
  index: number
  issuer: string
  name: string
  kind: Kind
  algorithm: Algorithm
  digits: number
  period: number | null
  counter: number | null
  /** The vault account with the same secret and parameters. */
  duplicateOf: string | null
  /** An earlier entry of the same file has the same secret and parameters. */
  duplicateInFile: boolean
}

/** An entry of an import file that could not be converted. */
export interface SkippedEntry {
  index: number
  label: string
  reason: string
}

/** `read_import_file`: the format, and either "needs a password" or the preview. */
export interface FilePreview {
  importId: string
  format: string
  formatName: string
  needsPassword: boolean
  entries: FileEntry[]
  skipped: SkippedEntry[]
  warnings: string[]
}

/** What to do with imported duplicates of vault accounts. */
export type OnDuplicate = 'skip' | 'replace' | 'keepBoth'

/** `confirm_file_import`. */
export interface FileImportOutcome {
  added: number
  replaced: number
  duplicates: number
  excluded: number
  skipped: SkippedEntry[]
}

/** The export formats' ids. */
export type ExportFormatId = 'twofold' | 'aegis' | 'aegis-plain' | 'uris' | 'google-qr'

/** A file or folder chosen in a native chooser (or dropped): the token commands take. */
export interface Picked {
  token: string
  /** The file or folder name. */
  name: string
  /** The full path, to show. */
  path: string
}

/** How strong a new backup password is, by Rust's rule (`password_strength`). */
export interface Strength {
  /** zxcvbn's score, 0 to 4. */
  score: number
  /** Whether exports and automatic backups accept it. */
  accepted: boolean
  /** Why not, when refused. */
  message: string | null
}

/** An export format (`export_formats`). */
export interface ExportFormat {
  id: ExportFormatId
  name: string
  encrypted: boolean
  /** What the format cannot carry. */
  loses: string[]
  /** What a plain export exposes ("" when encrypted). */
  exposes: string
}

/** `export_vault`. */
export interface ExportOutcome {
  paths: string[]
  accounts: number
}

/** One difference the restore drill found. */
export interface Difference {
  kind: 'missingFromBackup' | 'missingFromVault' | 'changed'
  label: string
  fields: string[]
}

/** `verify_backup`. */
export interface VerifyReport {
  backupAccounts: number
  vaultAccounts: number
  matches: boolean
  differences: Difference[]
  skipped: SkippedEntry[]
}

/** `auto_backup_status` and the "backup-status" event. Times in ms. */
export interface AutoBackupStatus {
  enabled: boolean
  dir: string | null
  keep: number
  hasPassword: boolean
  lastBackupAt: number | null
  lastBackupPath: string | null
  lastError: string | null
  failedAt: number | null
  running: boolean
}

/** (SHOW) `show_transfer_qr`: Google Authenticator transfer QR codes (SVG documents). */
export interface TransferQr {
  codes: string[]
  /** Accounts Google Authenticator cannot hold, left out. */
  leftOut: string[]
}
