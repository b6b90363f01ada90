// The account list: labels (AccountView) and current codes (CodeView) as the backend gave them,
// the search query, and the list order (favourites pinned, then A–Z, manual or recently used).
// Codes are re-fetched by ONE timer set to the earliest `validUntil` (lib/time.ts
// `refreshDelay`), and stored per id in a SvelteMap so that a refresh only touches the rows whose
// code changed: no per-second work, whatever the number of accounts.

import { SvelteMap } from 'svelte/reactivity'
import * as ipc from '../ipc'
import { refreshDelay, secondsUntil } from '../time'
import type { AccountPatch, AccountView, CodeView, SortMode } from '../types'
import { toast } from './toast.svelte'

/** Folds case and diacritics for search ("Zoë" matches "zoe"). */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}

/** Whether `a` matches every whitespace-separated term of `query` (issuer, name or a tag). */
export function matches(a: AccountView, query: string): boolean {
  const terms = fold(query).split(/\s+/).filter(Boolean)
  if (terms.length === 0) return true
  const hay = [a.issuer, a.name, ...a.tags].map(fold)
  return terms.every((t) => hay.some((h) => h.includes(t)))
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true })

/** A–Z by issuer (the name when there is none), then by name. */
export function compareAlpha(a: AccountView, b: AccountView): number {
  return (
    collator.compare(a.issuer || a.name, b.issuer || b.name) ||
    collator.compare(a.name, b.name) ||
    a.id.localeCompare(b.id)
  )
}

/** The comparator of a sort mode (favourites are pinned separately by `sortAccounts`). */
export function comparatorFor(mode: SortMode): (a: AccountView, b: AccountView) => number {
  switch (mode) {
    case 'manual':
      return (a, b) => a.order - b.order || compareAlpha(a, b)
    case 'recent':
      return (a, b) => (b.lastUsedAt ?? -Infinity) - (a.lastUsedAt ?? -Infinity) || compareAlpha(a, b)
    default:
      return compareAlpha
  }
}

/** The accounts in display order: favourites first, each group in `mode` order. */
export function sortAccounts(accounts: readonly AccountView[], mode: SortMode): AccountView[] {
  const cmp = comparatorFor(mode)
  return [...accounts].sort((a, b) => Number(b.favourite) - Number(a.favourite) || cmp(a, b))
}

/** The rows the list shows for `query`, in display order. */
export function visibleAccounts(accounts: readonly AccountView[], query: string, mode: SortMode): AccountView[] {
  return sortAccounts(accounts, mode).filter((a) => matches(a, query))
}

/**
 * The ids in their new manual order after moving `id` to `target`'s place, or null when the move
 * is impossible (unknown ids, or across the favourites boundary, which is pinned).
 */
export function moveIds(ordered: readonly AccountView[], id: string, target: string): string[] | null {
  const from = ordered.findIndex((a) => a.id === id)
  const to = ordered.findIndex((a) => a.id === target)
  if (from < 0 || to < 0 || from === to) return null
  if (ordered[from].favourite !== ordered[to].favourite) return null
  const ids = ordered.map((a) => a.id)
  ids.splice(from, 1)
  ids.splice(to, 0, id)
  return ids
}

/** Shortest wait between two code refreshes, against a backend clock slightly behind ours. */
const MIN_REFRESH_MS = 250

class AccountsState {
  /** Every account of the vault (replaced whole on reload; rows are keyed by id). */
  all = $state.raw<AccountView[]>([])
  /** Current codes by account id. */
  codes = new SvelteMap<string, CodeView>()
  /** The search box's text. */
  query = $state('')
  /** The list order (mirrors `Settings.sortMode`). */
  sortMode = $state<SortMode>('alpha')
  /** Whether `load` has completed once. */
  loaded = $state(false)

  /** The rows shown, in order. */
  visible = $derived(visibleAccounts(this.all, this.query, this.sortMode))

  #timer: ReturnType<typeof setTimeout> | null = null

  /** Fetches accounts and codes. */
  async load(): Promise<void> {
    const [accounts] = await Promise.all([ipc.listAccounts(), this.refreshCodes()])
    this.all = accounts
    this.loaded = true
  }

  /** Fetches the codes and re-arms the single refresh timer. */
  async refreshCodes(): Promise<void> {
    this.#stopTimer()
    const list = await ipc.currentCodes()
    this.applyCodes(list)
    this.#arm()
  }

  /** Stores `list`, touching only the entries that changed. */
  applyCodes(list: readonly CodeView[]): void {
    const seen = new Set<string>()
    for (const c of list) {
      seen.add(c.id)
      const old = this.codes.get(c.id)
      if (!old || old.code !== c.code || old.next !== c.next || old.validUntil !== c.validUntil) {
        this.codes.set(c.id, c)
      }
    }
    for (const id of [...this.codes.keys()]) if (!seen.has(id)) this.codes.delete(id)
  }

