// The window against a fake backend: screens by vault state, the account list, copy, search,
// keyboard navigation, first run, unlock and the manual entry's live validation.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte'
import userEvent from '@testing-library/user-event'
import { emit } from '@tauri-apps/api/event'
import { afterEach, describe, expect, it } from 'vitest'
import App from '../src/App.svelte'
import { accounts } from '../src/lib/state/accounts.svelte'
import { toast } from '../src/lib/state/toast.svelte'
import { ui } from '../src/lib/state/ui.svelte'
import { vault } from '../src/lib/state/vault.svelte'
import { account, fakeBackend, status, totpCode } from './fake'

afterEach(() => {
  accounts.clear()
  ui.close()
  ui.addTab = 'file'
  toast.dismiss()
  vault.status = null
  vault.lockReason = null
})

const LIST = [
  account('gh', 'GitHub', 'alice@example.com'),
  account('gl', 'GitLab', 'bob'),
  account('acme', 'Acme', 'carol', { kind: 'hotp', period: null, counter: 0 }),
]
const CODES = [totpCode('gh', '123456'), totpCode('gl', '654321'), { id: 'acme', code: '', next: null, validFrom: null, validUntil: null, period: null }]

async function renderList() {
  const fake = fakeBackend({ accounts: LIST, codes: CODES })
  render(App)
  await screen.findAllByTestId('account-row')
  return fake
}

describe('account list', () => {
  it('shows issuer, name, grouped code with the raw code as data-code, and a countdown', async () => {
    await renderList()
    const rows = screen.getAllByTestId('account-row')
    expect(rows.map((r) => r.dataset.id)).toEqual(['acme', 'gh', 'gl'])
    const gh = within(rows[1])
    expect(gh.getByTestId('account-issuer').textContent).toBe('GitHub')
    expect(gh.getByTestId('account-name').textContent).toBe('alice@example.com')
    const code = gh.getByTestId('code')
    expect(code.textContent).toBe('123 456')
    expect(code.dataset.code).toBe('123456')
    expect(gh.getByTestId('countdown').getAttribute('aria-hidden')).toBe('true')
    // HOTP: a "next code" button, no countdown.
    const acme = within(rows[0])
    expect(acme.getByTestId('hotp-next')).toBeTruthy()
    expect(acme.queryByTestId('countdown')).toBeNull()
  })

  it('copies with Enter on the focused row and shows a toast', async () => {
    const fake = await renderList()
    const main = within(screen.getAllByTestId('account-row')[1]).getByRole('gridcell', { name: /GitHub/ })
    main.focus()
    await fireEvent.keyDown(main, { key: 'Enter' })
    await waitFor(() => expect(fake.last('copy_code')).toEqual({ id: 'gh' }))
    expect((await screen.findByTestId('toast')).textContent).toMatch(/GitHub code copied; clipboard clears in 30 s/)
    // The toast never holds the code.
    expect(screen.getByTestId('toast').textContent).not.toContain('123')
  })

  it('copies on click', async () => {
    const fake = await renderList()
    await userEvent.click(within(screen.getAllByTestId('account-row')[2]).getByTestId('code'))
    await waitFor(() => expect(fake.last('copy_code')).toEqual({ id: 'gl' }))
  })

  it('filters as you type in the search box, and shows the empty state for no match', async () => {
    await renderList()
    const user = userEvent.setup()
    await user.type(screen.getByTestId('search'), 'gitl')
    expect(screen.getAllByTestId('account-row').map((r) => r.dataset.id)).toEqual(['gl'])
    await user.clear(screen.getByTestId('search'))
    await user.type(screen.getByTestId('search'), 'zzz')
    expect(screen.queryAllByTestId('account-row')).toHaveLength(0)
    expect(screen.getByTestId('empty-state').textContent).toContain('No account matches')
  })

  it('sends typing anywhere to the search box', async () => {
    await renderList()
    await userEvent.keyboard('hub')
    const search = screen.getByTestId('search') as HTMLInputElement
    expect(search.value).toBe('hub')
    expect(document.activeElement).toBe(search)
    expect(screen.getAllByTestId('account-row').map((r) => r.dataset.id)).toEqual(['gh'])
  })

  it('moves focus with the arrow keys (roving tabindex)', async () => {
    await renderList()
    const user = userEvent.setup()
    await user.click(screen.getByTestId('search'))
    await user.keyboard('{ArrowDown}')
    const cells = () => screen.getAllByRole('gridcell', { name: /Press Enter to copy/ })
    expect(document.activeElement).toBe(cells()[0])
    await user.keyboard('{ArrowDown}')
    expect(document.activeElement).toBe(cells()[1])
    expect(cells().map((c) => c.tabIndex)).toEqual([-1, 0, -1])
    await user.keyboard('{ArrowRight}')
    expect((document.activeElement as HTMLElement).dataset.testid).toBe('favourite-toggle')
  })

  it('asks the backend for the next HOTP code', async () => {
    const fake = fakeBackend({
      accounts: LIST,
      codes: CODES,
      overrides: { next_hotp: () => ({ id: 'acme', code: '755224', next: null, validFrom: null, validUntil: null, period: null }) },
    })
    render(App)
    await userEvent.click(await screen.findByTestId('hotp-next'))
    await waitFor(() => expect(fake.last('next_hotp')).toEqual({ id: 'acme' }))
    const row = screen.getAllByTestId('account-row').find((r) => r.dataset.id === 'acme')!
    await waitFor(() => expect(within(row).getByTestId('code').dataset.code).toBe('755224'))
  })

  it('pins a favourite to the top', async () => {
    const fake = fakeBackend({
      accounts: LIST,
      codes: CODES,
      overrides: { update_account: (a) => ({ ...LIST[2 - 1], ...(a.patch as object) }) },
    })
    render(App)
    const rows = await screen.findAllByTestId('account-row')
    await userEvent.click(within(rows[2]).getByTestId('favourite-toggle'))
    await waitFor(() => expect(fake.last('update_account')).toEqual({ id: 'gl', patch: { favourite: true } }))
    await waitFor(() => expect(screen.getAllByTestId('account-row')[0].dataset.id).toBe('gl'))
  })

  it('shows the empty state for a new vault', async () => {
    fakeBackend({ accounts: [], codes: [] })
    render(App)
    expect((await screen.findByText('No accounts yet')).closest('[data-testid="empty-state"]')).toBeTruthy()
  })
})

