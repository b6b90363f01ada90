import { describe, expect, it, vi } from 'vitest'
import { accounts, matches, moveIds, sortAccounts, visibleAccounts } from '../src/lib/state/accounts.svelte'
import { account, fakeBackend, totpCode } from './fake'

const gh = account('1', 'GitHub', 'alice', { order: 2, tags: ['work'], lastUsedAt: 100 })
const gl = account('2', 'gitlab', 'bob', { order: 0, lastUsedAt: 300 })
const aws = account('3', 'Amazon Web Services', 'root', { order: 1, favourite: true })
const zoe = account('4', 'Zoë Bank', 'zoë', { order: 3, lastUsedAt: 200 })
const all = [gh, gl, aws, zoe]

describe('search', () => {
  it('matches issuer, name and tags, case- and accent-insensitively', () => {
    expect(matches(gh, 'git')).toBe(true)
    expect(matches(gh, 'ALICE')).toBe(true)
    expect(matches(gh, 'work')).toBe(true)
    expect(matches(zoe, 'zoe')).toBe(true)
    expect(matches(gh, 'bob')).toBe(false)
  })

  it('needs every term', () => {
    expect(matches(gh, 'git alice')).toBe(true)
    expect(matches(gh, 'git bob')).toBe(false)
    expect(matches(gh, '   ')).toBe(true)
  })

  it('filters the visible rows', () => {
    expect(visibleAccounts(all, 'git', 'alpha').map((a) => a.id)).toEqual(['1', '2'])
    expect(visibleAccounts(all, 'nothing', 'alpha')).toEqual([])
  })
})

describe('sorting', () => {
  it('pins favourites, then A–Z ignoring case', () => {
    expect(sortAccounts(all, 'alpha').map((a) => a.issuer)).toEqual(['Amazon Web Services', 'GitHub', 'gitlab', 'Zoë Bank'])
  })

  it('manual order follows `order`, favourites still first', () => {
    expect(sortAccounts(all, 'manual').map((a) => a.id)).toEqual(['3', '2', '1', '4'])
  })

  it('recent puts the last used first and never-used last', () => {
    expect(sortAccounts(all, 'recent').map((a) => a.id)).toEqual(['3', '2', '4', '1'])
  })

  it('does not mutate its input', () => {
    const copy = [...all]
    sortAccounts(all, 'alpha')
    expect(all).toEqual(copy)
  })
})

describe('moveIds', () => {
  const ordered = sortAccounts(all, 'manual') // 3(fav), 2, 1, 4

  it('moves an account to another place', () => {
    expect(moveIds(ordered, '4', '2')).toEqual(['3', '4', '2', '1'])
    expect(moveIds(ordered, '2', '4')).toEqual(['3', '1', '4', '2'])
  })

  it('refuses to cross the pinned favourites and no-op moves', () => {
    expect(moveIds(ordered, '2', '3')).toBeNull()
    expect(moveIds(ordered, '2', '2')).toBeNull()
    expect(moveIds(ordered, 'x', '2')).toBeNull()
  })
})

describe('AccountsState with the backend', () => {
  it('loads accounts and codes, then refreshes codes once per window, not every second', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const start = 1_700_000_010_000
    vi.setSystemTime(start + 10_000)
    let n = 0
    const fake = fakeBackend({
      accounts: [gh],
      overrides: {
        current_codes: () => [totpCode('1', String(100000 + n++), Date.now())],
      },
    })
    await accounts.load()
    expect(accounts.all.map((a) => a.id)).toEqual(['1'])
    expect(accounts.codes.get('1')?.code).toBe('100000')
    expect(fake.count('current_codes')).toBe(1)

    // 19 s later: still inside the window, no new fetch.
    await vi.advanceTimersByTimeAsync(19_000)
    expect(fake.count('current_codes')).toBe(1)
    // Just past the window's end: exactly one fetch, and the new code is stored.
    await vi.advanceTimersByTimeAsync(1_100)
    expect(fake.count('current_codes')).toBe(2)
    expect(accounts.codes.get('1')?.code).toBe('100001')
    accounts.clear()
  })

  it('keeps unchanged code objects, so unchanged rows do not re-render', () => {
    const a = totpCode('1', '111111', 0)
    const b = totpCode('2', '222222', 0)
    accounts.applyCodes([a, b])
    accounts.applyCodes([{ ...a }, { ...b, code: '333333' }])
    expect(accounts.codes.get('1')).toBe(a)
    expect(accounts.codes.get('2')?.code).toBe('333333')
    accounts.applyCodes([a])
    expect(accounts.codes.has('2')).toBe(false)
    accounts.clear()
  })

  it('saves a manual move with reorder_accounts', async () => {
    const fake = fakeBackend({ accounts: all })
    await accounts.load()
    accounts.sortMode = 'manual'
    await accounts.moveBy('1', -1)
    expect(fake.last('reorder_accounts')).toEqual({ ids: ['3', '1', '2', '4'] })
    expect(accounts.visible.map((a) => a.id)).toEqual(['3', '1', '2', '4'])
    accounts.sortMode = 'alpha'
    accounts.clear()
  })
})

describe('outcomeText', async () => {
  const { outcomeText } = await import('../src/lib/state/importer.svelte')
  it('says what happened, leaving out zeros', () => {
    expect(outcomeText({ added: 2, replaced: 1, skipped: 0 })).toBe('Added 2, replaced 1')
    expect(outcomeText({ added: 0, replaced: 0, skipped: 3 })).toBe('Nothing imported; skipped 3')
    expect(outcomeText({ added: 0, replaced: 0, skipped: 0 })).toBe('Nothing imported')
    expect(outcomeText({ added: 0, replaced: 2, skipped: 1 })).toBe('Replaced 2, skipped 1')
  })
})
