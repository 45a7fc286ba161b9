import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TOPOLOGIES } from '../../engine/hv/architectures'
import { instantiateTopology } from '../../engine/hv/topology'
import { Session } from '../../engine/session/session'
import { EventBatcher } from '../../engine/trace/batcher'
import { RecordView, encodeEvent } from '../../engine/trace/codec'
import {
  EventKind,
  NO_COMPONENT,
  RECORD_BYTES,
  SensitiveInsn,
  type TraceEvent,
} from '../../engine/trace/schema'
import { GuestMap } from '../inspector/guest-map'
import { SensitiveWatch, componentOfHit } from './sensitive-marker'

const sensitive = (seq: number, insn: number, p: Partial<TraceEvent> = {}): TraceEvent => ({
  seq,
  cycle: seq * 10,
  kind: EventKind.SensitiveNoTrap,
  pcpu: 0,
  vm: 1,
  vcpu: 0,
  reason: insn,
  fromCtx: 0,
  toCtx: 0,
  from: NO_COMPONENT,
  to: NO_COMPONENT,
  cost: 0,
  arg0: 0,
  arg1: 0,
  flow: 0,
  arg2: 1,
  ...p,
})

function batch(events: readonly TraceEvent[]): RecordView {
  const view = new RecordView(new ArrayBuffer(RECORD_BYTES * events.length))
  events.forEach((e, i) => encodeEvent(view, i, e))
  return view
}

describe('the sensitive-instruction marker', () => {
  it('keeps the latest instruction worth marking: not the IRETs and segment loads of every interrupt, not PUSHF, not POPF setting IF', () => {
    const w = new SensitiveWatch()
    let notified = 0
    w.subscribe(() => notified++)
    w.consume(
      batch([
        sensitive(0, SensitiveInsn.Iret),
        sensitive(1, SensitiveInsn.PushSreg),
        sensitive(2, SensitiveInsn.Pushf, { arg1: 0x246 }),
        sensitive(3, SensitiveInsn.Popf, { arg1: 1 }),
      ]),
      0,
      4,
    )
    expect(w.latest()).toBeNull()
    expect(notified).toBe(0)
    const popf = sensitive(4, SensitiveInsn.Popf, { arg0: 0x102270, arg1: 0, arg2: 1, vm: 2 })
    w.consume(
      batch([popf, sensitive(5, SensitiveInsn.PopSreg), sensitive(6, SensitiveInsn.Popf, { arg1: 1 })]),
      0,
      3,
    )
    expect(w.latest()).toEqual({
      insn: SensitiveInsn.Popf,
      eip: 0x102270,
      value: 0,
      cpl: 1,
      vm: 2,
      serial: 1,
    })
    expect(notified).toBe(1)
    // A new stream (a new session, a restore) forgets it.
    w.consume(batch([sensitive(0, SensitiveInsn.Iret)]), 0, 1)
    expect(w.latest()).toBeNull()
  })

  it('points at the VM’s guest kernel for ring 1 and its user programs for ring 3', () => {
    const t = instantiateTopology(TOPOLOGIES['trap-emulate'], 2)
    const hit = { insn: SensitiveInsn.Sgdt, eip: 0, value: 0, vm: 2, serial: 1 }
    expect(componentOfHit(t, { ...hit, cpl: 1 })?.id).toBe('guest-kernel@2')
    expect(componentOfHit(t, { ...hit, cpl: 3 })?.id).toBe('guest-user@2')
    expect(
      componentOfHit(instantiateTopology(TOPOLOGIES['trap-emulate'], 1), { ...hit, vm: 1, cpl: 1 })?.id,
    ).toBe('guest-kernel@1')
  })

  it('marks POPF in the ring-1 kernel when ringos runs `popf` under trap-and-emulate, at plat_flags_write', () => {
    const guests = join(import.meta.dirname, '..', '..', '..', 'public', 'guests')
    const file = (name: string) => new Uint8Array(readFileSync(join(guests, name)))
    const s = new Session({
      arch: 'trap-emulate',
      vms: [{ image: file('ringos-native.elf'), disk: file('ringos-disk.img'), platform: 'native' }],
    })
    const w = new SensitiveWatch()
    const drain = (b: EventBatcher) => {
      const t = b.take()
      w.consume(new RecordView(t.buffer, 0, t.count), 0, t.count)
    }
    const batcher = new EventBatcher(1 << 14, drain)
    s.attachEvents(batcher)
    s.run({ maxInstructions: 200_000_000, untilIdleMs: 100 })
    drain(batcher)
    expect(w.latest()).toBeNull()
    s.input(1, new TextEncoder().encode('popf\n'))
    s.run({ maxInstructions: 200_000_000, untilIdleMs: 100 })
    drain(batcher)
    const hit = w.latest()!
    expect(hit).toMatchObject({ insn: SensitiveInsn.Popf, cpl: 1, vm: 1 })
    const map = GuestMap.parse(file('ringos-native.map.json'))
    expect(map.locate('kernel', hit.eip).fn).toBe('plat_flags_write')
    expect(componentOfHit(s.topology, hit)?.id).toBe('guest-kernel@1')
  }, 60_000)
})
