// The one toast of the window ("Copied", "Deleted … Undo"): a polite live region shows it; a new
// toast replaces the old one. Holds no secrets: codes are never put in a toast.

/** A button in a toast. */
export interface ToastAction {
  label: string
  run: () => void | Promise<void>
}

/** What the toast shows. */
export interface ToastView {
  id: number
  message: string
  action: ToastAction | null
}

class ToastState {
  current = $state<ToastView | null>(null)
  #timer: ReturnType<typeof setTimeout> | null = null
  #seq = 0

  /** Shows `message` for `ms` milliseconds, with an optional action button. */
  show(message: string, action: ToastAction | null = null, ms = 2500): void {
    this.#clearTimer()
    const id = ++this.#seq
    this.current = { id, message, action }
    this.#timer = setTimeout(() => {
      if (this.current?.id === id) this.current = null
    }, ms)
  }

  /** Hides the toast now. */
  dismiss(): void {
    this.#clearTimer()
    this.current = null
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }
}

/** The window's toast. */
export const toast = new ToastState()
