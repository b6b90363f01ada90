// Import from file, export and backups (issue 5): the strength gate of backup passwords, the
// summaries, the export form's rules, and the file-import screen against a fake backend (the
// password step, the preview with duplicates and skipped entries, the confirm call).
import { render, screen, waitFor, within } from '@testing-library/svelte'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { accounts } from '../src/lib/state/accounts.svelte'
import { toast } from '../src/lib/state/toast.svelte'
import { ui } from '../src/lib/state/ui.svelte'
import { backupPasswordProblem, judge, strengthOf } from '../src/lib/strength'
import {
  autoBackupLine,
  differenceText,
  duplicateCount,
  exportProblem,
  fileOutcomeText,
  formatLabel,
  suggestedName,
  verifyHeadline,
} from '../src/lib/transfer'
import type { AutoBackupStatus, ExportFormat, FileEntry, FilePreview } from '../src/lib/types'
import Export from '../src/views/Export.svelte'
import ImportFile from '../src/views/ImportFile.svelte'
import { account, fakeBackend, STRENGTH_CASES, strengthAnswer } from './fake'

afterEach(() => {
  accounts.clear()
  ui.close()
  toast.dismiss()
})

describe('backup password strength', () => {
  it('asks Rust and keeps its verdict only for the text it judged', async () => {
    const fake = fakeBackend({})
    const good = 'tulip orbit cascade walnut ferry'
    const j = await judge(good)
    expect(fake.last('password_strength')).toEqual({ password: good })
    expect(strengthOf(j, good)?.accepted).toBe(true)
    expect(strengthOf(j, good + 'x')).toBeNull()
    expect(strengthOf(null, good)).toBeNull()
  })

  it('gates on empty, unjudged, refused, then mismatched passwords', () => {
    expect(backupPasswordProblem('', '', null)).toMatch(/enter a backup password/i)
    expect(backupPasswordProblem('password', 'password', null)).toMatch(/checking/i)
    expect(backupPasswordProblem('password', 'password', strengthAnswer('password'))).toMatch(/too easy to guess/)
    const good = 'tulip orbit cascade walnut ferry'
    const ok = strengthAnswer(good)
    expect(backupPasswordProblem(good, good.slice(1), ok)).toMatch(/do not match/)
    expect(backupPasswordProblem(good, good, ok)).toBeNull()
  })

  it('follows the shared table for every case (the form gates on Rust\'s verdict alone)', () => {
    expect(STRENGTH_CASES.length).toBeGreaterThanOrEqual(10)
    for (const c of STRENGTH_CASES) {
      if (c.password === '') continue
      const problem = backupPasswordProblem(c.password, c.password, strengthAnswer(c.password))
      expect(problem === null, c.password).toBe(c.accepted)
    }
  })
})

const TWOFOLD: ExportFormat = { id: 'twofold', name: 'Twofold backup', encrypted: true, loses: [], exposes: '' }
const URIS: ExportFormat = {
  id: 'uris',
  name: 'otpauth URI list',
  encrypted: false,
  loses: ['notes', 'recovery codes'],
  exposes: 'every secret in plain text',
}

describe('export form rules', () => {
  const base = { chosen: true, passwordProblem: null, confirmPlain: false, vaultHasPassword: false, vaultPassword: '' }
  it('encrypted formats need an accepted password, plain ones a confirmation, every one the vault password', () => {
    expect(exportProblem({ ...base, format: TWOFOLD, passwordProblem: 'weak' })).toBe('weak')
    expect(exportProblem({ ...base, format: TWOFOLD })).toBeNull()
    expect(exportProblem({ ...base, format: URIS })).toMatch(/tick the box/i)
    expect(exportProblem({ ...base, format: URIS, confirmPlain: true })).toBeNull()
    expect(exportProblem({ ...base, format: URIS, confirmPlain: true, vaultHasPassword: true })).toMatch(/vault password/)
    // Encrypted exports too (issue 11 item 4: the page could pick its own backup password).
    expect(exportProblem({ ...base, format: TWOFOLD, vaultHasPassword: true })).toMatch(/vault password/)
    expect(exportProblem({ ...base, format: TWOFOLD, chosen: false })).toMatch(/where to save/)
  })

  it('labels formats once as encrypted or not', () => {
    expect(formatLabel({ name: 'Aegis (encrypted)', encrypted: true })).toBe('Aegis (encrypted)')
    expect(formatLabel(TWOFOLD)).toBe('Twofold backup (encrypted)')
    expect(formatLabel(URIS)).toBe('otpauth URI list (not encrypted)')
  })

  it('suggests a dated file name per format', () => {
    const day = new Date('2026-11-23T10:00:00Z')
    expect(suggestedName('twofold', day)).toBe('twofold-backup-2026-11-23.age')
    expect(suggestedName('aegis-plain', day)).toMatch(/PLAIN.*\.json$/)
  })
})

