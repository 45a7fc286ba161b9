import { describe, expect, it } from 'vitest'
import { architectureMessages, fill } from '../diagram/texts'
import { flowLabel } from './flow-labels'

describe('flow labels', () => {
  const label = (language: string) => {
    const kinds = architectureMessages(language).diagram.flowKinds as Readonly<Record<string, string>>
    return (kind: string, detail: number) =>
      flowLabel((k, d) => fill(kinds[k] ?? k, { detail: d }), kind, detail)
  }

  it('name what started a flow: the exit reason, the system call, the vector, the device', () => {
    const en = label('en')
    expect(en('vm-exit', 30)).toBe('VM exit 30 (I/O instruction)')
    expect(en('syscall', 1)).toBe('System call write (1)')
    expect(en('exception', 14)).toBe('Exception, vector 14 (#PF)')
    expect(en('device-access', 0x3f8)).toBe('Device access 0x3F8 (COM1)')
    expect(en('device-access', 0xfeb00050)).toBe('Device access 0xFEB00050 (virtio-mmio)')
    expect(en('management', 3)).toBe('Management command')
  })

  it('follow the interface language', () => {
    expect(label('zh-CN')('vm-exit', 30)).toMatch(/30 \(I\/O instruction\)/)
    expect(label('zh-CN')('vm-exit', 30)).not.toMatch(/^VM exit/)
  })
})
