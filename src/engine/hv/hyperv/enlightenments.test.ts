// The partition's CPUID leaves and synthetic MSRs against the TLFS (feature-discovery.md, the MSR
// tables of hypercall-interface.md, inter-partition-communication.md, timers.md), the hypercall page
// overlay bytes, and a snapshot taken in the middle of a session.
import { describe, expect, it } from 'vitest'
import { PhysicalMemory } from '../../machine/memory'
import { StateReader, StateWriter } from '../../snapshot'
import { HypervPartition, hypervCpuidLeaves } from './enlightenments'
import { ChannelMsg } from './vmbus'
import {
  GuestPages,
  GuestRing,
  PAGE,
  channelMessage,
  enlighten,
  postMessage,
  signalEvent,
  takeSlot,
  textPacket,
} from './vmbus-test-guest'

const MS = 1_000_000

function partition(createdAt = 0) {
  const mem = new PhysicalMemory(0x100000)
  return { mem, part: new HypervPartition({ mem, createdAt }) }
}

function regString(...regs: number[]): string {
  return regs
    .map((r) => String.fromCharCode(r & 0xff, (r >>> 8) & 0xff, (r >>> 16) & 0xff, r >>> 24))
    .join('')
}

const read = (part: HypervPartition, msr: number, now = 0) => {
  const r = part.rdmsr(msr, now)
  return r.kind === 'value' ? [r.eax, r.edx] : 'gp'
}
const write = (part: HypervPartition, msr: number, lo: number, hi = 0, now = 0) =>
  part.wrmsr(msr, lo, hi, now).kind

describe('CPUID', () => {
  it('says "Microsoft Hv", interface "Hv#1", and sets the hypervisor-present bit', () => {
    const leaves = hypervCpuidLeaves()
    const leaf = (n: number) => leaves.get(n) ?? [0, 0, 0, 0]
    const [max, b, c, d] = leaf(0x40000000)
    expect(regString(b, c, d)).toBe('Microsoft Hv')
    expect(max).toBe(0x40000005)
    expect(regString(leaf(0x40000001)[0])).toBe('Hv#1')
    expect(leaf(1)[2] >>> 31).toBe(1)
    expect(leaf(1)[2] & (1 << 5)).toBe(0) // no VMX for the child
    // Privileges the guest needs: SynIC, synthetic timers, hypercall MSRs (EAX bits 2, 3, 5);
    // PostMessages and SignalEvents (EBX bits 4, 5); direct-mode timers (EDX bit 19).
    const [eax, ebx, , edx] = leaf(0x40000003)
    expect([eax & 0b101100, ebx & 0b110000, edx & (1 << 19)]).toEqual([0b101100, 0b110000, 1 << 19])
  })
})

