import { describe, expect, it } from 'vitest'
import * as ipc from '../src/lib/ipc'
import { fakeBackend } from './fake'

describe('IpcError.from', () => {
  it('keeps the kind and message of the Rust enum', () => {
    const e = ipc.IpcError.from({ kind: 'wrongPassword', message: 'wrong password' })
    expect(e).toBeInstanceOf(ipc.IpcError)
    expect(e.kind).toBe('wrongPassword')
    expect(e.message).toBe('wrong password')
  })

  it('maps unknown kinds and bare strings to internal', () => {
    expect(ipc.IpcError.from({ kind: 'weird', message: 'x' }).kind).toBe('internal')
    const s = ipc.IpcError.from('command copy_code not found')
    expect(s.kind).toBe('internal')
    expect(s.message).toBe('command copy_code not found')
  })
})

describe('wrappers', () => {
  it('call the snake_case commands with camelCase arguments', async () => {
    const fake = fakeBackend({})
    await ipc.copyCode('abc')
    await ipc.unlock(null, 'RK')
    await ipc.createVault(null, true)
    await ipc.updateAccount('abc', { favourite: true })
    await ipc.undoDelete('tok')
    await ipc.setRecoveryCodeUsed('abc', 2, true)
    await ipc.scanImageBytes(new Uint8Array([1, 2]))
    expect(fake.calls.map((c) => [c.cmd, c.args])).toEqual([
      ['copy_code', { id: 'abc' }],
      ['unlock', { password: null, recoveryKey: 'RK' }],
      ['create_vault', { password: null, useKeychain: true }],
      ['update_account', { id: 'abc', patch: { favourite: true } }],
      ['undo_delete', { undoToken: 'tok' }],
      ['set_recovery_code_used', { id: 'abc', index: 2, used: true }],
      ['scan_image_bytes', { bytes: [1, 2] }],
    ])
  })

  it('turn rejections into IpcError', async () => {
    fakeBackend({
      overrides: {
        lock: () => {
          throw { kind: 'locked', message: 'the vault is locked' }
        },
      },
    })
    await expect(ipc.lock()).rejects.toMatchObject({ name: 'IpcError', kind: 'locked', message: 'the vault is locked' })
  })
})
