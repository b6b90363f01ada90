// Per-test hygiene: forget the IPC mock and any fake timers.
import { clearMocks } from '@tauri-apps/api/mocks'
import { afterEach, vi } from 'vitest'

afterEach(() => {
  clearMocks()
  vi.useRealTimers()
})