describe('first run', () => {
  it('creates a keychain vault, shows the recovery key once, and needs the acknowledgement', async () => {
    const fake = fakeBackend({
      vault: status('none', { slots: [] }),
      overrides: { create_vault: () => ({ recoveryKey: 'ABCD-EFGH-IJKL' }) },
    })
    render(App)
    const user = userEvent.setup()
    await screen.findByTestId('create-use-keychain')
    expect((screen.getByTestId('create-use-keychain') as HTMLInputElement).checked).toBe(true)
    await user.click(screen.getByTestId('create-submit'))
    expect(fake.last('create_vault')).toEqual({ password: null, useKeychain: true })
    expect((await screen.findByTestId('recovery-key')).textContent).toBe('ABCD-EFGH-IJKL')
    const cont = screen.getByTestId('recovery-continue') as HTMLButtonElement
    expect(cont.disabled).toBe(true)
    await user.click(screen.getByTestId('recovery-ack'))
    expect(cont.disabled).toBe(false)
  })

  it('requires matching passwords and a password without the keychain', async () => {
    const fake = fakeBackend({ vault: status('none', { slots: [] }) })
    render(App)
    const user = userEvent.setup()
    await user.click(await screen.findByTestId('create-use-keychain'))
    await user.click(screen.getByTestId('create-submit'))
    expect((await screen.findByRole('alert')).textContent).toMatch(/Choose a password/)
    await user.type(screen.getByTestId('create-password'), 'one')
    await user.type(screen.getByTestId('create-password-confirm'), 'two')
    await user.click(screen.getByTestId('create-submit'))
    expect(screen.getByRole('alert').textContent).toBe('The passwords do not match')
    expect(fake.count('create_vault')).toBe(0)
  })
})

describe('unlock', () => {
  it('shows the reason, reports a wrong password, and clears the field', async () => {
    fakeBackend({
      vault: status('locked', { reason: 'The keychain is locked', needs: 'passwordOrRecoveryKey' }),
      overrides: {
        unlock: () => {
          throw { kind: 'wrongPassword', message: 'wrong password' }
        },
      },
    })
    render(App)
    expect((await screen.findByTestId('unlock-reason')).textContent).toBe('The keychain is locked')
    const user = userEvent.setup()
    await user.type(screen.getByTestId('unlock-password'), 'nope')
    await user.click(screen.getByTestId('unlock-submit'))
    expect((await screen.findByTestId('unlock-error')).textContent).toBe('Wrong password')
    expect((screen.getByTestId('unlock-password') as HTMLInputElement).value).toBe('')
  })

  it('unlocks with the recovery key and shows the list', async () => {
    const fake = fakeBackend({
      vault: status('locked', { needs: 'passwordOrRecoveryKey' }),
      accounts: LIST,
      codes: CODES,
    })
    render(App)
    const user = userEvent.setup()
    await user.click(await screen.findByTestId('unlock-recovery-toggle'))
    await user.type(screen.getByTestId('unlock-recovery-key'), ' RK-1 ')
    await user.click(screen.getByTestId('unlock-submit'))
    expect(fake.last('unlock')).toEqual({ password: null, recoveryKey: 'RK-1' })
    expect(await screen.findAllByTestId('account-row')).toHaveLength(3)
  })
})