describe('summaries', () => {
  it('says what a file import did', () => {
    expect(fileOutcomeText({ added: 3, replaced: 0, duplicates: 1, excluded: 0, skipped: [] })).toBe(
      'Imported 3 accounts; 1 duplicate left out',
    )
    expect(
      fileOutcomeText({ added: 0, replaced: 0, duplicates: 0, excluded: 2, skipped: [{ index: 0, label: 'a', reason: 'b' }] }),
    ).toBe('Nothing imported; 2 unticked; 1 entry skipped')
  })

  it('reports the restore drill', () => {
    const ok = { backupAccounts: 2, vaultAccounts: 2, matches: true, differences: [], skipped: [] }
    expect(verifyHeadline(ok)).toBe('Matches: 2 accounts')
    const diff = { kind: 'changed' as const, label: 'GitHub', fields: ['counter', 'notes'] }
    expect(verifyHeadline({ ...ok, matches: false, differences: [diff] })).toMatch(/^1 difference /)
    expect(differenceText(diff)).toBe('GitHub: differs in counter, notes')
  })

  it('shows a failed automatic backup in the status line', () => {
    const st: AutoBackupStatus = {
      enabled: true,
      dir: '/b',
      keep: 10,
      hasPassword: true,
      lastBackupAt: null,
      lastBackupPath: null,
      lastError: 'backup folder /b: permission denied',
      failedAt: 1000,
      running: false,
    }
    expect(autoBackupLine(st, 1000)).toMatch(/^Backup failed just now: backup folder \/b: permission denied/)
    expect(autoBackupLine({ ...st, lastError: null, failedAt: null, lastBackupAt: 1000 - 5 * 60_000 }, 1000)).toBe(
      'Last backup 5 min ago',
    )
    expect(autoBackupLine({ ...st, lastError: null, hasPassword: false }, 1000)).toMatch(/^Set a password/)
  })
})

function entry(index: number, issuer: string, extra: Partial<FileEntry> = {}): FileEntry {
  return {
    index,
    issuer,
    name: 'user',
    kind: 'totp',
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    counter: null,
    duplicateOf: null,
    duplicateInFile: false,
    ...extra,
  }
}

const PREVIEW: FilePreview = {
  importId: 'imp-1',
  format: 'aegis',
  formatName: 'Aegis',
  needsPassword: false,
  entries: [entry(0, 'Deno'), entry(1, 'GitHub', { duplicateOf: 'gh' }), entry(2, 'SPDX')],
  skipped: [{ index: 3, label: 'Broken (x)', reason: 'invalid secret' }],
  warnings: ['batch 2 of 3 is missing'],
}

describe('import from file', () => {
  it('counts duplicates of the vault and of the file', () => {
    expect(duplicateCount(PREVIEW.entries)).toBe(1)
    expect(duplicateCount([...PREVIEW.entries, entry(4, 'Deno', { duplicateInFile: true })])).toBe(2)
  })

  it('asks for the password of an encrypted file, previews without secrets, and confirms', async () => {
    let reads = 0
    const fake = fakeBackend({
      accounts: [account('gh', 'GitHub', 'alice')],
      overrides: {
        choose_path: () => ({ token: 'tok-aegis', name: 'aegis.json', path: '/tmp/aegis.json' }),
        read_import_file: (a) => {
          reads++
          if (a.password === null) return { ...PREVIEW, importId: '', needsPassword: true, entries: [], skipped: [], warnings: [] }
          if (a.password !== 'test') throw { kind: 'wrongPassword', message: 'wrong password for this Aegis file' }
          return PREVIEW
        },
        confirm_file_import: () => ({ added: 1, replaced: 0, duplicates: 1, excluded: 1, skipped: PREVIEW.skipped }),
      },
    })
    await accounts.load()
    const user = userEvent.setup()
    render(ImportFile)
    // Reading before anything is chosen says so.
    await user.click(screen.getByTestId('file-import-read'))
    expect((await screen.findByTestId('file-import-error')).textContent).toMatch(/Choose a file/)
    expect(fake.count('read_import_file')).toBe(0)
    // The native chooser is Rust's; the page gets a token and a name, never a path to send.
    await user.click(screen.getByTestId('file-import-choose'))
    expect(fake.last('choose_path')).toEqual({ purpose: 'importFile', suggestedName: null })
    const pw = await screen.findByTestId('file-import-password')
    expect(screen.getByTestId('file-import-path').textContent).toBe('aegis.json')
    expect(screen.getByTestId('file-import-format').textContent).toContain('encrypted Aegis file')
    await user.type(pw, 'nope')
    await user.click(screen.getByTestId('file-import-read'))
    expect((await screen.findByTestId('file-import-error')).textContent).toMatch(/wrong password/)
    await user.clear(screen.getByTestId('file-import-password'))
    await user.type(screen.getByTestId('file-import-password'), 'test')
    await user.click(screen.getByTestId('file-import-read'))

    const rows = await screen.findAllByTestId('file-entry')
    expect(reads).toBe(3)
    expect(fake.last('read_import_file')).toEqual({ token: 'tok-aegis', password: 'test' })
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining('Deno'),
      expect.stringContaining('Already in the vault as GitHub · alice'),
      expect.stringContaining('SPDX'),
    ])
    expect(screen.getByTestId('file-import-skipped').textContent).toContain('Broken (x): invalid secret')
    expect(screen.getByTestId('file-import-warning').textContent).toBe('batch 2 of 3 is missing')

    // Untick SPDX, replace duplicates, import.
    await user.click(within(rows[2]).getByTestId('file-entry-select'))
    await user.selectOptions(screen.getByTestId('file-import-duplicates'), 'replace')
    expect(screen.getByTestId('file-import-confirm').textContent).toBe('Import 2')
    await user.click(screen.getByTestId('file-import-confirm'))
    await waitFor(() =>
      expect(fake.last('confirm_file_import')).toEqual({ importId: 'imp-1', onDuplicate: 'replace', exclude: [2] }),
    )
    expect((await screen.findByTestId('file-import-result')).textContent).toBe(
      'Imported 1 account; 1 duplicate left out; 1 unticked; 1 entry skipped',
    )
  })
})

