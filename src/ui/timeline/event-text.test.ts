import { EVENT_DEFAULTS } from '../../../test/trace/event-defaults'
import { describe, expect, it } from 'vitest'
import { EventKind, SensitiveInsn, type TraceEvent } from '../../engine/trace/schema'
import { inspectorMessages } from '../inspector/texts'
import { reasonText } from './event-text'

const event = (kind: TraceEvent['kind'], reason: number): TraceEvent => ({
  seq: 0,
  cycle: 0,
  kind,
  ...EVENT_DEFAULTS,
  reason,
})

describe('timeline event text', () => {
  const reason = (e: TraceEvent, language: string, arch: string | null) =>
    reasonText(e, inspectorMessages(language).timeline, language, arch)

  // xen.h: __HYPERVISOR_mmuext_op 26; TLFS: HvCallSignalEvent 0x005D.
  it('names a hypercall in the architecture’s own ABI, in both languages', () => {
    expect(reason(event(EventKind.Hypercall, 26), 'en', 'xen-pv')).toBe('hypercall mmuext_op (number 26)')
    expect(reason(event(EventKind.Hypercall, 26), 'zh-CN', 'xen-pv')).toBe('超级调用 mmuext_op（26 号）')
    expect(reason(event(EventKind.Hypercall, 0x5d), 'en', 'hyperv')).toBe(
      'hypercall HvCallSignalEvent (number 93)',
    )
    expect(reason(event(EventKind.Hypercall, 26), 'en', 'kvm')).toBe('hypercall 26')
  })

  it('names the sensitive instruction that did not trap', () => {
    expect(reason(event(EventKind.SensitiveNoTrap, SensitiveInsn.Popf), 'en', 'trap-emulate')).toBe('POPF')
    expect(reason(event(EventKind.SensitiveNoTrap, SensitiveInsn.Sgdt), 'zh-CN', 'trap-emulate')).toBe('SGDT')
    expect(reason(event(EventKind.SensitiveNoTrap, 99), 'en', 'trap-emulate')).toBe('99')
  })
})