describe('synthetic MSRs', () => {
  it('claims 0x40000000–0x400000FF and raises #GP for the ones it does not have, and for writes to read-only ones', () => {
    const { part } = partition()
    expect(HypervPartition.isSyntheticMsr(0x40000000)).toBe(true)
    expect(HypervPartition.isSyntheticMsr(0x400000ff)).toBe(true)
    expect(HypervPartition.isSyntheticMsr(0x40000100)).toBe(false)
    expect(HypervPartition.isSyntheticMsr(0x10)).toBe(false)
    expect(read(part, 0x40000021)).toBe('gp') // reference TSC page: not provided
    expect(read(part, 0x40000070)).toBe('gp') // APIC EOI MSR: no APIC
    expect(write(part, 0x40000002, 1)).toBe('gp') // VP_INDEX
    expect(write(part, 0x40000020, 1)).toBe('gp') // TIME_REF_COUNT
    expect(write(part, 0x40000081, 1)).toBe('gp') // SVERSION
    expect(read(part, 0x40000002)).toEqual([0, 0])
    expect(read(part, 0x40000081)).toEqual([1, 0])
    expect(read(part, 0x40000090)).toEqual([0x10000, 0]) // SINT0 starts masked
  })

  it('reads the reference counter in 100 ns units since the partition was created', () => {
    const { part } = partition(2 * MS)
    expect(read(part, 0x40000020, 2 * MS)).toEqual([0, 0])
    expect(read(part, 0x40000020, 12 * MS)).toEqual([100_000, 0])
    // 2^32 units later (about 430 s): the high half counts.
    expect(read(part, 0x40000020, 2 * MS + 2 ** 32 * 100 + 500)).toEqual([5, 1])
  })

  it('enables the hypercall page only after a guest OS id, overlaying vmcall; ret and int3, and restores the page when disabled', () => {
    const { mem, part } = partition()
    const page = GuestPages.hypercall
    mem.writeBytes(
      page,
      Uint8Array.from({ length: PAGE }, (_, i) => i & 0xff),
    )
    write(part, 0x40000001, page | 1)
    expect(read(part, 0x40000001)).toEqual([0, 0]) // no guest OS id yet: ignored
    write(part, 0x40000000, 1, 0x80000001)
    expect(read(part, 0x40000000)).toEqual([1, 0x80000001])
    const r = part.wrmsr(0x40000001, page | 1, 0, 0)
    expect(r.kind === 'ok' && r.notices).toEqual([{ kind: 'hypercall-page', gpa: page, enabled: true }])
    expect(Array.from(mem.readBytes(page, 6))).toEqual([0x0f, 0x01, 0xc1, 0xc3, 0xcc, 0xcc])
    expect(mem.read8(page + PAGE - 1)).toBe(0xcc)
    write(part, 0x40000001, page)
    expect(mem.readBytes(page, PAGE)).toEqual(Uint8Array.from({ length: PAGE }, (_, i) => i & 0xff))
    // A zero guest OS id disables the page too (KVM).
    write(part, 0x40000001, page | 1)
    write(part, 0x40000000, 0, 0)
    expect(read(part, 0x40000001)).toEqual([page, 0])
  })

  it('keeps a locked hypercall MSR, and refuses a page outside RAM', () => {
    const { part } = partition()
    write(part, 0x40000000, 1)
    expect(write(part, 0x40000001, 0x200000 | 1)).toBe('gp')
    expect(write(part, 0x40000001, 0xfffff001)).toBe('gp')
    write(part, 0x40000001, GuestPages.hypercall | 3)
    write(part, 0x40000001, 0)
    expect(read(part, 0x40000001)).toEqual([GuestPages.hypercall | 3, 0])
  })

  it('raises #GP for an unmasked SINT vector below 16 and for SynIC pages outside RAM', () => {
    const { part } = partition()
    expect(write(part, 0x40000092, 15)).toBe('gp')
    expect(write(part, 0x40000092, 34 | (1 << 17))).toBe('ok')
    expect(read(part, 0x40000092)).toEqual([34 | (1 << 17), 0])
    expect(write(part, 0x40000083, 0x100000 | 1)).toBe('gp')
    expect(write(part, 0x400000b0, (1 << 12) | (8 << 4) | 1)).toBe('gp') // STIMER0 direct mode, vector 8
  })

  it('runs STIMER0 from its MSRs: a periodic direct-mode 100 Hz tick', () => {
    const { part } = partition()
    write(part, 0x400000b0, 1 | 2 | (1 << 12) | (32 << 4), 0, 0)
    write(part, 0x400000b1, 100_000, 0, 0)
    expect(part.nextDeadline()).toBe(10 * MS)
    expect(part.advance(10 * MS)).toEqual([{ kind: 'interrupt', cause: 'stimer', timer: 0, vector: 32 }])
    expect(part.nextDeadline()).toBe(20 * MS)
  })
})

describe('hypercalls through the partition', () => {
  it('gives #UD at CPL 3 and before the hypercall page is enabled', () => {
    const { part } = partition()
    const regs = { eax: 0x1005d, ebx: 0, ecx: 0x11, edx: 0, esi: 0, edi: 0 }
    expect(part.hypercall(regs, 0)).toEqual({ kind: 'ud', reason: 'disabled' })
    enlighten(part)
    expect(part.hypercall(regs, 3)).toEqual({ kind: 'ud', reason: 'cpl' })
    expect(part.hypercall(regs, 0)).toMatchObject({ kind: 'done', status: 0 })
  })
})