  #arm(): void {
    const delay = refreshDelay(this.codes.values(), Date.now())
    if (delay === null) return
    this.#timer = setTimeout(() => {
      this.refreshCodes().catch(() => this.#stopTimer())
    }, Math.max(MIN_REFRESH_MS, delay))
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }

  /** Forgets everything (on lock). */
  clear(): void {
    this.#stopTimer()
    this.all = []
    this.codes.clear()
    this.query = ''
    this.loaded = false
  }

  /** Finds an account by id. */
  byId(id: string): AccountView | undefined {
    return this.all.find((a) => a.id === id)
  }

  #replace(view: AccountView): void {
    const i = this.all.findIndex((a) => a.id === view.id)
    this.all = i < 0 ? [...this.all, view] : this.all.map((a, j) => (j === i ? view : a))
  }

  /** Copies a code to the clipboard (in Rust) and says so in a toast. */
  async copy(id: string): Promise<void> {
    const a = this.byId(id)
    try {
      const { clearsAt } = await ipc.copyCode(id)
      if (a) this.#replace({ ...a, lastUsedAt: Date.now() })
      const label = a ? a.issuer || a.name : 'Code'
      const tail = clearsAt === null ? '' : `; clipboard clears in ${secondsUntil(clearsAt, Date.now())} s`
      toast.show(`${label} code copied${tail}`)
    } catch (e) {
      toast.show(`Could not copy: ${ipc.IpcError.from(e).message}`)
    }
  }

  /** Generates the next HOTP code (the backend advances and saves the counter first). */
  async nextHotp(id: string): Promise<void> {
    try {
      const c = await ipc.nextHotp(id)
      this.codes.set(id, c)
      const a = this.byId(id)
      if (a && a.counter !== null) this.#replace({ ...a, counter: a.counter + 1 })
    } catch (e) {
      toast.show(`Could not make a new code: ${ipc.IpcError.from(e).message}`)
    }
  }

  /** Saves a patch and updates the row. */
  async update(id: string, patch: AccountPatch): Promise<AccountView> {
    const view = await ipc.updateAccount(id, patch)
    this.#replace(view)
    return view
  }

  /** Pins or unpins an account. */
  async toggleFavourite(id: string): Promise<void> {
    const a = this.byId(id)
    if (!a) return
    try {
      await this.update(id, { favourite: !a.favourite })
    } catch (e) {
      toast.show(`Could not save: ${ipc.IpcError.from(e).message}`)
    }
  }

  /** Whether manual reordering is possible now (manual mode, no search filter). */
  get canReorder(): boolean {
    return this.sortMode === 'manual' && this.query.trim() === ''
  }

  /** Moves `id` to `target`'s place (drag and drop) and saves the manual order. */
  async moveTo(id: string, target: string): Promise<void> {
    const ids = moveIds(sortAccounts(this.all, 'manual'), id, target)
    if (!ids) return
    const order = new Map(ids.map((x, i) => [x, i]))
    this.all = this.all.map((a) => ({ ...a, order: order.get(a.id) ?? a.order }))
    try {
      await ipc.reorderAccounts(ids)
    } catch (e) {
      toast.show(`Could not save the order: ${ipc.IpcError.from(e).message}`)
      await this.load().catch(() => {})
    }
  }

  /** Moves `id` one place up (-1) or down (+1) in manual order (Alt+arrow keys). */
  async moveBy(id: string, delta: -1 | 1): Promise<void> {
    const ordered = sortAccounts(this.all, 'manual')
    const i = ordered.findIndex((a) => a.id === id)
    const target = ordered[i + delta]
    if (i >= 0 && target) await this.moveTo(id, target.id)
  }

  /** Deletes an account, with an undo button in the toast for 10 s. */
  async remove(id: string): Promise<void> {
    const a = this.byId(id)
    const { undoToken } = await ipc.deleteAccount(id)
    this.all = this.all.filter((x) => x.id !== id)
    this.codes.delete(id)
    const label = a ? a.issuer || a.name : 'Account'
    toast.show(
      `${label} deleted`,
      {
        label: 'Undo',
        run: async () => {
          try {
            const view = await ipc.undoDelete(undoToken)
            this.#replace(view)
            await this.refreshCodes()
            toast.show(`${label} restored`)
          } catch (e) {
            toast.show(`Could not undo: ${ipc.IpcError.from(e).message}`)
          }
        },
      },
      10_000,
    )
  }

  /** Replaces one account's view (after recovery-code changes). */
  put(view: AccountView): void {
    this.#replace(view)
  }
}

/** The account list of the window. */
export const accounts = new AccountsState()
