// Pure helpers of the import-from-file, export and verify screens (no IPC, no state), so their
// rules are unit-tested: the result summaries, which preview entries are duplicates, what the
// export form still needs, and the restore drill's report line.

import type { AutoBackupStatus, ExportFormat, FileEntry, FileImportOutcome, VerifyReport } from './types'

/** "s" when `n` is not 1. */
function s(n: number): string {
  return n === 1 ? '' : 's'
}

/** The summary after a file import: "Imported 3 accounts; 1 duplicate left out; 2 entries skipped". */
export function fileOutcomeText(o: FileImportOutcome): string {
  const parts: string[] = []
  const imported = o.added + o.replaced
  parts.push(imported === 0 ? 'Nothing imported' : `Imported ${imported} account${s(imported)}`)
  if (o.replaced) parts.push(`${o.replaced} replaced`)
  if (o.duplicates) parts.push(`${o.duplicates} duplicate${s(o.duplicates)} left out`)
  if (o.excluded) parts.push(`${o.excluded} unticked`)
  if (o.skipped.length) parts.push(`${o.skipped.length} entr${o.skipped.length === 1 ? 'y' : 'ies'} skipped`)
  return parts.join('; ')
}

/** Entries of the preview that duplicate a vault account or an earlier entry. */
export function duplicateCount(entries: FileEntry[]): number {
  return entries.filter((e) => e.duplicateOf !== null || e.duplicateInFile).length
}

/** A preview entry's parameters: "TOTP 30 s · 6 digits · SHA1". */
export function entryDetails(e: Pick<FileEntry, 'kind' | 'period' | 'counter' | 'digits' | 'algorithm'>): string {
  const kind = e.kind === 'hotp' ? `HOTP counter ${e.counter ?? 0}` : e.kind === 'steam' ? 'Steam' : `TOTP ${e.period ?? 30} s`
  return `${kind} · ${e.digits} digits · ${e.algorithm}`
}

/** A format's name for the radio list, saying whether it is encrypted unless the name does. */
export function formatLabel(f: Pick<ExportFormat, 'name' | 'encrypted'>): string {
  if (/encrypt|plain/i.test(f.name)) return f.name
  return `${f.name} (${f.encrypted ? 'encrypted' : 'not encrypted'})`
}

/** The file name an export suggests: twofold-backup-2026-11-23.age, twofold-aegis-….json, … */
export function suggestedName(format: ExportFormat['id'], now = new Date()): string {
  const day = now.toISOString().slice(0, 10)
  switch (format) {
    case 'twofold':
      return `twofold-backup-${day}.age`
    case 'aegis':
      return `twofold-aegis-encrypted-${day}.json`
    case 'aegis-plain':
      return `twofold-aegis-PLAIN-${day}.json`
    case 'uris':
      return `twofold-otpauth-PLAIN-${day}.txt`
    case 'google-qr':
      return `twofold-google-transfer-${day}.png`
  }
}

/** The extension of `suggestedName`. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot < 0 ? '' : name.slice(dot + 1)
}

/**
 * What the export form still needs before it can write, or null: a path, and for encrypted
 * formats an accepted password (`backupPasswordProblem` from lib/strength.ts, Rust's verdict); for plain formats the
 * ticked confirmation and, on a password vault, the vault password.
 */
export function exportProblem(a: {
  format: ExportFormat
  /** Whether a destination was chosen in the native chooser. */
  chosen: boolean
  passwordProblem: string | null
  confirmPlain: boolean
  vaultHasPassword: boolean
  vaultPassword: string
}): string | null {
  if (a.format.encrypted) {
    if (a.passwordProblem) return a.passwordProblem
  } else if (!a.confirmPlain) {
    return 'Tick the box to confirm you understand what this file exposes'
  }
  // Every export of a password vault needs the vault password (issue 11 item 4).
  if (a.vaultHasPassword && a.vaultPassword === '') return 'Enter the vault password'
  if (!a.chosen) return 'Choose where to save the file'
  return null
}

/** The restore drill's headline: "Matches: 12 accounts" or "3 differences". */
export function verifyHeadline(r: VerifyReport): string {
  if (r.matches) return `Matches: ${r.backupAccounts} account${s(r.backupAccounts)}`
  const n = r.differences.length + r.skipped.length
  return `${n} difference${s(n)} between the backup (${r.backupAccounts}) and the vault (${r.vaultAccounts})`
}

/** One difference in words. */
export function differenceText(d: VerifyReport['differences'][number]): string {
  switch (d.kind) {
    case 'missingFromBackup':
      return `${d.label}: in the vault, not in the backup`
    case 'missingFromVault':
      return `${d.label}: in the backup, not in the vault`
    case 'changed':
      return `${d.label}: differs in ${d.fields.join(', ')}`
  }
}

/** The automatic backups' status line: "Last backup: … / Backup failed: …". */
export function autoBackupLine(st: AutoBackupStatus | null, now = Date.now()): string {
  if (!st) return 'Automatic backups: …'
  if (st.running) return 'Backing up…'
  const when = (ms: number) => {
    const mins = Math.round((now - ms) / 60_000)
    if (mins < 1) return 'just now'
    if (mins < 60) return `${mins} min ago`
    return new Date(ms).toLocaleString()
  }
  const last = st.lastBackupAt !== null ? `last backup ${when(st.lastBackupAt)}${st.lastBackupPath ? ` (${st.lastBackupPath})` : ''}` : 'no backup yet'
  if (st.lastError) return `Backup failed${st.failedAt !== null ? ` ${when(st.failedAt)}` : ''}: ${st.lastError}; ${last}`
  if (!st.enabled) return `Automatic backups are off; ${last}`
  if (!st.hasPassword) return `Set a password for automatic backups; ${last}`
  return `${last.charAt(0).toUpperCase()}${last.slice(1)}`
}