describe('snapshot', () => {
  it('a partition restored from a snapshot carries on as the original does', () => {
    const setup = () => {
      const p = partition()
      enlighten(p.part)
      write(p.part, 0x400000b0, 1 | 2 | (1 << 12) | (32 << 4))
      write(p.part, 0x400000b1, 100_000)
      postMessage(p.part, p.mem, channelMessage(ChannelMsg.initiateContact, 0x40000, 0, 0, 0, 0, 0, 0, 0))
      takeSlot(p.part, p.mem, 2)
      postMessage(p.part, p.mem, channelMessage(ChannelMsg.requestOffers))
      return p
    }
    const a = setup()
    // Mid-protocol: an offer in the slot, two messages queued; keystrokes waiting for the channel.
    a.part.consoleInput(Uint8Array.of(1, 2, 3))
    const w = new StateWriter()
    a.part.saveState(w)
    const b = partition()
    b.mem.u8.set(a.mem.u8)
    b.part.loadState(new StateReader(w.finish()))

    const continueSession = ({ mem, part }: ReturnType<typeof partition>) => {
      const out: unknown[] = []
      while (mem.read32(GuestPages.simp + 512) !== 0) out.push(Array.from(takeSlot(part, mem, 2).payload))
      postMessage(
        part,
        mem,
        channelMessage(ChannelMsg.openChannel, 1, 1, GuestPages.consoleRings / PAGE, 0, 2),
      )
      out.push(Array.from(takeSlot(part, mem, 2).payload))
      const ring = new GuestRing(mem, GuestPages.consoleRings, 2)
      ring.put(6, 0, 0, textPacket('x'))
      out.push(signalEvent(part, 0x11))
      out.push(part.advance(30 * MS), part.nextDeadline(), read(part, 0x40000020, 30 * MS))
      out.push(Array.from(mem.readBytes(GuestPages.consoleRings, 4 * PAGE)))
      return out
    }
    expect(continueSession(b)).toEqual(continueSession(a))
  })
})

describe('malformed guest input', () => {
  it('random MSR writes, hypercalls and ring contents never throw or hang', () => {
    let seed = 0x2545f491
    const rand = () => {
      seed ^= seed << 13
      seed ^= seed >>> 17
      seed ^= seed << 5
      return seed >>> 0
    }
    const pick = <T>(xs: readonly T[]): T => xs[rand() % xs.length]
    for (let round = 0; round < 30; round++) {
      const { mem, part } = partition()
      enlighten(part)
      postMessage(part, mem, channelMessage(ChannelMsg.initiateContact, 0x40000, 0, 0, 0, 0, 0, 0, 0))
      takeSlot(part, mem, 2)
      postMessage(part, mem, channelMessage(ChannelMsg.requestOffers))
      while (mem.read32(GuestPages.simp + 512) !== 0) takeSlot(part, mem, 2)
      postMessage(
        part,
        mem,
        channelMessage(ChannelMsg.openChannel, 1, 1, GuestPages.consoleRings / PAGE, 0, 2),
      )
      postMessage(
        part,
        mem,
        channelMessage(ChannelMsg.openChannel, 2, 2, GuestPages.storageRings / PAGE, 0, 2),
      )
      for (let i = 0; i < 300; i++) {
        const now = i * 10_000
        switch (rand() % 5) {
          case 0:
            part.wrmsr(0x40000000 + (rand() % 0x100), rand(), pick([0, rand()]), now)
            break
          case 1:
            part.rdmsr(0x40000000 + (rand() % 0x100), now)
            break
          case 2:
            part.hypercall(
              {
                eax: pick([0x5c, 0x1005d, rand()]),
                ebx: pick([0, rand()]),
                ecx: pick([0x11, 0x12, GuestPages.postInput, rand()]),
                edx: pick([0, rand()]),
                esi: rand(),
                edi: rand(),
              },
              0,
            )
            break
          case 3: // scribble over a ring header or its data, then signal its channel
            mem.write32(
              pick([GuestPages.consoleRings, GuestPages.storageRings]) +
                pick([0, 4, 8, 12, PAGE + (rand() % PAGE)]),
              rand(),
            )
            signalEvent(part, pick([0x11, 0x12]))
            break
          default:
            part.advance(now)
            part.consoleInput(Uint8Array.of(rand() & 0xff))
        }
        expect(typeof part.nextDeadline()).toBe('number')
      }
    }
  })
})
