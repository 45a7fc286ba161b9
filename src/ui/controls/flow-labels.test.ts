import { EVENT_DEFAULTS } from '../../../test/trace/event-defaults'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TOPOLOGIES, type ArchId } from '../../engine/hv/architectures'
import { instantiateTopology } from '../../engine/hv/topology'
import { Session } from '../../engine/session/session'
import { EventBatcher } from '../../engine/trace/batcher'
import { RecordView, encodeEvent } from '../../engine/trace/codec'
import { EventKind, FlowKind, HopCause, RECORD_BYTES, type TraceEvent } from '../../engine/trace/schema'
import { architectureMessages, fill } from '../diagram/texts'
import { TraceToDiagram, type FlowKindName } from '../diagram/trace-adapter'
import { flowLabel } from './flow-labels'

const template = (language: string) => {
  const kinds = architectureMessages(language).diagram.flowKinds as Readonly<Record<string, string>>
  return (k: FlowKindName, d: string) => fill(kinds[k] ?? k, { detail: d })
}
const label = (language: string, arch: string | null = null) => {
  const t = template(language)
  return (kind: string, detail: number, hypercall = -1) => flowLabel(t, { kind, detail, hypercall }, arch)
}

describe('flow labels', () => {
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

  // Numbers from Xen's public xen.h (__HYPERVISOR_*) and the TLFS (HvCallPostMessage 0x005C,
  // HvCallSignalEvent 0x005D).
  it('name Xen PV hypercalls, page-table updates included, in both languages', () => {
    const en = label('en', 'xen-pv')
    expect(en('hypercall', 32)).toBe('Hypercall event_channel_op (32)')
    expect(en('hypercall', 29)).toBe('Hypercall sched_op (29)')
    expect(en('page-table-update', 26)).toBe('Page-table update mmuext_op (26)')
    expect(en('page-table-update', 1)).toBe('Page-table update mmu_update (1)')
    expect(label('zh-CN', 'xen-pv')('hypercall', 18)).toBe('超级调用 console_io (18)')
    // A number Xen's table lacks stays a number.
    expect(en('hypercall', 99)).toBe('Hypercall 99')
  })

  it('name the hypercall a Hyper-V VMCALL exit carried', () => {
    const en = label('en', 'hyperv')
    expect(en('vm-exit', 18, 0x5d)).toBe('VM exit 18 (VMCALL · HvCallSignalEvent)')
    expect(en('vm-exit', 18, 0x5c)).toBe('VM exit 18 (VMCALL · HvCallPostMessage)')
    expect(en('vm-exit', 18, 0x44)).toBe('VM exit 18 (VMCALL · 0x44)')
    expect(en('vm-exit', 18)).toBe('VM exit 18 (VMCALL)')
    expect(label('zh-CN', 'hyperv')('vm-exit', 18, 0x5d)).toBe('虚拟机退出 18 (VMCALL · HvCallSignalEvent)')
  })

  it('do not borrow another hypervisor’s names', () => {
    expect(label('en', 'kvm')('hypercall', 26)).toBe('Hypercall 26')
    expect(label('en', 'vmware-bt')('page-table-update', 14)).toBe('Page-table update')
    expect(label('en', 'xen-pv')('vm-exit', 18, 0x5d)).toBe('VM exit 18 (VMCALL · 0x5D)')
  })
})

let seq = 0
const ev = (p: Partial<TraceEvent> & Pick<TraceEvent, 'kind'>): TraceEvent => ({
  seq: seq++,
  cycle: seq,
  ...EVENT_DEFAULTS,
  ...p,
})

/** The labels of every flow a stream of records makes, through the diagram's trace adapter. */
function labelsOf(arch: ArchId, vms: number) {
  const labels: string[] = []
  const adapter = new TraceToDiagram({
    topology: instantiateTopology(TOPOLOGIES[arch], vms),
    sink: {
      setActive: () => {},
      countHop: () => {},
      acceptFlow: () => true,
      playFlow: (f) => labels.push(f.label),
    },
    label: (kind, detail, hypercall) => flowLabel(template('en'), { kind, detail, hypercall }, arch),
  })
  const consume = (view: RecordView, count: number) => adapter.consumeRecords(view, 0, count)
  return { labels, consume }
}

describe('flow labels from the trace adapter', () => {
  it('take the hypercall from a Hypercall event inside the flow, and only that flow', () => {
    const { labels, consume } = labelsOf('hyperv', 1)
    const events = [
      ev({ kind: EventKind.FlowBegin, flow: 7, reason: FlowKind.VmExit, arg0: 18 }),
      ev({ kind: EventKind.FlowBegin, flow: 8, reason: FlowKind.VmExit, arg0: 18 }),
      ev({ kind: EventKind.Hypercall, flow: 7, reason: 0x5d }),
      ...[7, 8].map((flow) => ev({ kind: EventKind.Hop, flow, reason: HopCause.Trap, from: 0, to: 1 })),
      ev({ kind: EventKind.FlowEnd, flow: 8 }),
      ev({ kind: EventKind.FlowEnd, flow: 7 }),
      // A flow id used again starts without the old flow's hypercall.
      ev({ kind: EventKind.FlowBegin, flow: 7, reason: FlowKind.VmExit, arg0: 18 }),
      ev({ kind: EventKind.Hop, flow: 7, reason: HopCause.Trap, from: 0, to: 1 }),
      ev({ kind: EventKind.FlowEnd, flow: 7 }),
    ]
    const view = new RecordView(new ArrayBuffer(RECORD_BYTES * events.length))
    events.forEach((e, i) => encodeEvent(view, i, e))
    consume(view, events.length)
    expect(labels).toEqual([
      'VM exit 18 (VMCALL)',
      'VM exit 18 (VMCALL · HvCallSignalEvent)',
      'VM exit 18 (VMCALL)',
    ])
  })

  // The engine's own streams: ringos booting under each hypervisor with its enlightened platform.
  const guests = join(import.meta.dirname, '..', '..', '..', 'public', 'guests')
  const bootLabels = (arch: 'xen-pv' | 'hyperv') => {
    const file = (name: string) => new Uint8Array(readFileSync(join(guests, name)))
    const s = new Session({
      arch,
      vms: [{ image: file(`ringos-${arch}.elf`), disk: file('ringos-disk.img'), platform: arch }],
    })
    const { labels, consume } = labelsOf(arch, 1)
    const drain = (b: EventBatcher) => {
      const t = b.take()
      consume(new RecordView(t.buffer, 0, t.count), t.count)
    }
    const batcher = new EventBatcher(1 << 14, drain)
    s.attachEvents(batcher)
    s.run({ maxInstructions: 200_000_000, untilIdleMs: 100 })
    s.input(1, new TextEncoder().encode('cat motd\n'))
    s.run({ maxInstructions: 200_000_000, untilIdleMs: 100 })
    drain(batcher)
    return new Set(labels)
  }

  it('name the hypercalls of ringos under Xen PV', () => {
    const labels = bootLabels('xen-pv')
    expect(labels).toContain('Page-table update mmuext_op (26)')
    expect(labels).toContain('Hypercall event_channel_op (32)')
    expect([...labels].filter((l) => /^Hypercall \d+$/.test(l))).toEqual([])
  }, 60_000)

  it('name the hypercalls of ringos under Hyper-V', () => {
    const labels = bootLabels('hyperv')
    expect(labels).toContain('VM exit 18 (VMCALL · HvCallSignalEvent)')
    expect(labels).toContain('VM exit 18 (VMCALL · HvCallPostMessage)')
  }, 60_000)
})