describe('a dropped export file', () => {
  it('is read once, at once, and previewed', async () => {
    const fake = fakeBackend({ overrides: { read_import_file: () => PREVIEW } })
    render(ImportFile, { initial: { token: 'tok-drop', name: 'dropped.json', path: '/tmp/dropped.json' } })
    expect(await screen.findAllByTestId('file-entry')).toHaveLength(3)
    await new Promise((r) => setTimeout(r, 50))
    expect(fake.count('read_import_file')).toBe(1)
    expect(fake.last('read_import_file')).toEqual({ token: 'tok-drop', password: null })
  })
})

describe('a file being read', () => {
  it('can be stopped; the late answer is dropped and its pending import cancelled', async () => {
    // See: issue 11 item 3 (the app's import could not be cancelled).
    let answer: (p: FilePreview) => void = () => {}
    const fake = fakeBackend({
      overrides: {
        read_import_file: () => new Promise<FilePreview>((resolve) => (answer = resolve)),
        cancel_file_import: () => null,
      },
    })
    render(ImportFile, { initial: { token: 'tok-h', name: 'hostile.json', path: '/tmp/hostile.json' } })
    const stop = await screen.findByTestId('file-import-stop')
    await userEvent.setup().click(stop)
    expect(screen.queryByTestId('file-import-busy')).toBeNull()
    expect(screen.getByTestId('file-import-error').textContent).toMatch(/Stopped/)
    answer(PREVIEW)
    await waitFor(() => expect(fake.last('cancel_file_import')).toEqual({ importId: 'imp-1' }))
    expect(screen.queryAllByTestId('file-entry')).toHaveLength(0)
  })
})

describe('export screen', () => {
  it('lists what the format loses, refuses a weak backup password, then exports with a strong one', async () => {
    const fake = fakeBackend({
      overrides: {
        export_formats: () => [TWOFOLD, URIS],
        choose_path: () => ({ token: 'tok-b', name: 'b.age', path: '/tmp/b.age' }),
        export_vault: () => ({ paths: ['/tmp/b.age'], accounts: 3 }),
      },
    })
    const user = userEvent.setup()
    render(Export)
    await user.click(await screen.findByTestId('export-format-uris'))
    expect(screen.getByTestId('export-loses').textContent).toContain('cannot carry: notes, recovery codes')
    expect(screen.getByTestId('export-exposes').textContent).toBe('every secret in plain text')
    await user.click(screen.getByTestId('export-format-twofold'))
    await user.type(screen.getByTestId('export-password'), 'password')
    await user.type(screen.getByTestId('export-password-repeat'), 'password')
    await user.click(screen.getByTestId('export-choose'))
    expect(fake.last('choose_path')?.purpose).toBe('exportFile')
    expect(String(fake.last('choose_path')?.suggestedName)).toMatch(/^twofold-backup-/)
    await waitFor(() => expect(screen.getByTestId('export-path').textContent).toBe('/tmp/b.age'))
    await user.click(screen.getByTestId('export-submit'))
    expect((await screen.findByTestId('export-error')).textContent).toMatch(/too easy to guess/)
    expect(fake.count('export_vault')).toBe(0)
    expect(screen.getByTestId('export-strength').dataset.accepted).toBe('false')

    const good = 'tulip orbit cascade walnut ferry'
    await user.clear(screen.getByTestId('export-password'))
    await user.type(screen.getByTestId('export-password'), good)
    await user.clear(screen.getByTestId('export-password-repeat'))
    await user.type(screen.getByTestId('export-password-repeat'), good)
    await waitFor(() => expect(screen.getByTestId('export-strength').dataset.accepted).toBe('true'))
    await user.click(screen.getByTestId('export-submit'))
    await waitFor(() =>
      expect(fake.last('export_vault')).toEqual({
        format: 'twofold',
        token: 'tok-b',
        password: good,
        vaultPassword: null,
        confirmPlain: false,
      }),
    )
    expect((await screen.findByTestId('export-done')).textContent).toContain('/tmp/b.age')
  })
})