describe('add account, manual tab', () => {
  it('validates live and adds a single new account directly', async () => {
    const fake = fakeBackend({
      accounts: [],
      codes: [],
      overrides: {
        add_manual: () => ({
          candidates: [
            { token: 't1', issuer: 'Acme', name: 'me', kind: 'totp', algorithm: 'SHA1', digits: 6, period: 30, counter: null, duplicateOf: null },
          ],
          messages: [],
        }),
        confirm_import: () => ({ added: 1, replaced: 0, skipped: 0 }),
      },
    })
    render(App)
    const user = userEvent.setup()
    await user.click(await screen.findByTestId('add-account'))
    expect(screen.getByTestId('add-dialog')).toBeTruthy()
    await user.click(screen.getByTestId('tab-manual'))
    await user.type(screen.getByTestId('manual-name'), 'me')
    await user.type(screen.getByTestId('manual-secret'), 'JBSW0')
    expect(screen.getByTestId('manual-error').textContent).toMatch(/"0" is not a base32 character/)
    await user.clear(screen.getByTestId('manual-secret'))
    await user.type(screen.getByTestId('manual-secret'), 'JBSWY3DPEHPK3PXP')
    expect(screen.getByTestId('manual-error').textContent).toBe('')
    await user.click(screen.getByTestId('manual-advanced'))
    await user.clear(screen.getByTestId('manual-digits'))
    await user.type(screen.getByTestId('manual-digits'), '9')
    expect(screen.getByTestId('manual-error').textContent).toBe('Digits must be 6, 7 or 8')
    await user.clear(screen.getByTestId('manual-digits'))
    await user.type(screen.getByTestId('manual-digits'), '6')
    await user.type(screen.getByTestId('manual-issuer'), 'Acme')
    await user.click(screen.getByTestId('manual-submit'))
    await waitFor(() => expect(fake.last('confirm_import')).toEqual({ decisions: [{ token: 't1', action: 'add' }] }))
    expect(fake.last('add_manual')).toEqual({
      issuer: 'Acme',
      name: 'me',
      secret: 'JBSWY3DPEHPK3PXP',
      kind: 'totp',
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      counter: null,
    })
    expect((await screen.findByTestId('toast')).textContent?.trim()).toBe('Added 1')
    expect(screen.queryByTestId('add-dialog')).toBeNull()
  })

  it('opens the preview for a scan, with skip/replace for duplicates', async () => {
    const fake = fakeBackend({
      accounts: LIST,
      codes: CODES,
      overrides: {
        choose_path: () => ({ token: 'tok-qr', name: 'qr.png', path: '/tmp/qr.png' }),
        scan_image_file: () => ({
          candidates: [
            { token: 'a', issuer: 'New', name: 'x', kind: 'totp', algorithm: 'SHA1', digits: 6, period: 30, counter: null, duplicateOf: null },
            { token: 'b', issuer: 'GitHub', name: 'alice@example.com', kind: 'totp', algorithm: 'SHA1', digits: 6, period: 30, counter: null, duplicateOf: 'gh' },
          ],
          messages: ['QR 3: not an otpauth code'],
        }),
        confirm_import: () => ({ added: 1, replaced: 1, skipped: 0 }),
      },
    })
    render(App)
    const user = userEvent.setup()
    await user.click(await screen.findByTestId('add-account'))
    await user.click(screen.getByTestId('file-choose'))
    expect(fake.last('choose_path')).toEqual({ purpose: 'imageFile', suggestedName: null })
    await waitFor(() => expect(fake.last('scan_image_file')).toEqual({ token: 'tok-qr' }))
    expect(await screen.findAllByTestId('candidate')).toHaveLength(2)
    expect(screen.getByTestId('scan-message').textContent).toBe('QR 3: not an otpauth code')
    const dup = screen.getByTestId('candidate-duplicate') as HTMLSelectElement
    expect(dup.value).toBe('skip')
    await user.selectOptions(dup, 'replace')
    await user.click(screen.getByTestId('import-confirm'))
    await waitFor(() =>
      expect(fake.last('confirm_import')).toEqual({
        decisions: [
          { token: 'a', action: 'add' },
          { token: 'b', action: 'replace' },
        ],
      }),
    )
  })
})

