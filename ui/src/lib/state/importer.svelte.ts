// The add-account flow between the add dialog and the import preview: run a scan (file, screen,
// clipboard, URI, manual entry), keep its messages for the dialog, open the preview when it
// found accounts, and confirm the user's decisions. Candidates carry tokens, never secrets.

import * as ipc from '../ipc'
import type { ImportDecision, ImportOutcome, ScanResult } from '../types'
import { accounts } from './accounts.svelte'
import { toast } from './toast.svelte'
import { ui, type AddTab } from './ui.svelte'

/** "Added 2, replaced 1, skipped 1" (parts that are 0 left out; "Nothing imported" when all are). */
export function outcomeText(o: ImportOutcome): string {
  const parts = [
    o.added ? `added ${o.added}` : '',
    o.replaced ? `replaced ${o.replaced}` : '',
    o.skipped ? `skipped ${o.skipped}` : '',
  ].filter(Boolean)
  if (o.added + o.replaced === 0) return o.skipped ? `Nothing imported; skipped ${o.skipped}` : 'Nothing imported'
  const text = parts.join(', ')
  return text.charAt(0).toUpperCase() + text.slice(1)
}

class ImporterState {
  /** Messages of the last scan (problems per QR code or entry), shown in the add dialog. */
  messages = $state<string[]>([])
  /** Whether a scan is running. */
  busy = $state(false)

  /**
   * Runs a scan. With `direct`, a single new (non-duplicate) candidate is added at once (typed
   * entries: the user already saw what they typed); otherwise the preview opens.
   */
  async run(scan: () => Promise<ScanResult>, opts: { direct?: boolean; tab?: AddTab } = {}): Promise<boolean> {
    this.busy = true
    this.messages = []
    try {
      const result = await scan()
      return await this.#handle(result, opts.direct ?? false, opts.tab)
    } catch (e) {
      this.messages = [ipc.IpcError.from(e).message]
      if (opts.tab) {
        ui.openAdd(opts.tab)
      }
      return false
    } finally {
      this.busy = false
    }
  }

  async #handle(result: ScanResult, direct: boolean, tab: AddTab | undefined): Promise<boolean> {
    if (result.candidates.length === 0) {
      this.messages = result.messages.length ? result.messages : ['No account was found']
      if (tab) {
        ui.openAdd(tab)
      }
      return false
    }
    const [only] = result.candidates
    if (direct && result.candidates.length === 1 && only.duplicateOf === null) {
      await this.confirm([{ token: only.token, action: 'add' }])
      return true
    }
    this.messages = result.messages
    ui.open({ kind: 'preview', scan: result })
    return true
  }

  /** Sends the decisions, reloads the list and returns to it. */
  async confirm(decisions: ImportDecision[]): Promise<void> {
    const outcome = await ipc.confirmImport(decisions)
    this.messages = []
    ui.close()
    await accounts.load()
    toast.show(outcomeText(outcome))
  }

  /** Drops a preview: tells the backend to forget its candidates. */
  async cancel(scan: ScanResult): Promise<void> {
    ui.close()
    const decisions = scan.candidates.map((c) => ({ token: c.token, action: 'skip' as const }))
    if (decisions.length) await ipc.confirmImport(decisions).catch(() => {})
  }
}

/** The window's import flow. */
export const importer = new ImporterState()