describe('window keys and backend events', () => {
  it('scans the clipboard on Ctrl+V outside text fields and opens the preview', async () => {
    const fake = fakeBackend({
      accounts: LIST,
      codes: CODES,
      overrides: {
        scan_clipboard: () => ({
          candidates: [{ token: 'p', issuer: 'Pasted', name: 'x', kind: 'totp', algorithm: 'SHA1', digits: 6, period: 30, counter: null, duplicateOf: null }],
          messages: [],
        }),
      },
    })
    render(App)
    await screen.findAllByTestId('account-row')
    await fireEvent.keyDown(document.body, { key: 'v', ctrlKey: true })
    await waitFor(() => expect(fake.count('scan_clipboard')).toBe(1))
    expect((await screen.findByTestId('candidate')).dataset.token).toBe('p')
  })

  it('shows the paste tab with the messages when the clipboard holds no QR code', async () => {
    fakeBackend({ accounts: LIST, codes: CODES, overrides: { scan_clipboard: () => ({ candidates: [], messages: ['the clipboard holds no image'] }) } })
    render(App)
    await screen.findAllByTestId('account-row')
    await fireEvent.keyDown(document.body, { key: 'v', ctrlKey: true })
    expect((await screen.findByTestId('scan-message')).textContent).toBe('the clipboard holds no image')
    expect(screen.getByTestId('paste-hint')).toBeTruthy()
  })

  it('focuses the search box on Ctrl+F and on "focus-search"', async () => {
    fakeBackend({ accounts: LIST, codes: CODES })
    render(App)
    await screen.findAllByTestId('account-row')
    await userEvent.click(screen.getByTestId('open-settings'))
    expect(screen.getByTestId('settings-view')).toBeTruthy()
    await emit('focus-search', null)
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('search')))
    expect(screen.queryByTestId('settings-view')).toBeNull()
    ;(document.activeElement as HTMLElement).blur()
    await userEvent.keyboard('{Control>}f{/Control}')
    expect(document.activeElement).toBe(screen.getByTestId('search'))
  })

  it('shows the unlock screen with the reason on "locked", and forgets the accounts', async () => {
    fakeBackend({ accounts: LIST, codes: CODES })
    render(App)
    await screen.findAllByTestId('account-row')
    await emit('locked', { reason: 'Locked after 10 minutes idle' })
    expect((await screen.findByTestId('unlock-reason')).textContent).toBe('Locked after 10 minutes idle')
    expect(accounts.all).toEqual([])
    expect(screen.queryAllByTestId('account-row')).toHaveLength(0)
  })

  it('locks from the toolbar', async () => {
    const fake = fakeBackend({ accounts: LIST, codes: CODES })
    render(App)
    await userEvent.click(await screen.findByTestId('lock'))
    await screen.findByTestId('unlock-password')
    expect(fake.count('lock')).toBe(1)
  })
})

describe('details', () => {
  it('deletes after confirmation and restores with undo', async () => {
    const fake = fakeBackend({
      accounts: LIST,
      codes: CODES,
      overrides: {
        delete_account: () => ({ undoToken: 'u1' }),
        undo_delete: () => LIST[0],
      },
    })
    render(App)
    const user = userEvent.setup()
    const gh = (await screen.findAllByTestId('account-row')).find((r) => r.dataset.id === 'gh')!
    await user.click(within(gh).getByTestId('account-open'))
    expect((screen.getByTestId('details-issuer') as HTMLInputElement).value).toBe('GitHub')
    await user.click(screen.getByTestId('details-delete'))
    expect(fake.count('delete_account')).toBe(0)
    await user.click(screen.getByTestId('delete-confirm'))
    await waitFor(() => expect(fake.last('delete_account')).toEqual({ id: 'gh' }))
    await waitFor(() => expect(screen.getAllByTestId('account-row').map((r) => r.dataset.id)).toEqual(['acme', 'gl']))
    await user.click(await screen.findByTestId('undo'))
    await waitFor(() => expect(fake.last('undo_delete')).toEqual({ undoToken: 'u1' }))
    await waitFor(() => expect(screen.getByTestId('toast').textContent).toContain('restored'))
    await waitFor(() => expect(accounts.all.map((a) => a.id)).toContain('gh'))
    await waitFor(() => expect(screen.getAllByTestId('account-row')).toHaveLength(3))
  })

  it('asks for the password before revealing the secret when the vault has one', async () => {
    const fake = fakeBackend({
      vault: status('unlocked', { slots: ['keychainAndPassword', 'recoveryKey'] }),
      accounts: LIST,
      codes: CODES,
      overrides: {
        reveal_secret: () => ({ secret: 'JBSWY3DPEHPK3PXP', uri: 'otpauth://totp/x?secret=JBSWY3DPEHPK3PXP', qrSvg: '<svg xmlns="http://www.w3.org/2000/svg"/>' }),
      },
    })
    render(App)
    const user = userEvent.setup()
    const gh = (await screen.findAllByTestId('account-row')).find((r) => r.dataset.id === 'gh')!
    await user.click(within(gh).getByTestId('account-open'))
    await user.click(screen.getByTestId('reveal-secret'))
    expect(fake.count('reveal_secret')).toBe(0)
    await user.type(screen.getByTestId('reveal-password'), 'pw')
    await user.click(screen.getByTestId('reveal-secret'))
    await waitFor(() => expect(fake.last('reveal_secret')).toEqual({ id: 'gh', password: 'pw' }))
    expect((await screen.findByTestId('revealed-secret')).textContent).toBe('JBSW Y3DP EHPK 3PXP')
    const img = screen.getByRole('img', { name: /QR code/ }) as HTMLImageElement
    expect(img.src.startsWith('data:image/svg+xml;base64,')).toBe(true)
  })
})

describe('panels', () => {
  it('close with Escape even after the focused button went away', async () => {
    // The details panel's "Show codes" form is replaced by the codes: focus falls to the body,
    // and Escape used to do nothing there (found by the end-to-end hardening test).
    fakeBackend({
      accounts: [account('gh', 'GitHub', 'alice@example.com', { recoveryCodesTotal: 1, recoveryCodesUnused: 1 })],
      codes: CODES,
      overrides: { list_recovery_codes: () => [{ index: 0, code: 'abcd-1234', used: false, usedAt: null }] },
    })
    render(App)
    const user = userEvent.setup()
    const gh = (await screen.findAllByTestId('account-row'))[0]
    await user.click(within(gh).getByTestId('account-open'))
    await user.click(screen.getByTestId('recovery-show'))
    await screen.findByTestId('recovery-code')
    ;(document.activeElement as HTMLElement | null)?.blur()
    expect(document.activeElement).toBe(document.body)
    await user.keyboard('{Escape}')
    await waitFor(() => expect(screen.queryByTestId('account-details')).toBeNull())
  })
})

describe('rollback banner', () => {
  it('says an older vault file is in place and takes the newer copy back on request', async () => {
    // See: issue 11 item 2 (a rollback was silent).
    let restored = false
    const fake = fakeBackend({
      accounts: LIST,
      codes: CODES,
      vault: status('unlocked', { rollback: { current: 3, newer: 5, canRestore: true } }),
      overrides: {
        restore_newer_copy: () => {
          restored = true
          return status('unlocked')
        },
      },
    })
    render(App)
    const banner = await screen.findByTestId('rollback-banner')
    expect(banner.textContent).toMatch(/older than a copy Twofold kept/)
    expect(banner.textContent).toMatch(/save 3, where 5 was seen/)
    await userEvent.setup().click(within(banner).getByTestId('rollback-restore'))
    await waitFor(() => expect(restored).toBe(true))
    expect(fake.count('restore_newer_copy')).toBe(1)
    await waitFor(() => expect(screen.queryByTestId('rollback-banner')).toBeNull())
  })

  it('keeps the older file on request, even when no newer copy can be restored', async () => {
    const fake = fakeBackend({
      accounts: LIST,
      codes: CODES,
      vault: status('unlocked', { rollback: { current: 2, newer: 4, canRestore: false } }),
      overrides: { keep_current_copy: () => status('unlocked') },
    })
    render(App)
    const banner = await screen.findByTestId('rollback-banner')
    expect(within(banner).queryByTestId('rollback-restore')).toBeNull()
    expect(banner.textContent).toMatch(/not saved until you choose/)
    await userEvent.setup().click(within(banner).getByTestId('rollback-keep'))
    await waitFor(() => expect(fake.count('keep_current_copy')).toBe(1))
    await waitFor(() => expect(screen.queryByTestId('rollback-banner')).toBeNull())
  })

  it('is absent normally', async () => {
    await renderList()
    expect(screen.queryByTestId('rollback-banner')).toBeNull()
  })
})
