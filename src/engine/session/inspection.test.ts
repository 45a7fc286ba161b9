import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { PhysicalMemory } from '../machine/memory'
import type { GuestPhys, GuestVirt, HostPhys } from '../types'
import { EptBuilder } from '../vmx/ept'
import { ExitReason } from '../vmx/exit-reasons'
import { ioQualification } from '../vmx/qualification'
import { Vmcs } from '../vmx/vmcs'
import { VmcsField } from '../vmx/vmcs-fields'
import { twoDimensionalWalk } from '../vmx/two-dimensional-walk'
import { describeExit, inspectSession, listingAround, type VmcsProvider } from './inspection'
import { describeGuestEntry, walkPaging, walkTwoDimensional } from './page-walk'
import { Session } from './session'

const guestFile = (name: string) => readFileSync(new URL(`../../../public/guests/${name}`, import.meta.url))

interface MapImage {
  readonly functions: readonly { name: string; start: number; end: number }[]
  readonly objects: readonly { name: string; start: number; end: number }[]
}
const kernelMap = (
  JSON.parse(guestFile('ringos-native.map.json').toString()) as { images: { kernel: MapImage } }
).images.kernel

function bootedSession(): Session {
  const s = new Session({
    arch: 'bare',
    vms: [
      {
        image: new Uint8Array(guestFile('ringos-native.elf')),
        disk: new Uint8Array(guestFile('ringos-disk.img')),
        platform: 'native',
      },
    ],
  })
  expect(s.run({ maxInstructions: 20_000_000, untilIdleMs: 100 }).stop).toBe('idle')
  return s
}

/** Reads 32 bits little-endian through a DataView: independent of the engine's memory classes. */
function dword(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true)
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

let s: Session
let ram: Uint8Array
let cr3: number
beforeAll(() => {
  s = bootedSession()
  ram = s.hostMemory.u8
  cr3 = s.vms[0]!.cpu.cr3
})

describe('page walk of a booted ringos', () => {
  const regs = () => {
    const c = s.vms[0]!.cpu
    return { cr0: c.cr0, cr3: c.cr3, cr4: c.cr4 }
  }

  it('finds the same entries and address as the page tables read directly from memory', () => {
    // Kernel code, a kernel data object, and the user program area (programs link at 0x40000000).
    const kmain = kernelMap.functions.find((f) => f.name === 'kmain')!
    const current = kernelMap.objects.find((o) => o.name === 'current')!
    for (const linear of [kmain.start + 5, current.start, 0x40000000, 0x7ffffffc]) {
      const w = walkPaging(s.hostMemory, regs(), linear, { write: false, user: false })
      const pdeAt = (cr3 & 0xfffff000) + (linear >>> 22) * 4
      const pde = dword(ram, pdeAt)
      expect(w.dimensions).toBe('1d')
      expect(w.references[0]).toEqual({
        stage: 'guest',
        level: 2,
        address: pdeAt,
        guestPhys: null,
        entry: pde,
      })
      if ((pde & 1) === 0) {
        expect(w.outcome).toBe('page-fault')
        expect(w.references).toHaveLength(1)
        continue
      }
      const pteAt = (pde & 0xfffff000) + ((linear >>> 12) & 0x3ff) * 4
      const pte = dword(ram, pteAt)
      expect(w.references[1]).toEqual({
        stage: 'guest',
        level: 1,
        address: pteAt,
        guestPhys: null,
        entry: pte,
      })
      if ((pte & 1) === 0) {
        expect(w.outcome).toBe('page-fault')
        expect(w.code).toBe(0)
        continue
      }
      expect(w.outcome).toBe('ok')
      expect(w.physical).toBe(((pte & 0xfffff000) | (linear & 0xfff)) >>> 0)
    }
  })

  it('agrees with the CPU’s own walker on every mapped page of the kernel image and the first user pages', () => {
    const cpu = s.vms[0]!.cpu
    for (let linear = 0; linear < 0x40400000; linear += linear < 0x200000 ? 0x1000 : 0x100000) {
      for (const access of [
        { write: false, user: false },
        { write: true, user: true },
      ]) {
        const mine = walkPaging(s.hostMemory, regs(), linear, access)
        const theirs = cpu.walk(linear, access)
        expect(mine.physical, `0x${linear.toString(16)}`).toBe(theirs.physical)
        expect(mine.outcome === 'page-fault' ? mine.code : null).toBe(theirs.faultErrorCode)
        expect(mine.references.map((r) => [r.address, r.entry])).toEqual(
          theirs.refs.map((r) => [r.address, r.entry]),
        )
      }
    }
  })

  it('leaves page 0 unmapped, as the guest README says, and names the entry bits', () => {
    const w = walkPaging(s.hostMemory, regs(), 0x10, { write: false, user: false })
    expect(w.outcome).toBe('page-fault')
    const kernelCode = walkPaging(s.hostMemory, regs(), 0x100010, { write: false, user: false })
    const pte = kernelCode.references[1]!
    const described = describeGuestEntry(1, pte.entry!, false)
    expect(described.frame).toBe(0x100000)
    expect(described.bits.find((b) => b.name === 'P')?.set).toBe(true)
    // Kernel memory is supervisor-only (guest/README.md).
    expect(described.bits.find((b) => b.name === 'U/S')?.set).toBe(false)
  })

  it('under an identity EPT, the 2D walk ends at the 1D walk’s address with g × (e + 1) + e references', () => {
    // A copy of the machine's memory with EPT tables above the guest's 64 MiB.
    const host = new PhysicalMemory(s.hostMemory.size + (4 << 20))
    host.u8.set(ram)
    const fourK = new EptBuilder(host, { base: s.hostMemory.size as HostPhys, size: 2 << 20 })
    fourK.map(0 as GuestPhys, 0 as HostPhys, s.hostMemory.size, undefined, undefined, 0x1000)
    const twoM = new EptBuilder(host, { base: (s.hostMemory.size + (2 << 20)) as HostPhys, size: 2 << 20 })
    twoM.map(0 as GuestPhys, 0 as HostPhys, s.hostMemory.size, undefined, undefined, 0x200000)
    const linear = kernelMap.functions.find((f) => f.name === 'kmain')!.start
    const one = walkPaging(host, regs(), linear, { write: false, user: false })
    expect(one.outcome).toBe('ok')
    // 32-bit guest paging, 4 KiB page: g = 2 guest references, each behind an EPT walk of e
    // references (4 with 4 KiB EPT pages, 3 with 2 MiB leaves), plus the final EPT walk.
    for (const [builder, e] of [
      [fourK, 4],
      [twoM, 3],
    ] as const) {
      const two = walkTwoDimensional(host, builder.eptp, regs(), linear)
      expect(two.outcome).toBe('ok')
      expect(two.references).toHaveLength(2 * (e + 1) + e)
      expect(two.references.map((r) => r.stage)).toEqual([
        ...Array<string>(e).fill('ept'),
        'guest',
        ...Array<string>(e).fill('ept'),
        'guest',
        ...Array<string>(e).fill('ept'),
      ])
      expect(two.physical).toBe(one.physical)
      expect(two.hostPhys).toBe(one.physical)
      expect(two.pageSize).toBe(4096)
      // The guest entries are the same entries the 1D walk read, at their guest-physical addresses.
      const guest = two.references.filter((r) => r.stage === 'guest')
      expect(guest.map((r) => [r.guestPhys, r.entry])).toEqual(
        one.references.map((r) => [r.address, r.entry]),
      )
      // Same as the VT-x module's walk, reference by reference.
      const raw = twoDimensionalWalk(host, builder.eptp, regs(), linear as GuestVirt, 'read')
      expect(two.references.map((r) => r.address)).toEqual(raw.references.map((r) => r.hostPhys))
    }
  })
})

describe('inspectSession', () => {
  it('reads only: memory, the clock and the event counts are unchanged', () => {
    const before = { mem: sha(ram), cycles: s.clock.cycles, counts: Array.from(s.sink.counts) }
    // A mapped but never accessed page: its PTE's accessed flag must stay clear.
    const candidates = Array.from({ length: 0x400 }, (_, i) => 0x2000000 + i * 0x1000)
    const untouched = candidates.find((lin) => {
      const w = walkPaging(s.hostMemory, s.vms[0]!.cpu, lin, { write: false, user: false })
      return w.outcome === 'ok' && (w.references[1]!.entry! & 0x20) === 0
    })
    expect(untouched).toBeDefined()
    const current = kernelMap.objects.find((o) => o.name === 'current')!.start
    const d = inspectSession(s, {
      vm: 1,
      linear: untouched,
      task: { pointer: current, nameOffset: 12, nameLength: 32 },
    })
    expect(d.detail?.walk?.outcome).toBe('ok')
    expect({ mem: sha(ram), cycles: s.clock.cycles, counts: Array.from(s.sink.counts) }).toEqual(before)
  })

  it('has the shape the UI draws: every VM’s context, one VM in detail, the session’s counters', () => {
    const current = kernelMap.objects.find((o) => o.name === 'current')!.start
    const d = inspectSession(s, {
      vm: 1,
      linear: 0x100010,
      task: { pointer: current, nameOffset: 12, nameLength: 32 },
    })
    expect(d.arch).toBe('bare')
    expect(d.vms).toHaveLength(1)
    expect(d.vms[0]!.context).toEqual({ vmx: 'off', cpl: expect.any(Number) })
    expect(d.cyclesByComponent).toHaveLength(s.topology.components.length)
    expect(d.cyclesByComponent.reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
    expect(d.flowCounts.some((n) => n > 0)).toBe(true)
    const detail = d.detail!
    expect(detail.cpu?.eip).toBe(s.vms[0]!.cpu.eip >>> 0)
    expect(detail.vmcs).toBeNull()
    expect(detail.walk?.physical).toBe(0x100010)
    // ringos keeps process names in struct proc (guest/kernel/sched.h: name at offset 12).
    expect(['idle', 'init', 'sh', 'clockd']).toContain(detail.task)
    // Structured-cloneable: what crosses from the worker is what the UI gets.
    expect(structuredClone(d)).toEqual(d)
    expect(inspectSession(s, { vm: 2 }).detail).toBeNull()
  })

  it('gives the code around EIP, listed as objdump lists the kernel image', () => {
    const code = inspectSession(s, { vm: 1 }).detail!.code!
    const eip = s.vms[0]!.cpu.eip >>> 0
    expect(code.address).toBeLessThanOrEqual(eip)
    expect(code.address + code.bytes.length).toBeGreaterThan(eip)
    const fn = kernelMap.functions.find((f) => f.start <= eip && eip < f.end)!
    expect(fn, `EIP 0x${eip.toString(16)} in a kernel function`).toBeDefined()
    const lines = listingAround(code, eip, fn.start, 4, 6)
    expect(lines.filter((l) => l.current).map((l) => l.address)).toEqual([eip])
    expect(lines.length).toBeGreaterThan(1)
    let objdump: string
    try {
      objdump = execFileSync('objdump', [
        '-d',
        '-M',
        'intel',
        '--insn-width=16',
        `--start-address=0x${lines[0]!.address.toString(16)}`,
        `--stop-address=0x${(lines[lines.length - 1]!.address + lines[lines.length - 1]!.bytes.length).toString(16)}`,
        new URL('../../../public/guests/ringos-native.elf', import.meta.url).pathname,
      ]).toString()
    } catch {
      console.warn('skipped the objdump comparison: needs objdump (Debian package binutils)')
      return
    }
    const ref = objdump
      .split('\n')
      .map((l) => /^\s*([0-9a-f]+):\t[0-9a-f ]+\t(.*)$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => [
        parseInt(m[1]!, 16),
        m[2]!
          .replace(/\b([0-9a-f]+) <[^>]*>/g, '0x$1')
          .replace(/\s+/g, ' ')
          .trim(),
      ])
    expect(lines.map((l) => [l.address, l.text])).toEqual(ref)
  })

  it('finds the instruction boundary before EIP without a symbol map', () => {
    const code = inspectSession(s, { vm: 1 }).detail!.code!
    const eip = s.vms[0]!.cpu.eip >>> 0
    const fn = kernelMap.functions.find((f) => f.start <= eip && eip < f.end)!
    const withMap = listingAround(code, eip, fn.start, 3, 3)
    const without = listingAround(code, eip, null, 3, 3)
    expect(without.map((l) => l.address)).toEqual(withMap.map((l) => l.address))
  })

  it('shows the VMCS and its last exit by name when the model provides one', () => {
    const vmcs = new Vmcs()
    vmcs.launched = true
    vmcs.recordExit(ExitReason.IO_INSTRUCTION, ioQualification(0x3f8, 1, false, false, false, false))
    vmcs.write(VmcsField.VM_EXIT_INSTRUCTION_LEN, 1)
    vmcs.write(VmcsField.GUEST_RIP, 0x1234)
    const model = s.model as unknown as Partial<VmcsProvider>
    model.vmcsOf = () => vmcs
    try {
      const v = inspectSession(s, { vm: 1 }).detail!.vmcs!
      expect(v.eptEnabled).toBe(false)
      expect(v.fields.find((f) => f.name === 'GUEST_RIP')?.value).toBe(0x1234)
      expect(v.lastExit).toMatchObject({
        basic: 30,
        name: 'I/O instruction',
        instructionLength: 1,
        guestEip: 0x1234,
        guestLinear: null,
        guestPhysical: null,
      })
      expect(Object.fromEntries(v.lastExit!.decoded)).toMatchObject({
        direction: 'OUT',
        port: 0x3f8,
        size: 1,
      })
    } finally {
      delete model.vmcsOf
    }
  })

  it('describes an EPT violation with its guest-physical and guest-linear addresses', () => {
    const e = describeExit(ExitReason.EPT_VIOLATION, 0x181 | 0x2, {
      guestLinear: 0xc0001000,
      guestPhysical: 0x1000,
    })
    expect(e.name).toBe('EPT violation')
    expect(e.guestPhysical).toBe(0x1000)
    expect(e.guestLinear).toBe(0xc0001000)
    expect(Object.fromEntries(e.decoded)).toMatchObject({ write: true, access: 'translation' })
    // An exit that defines neither address shows neither.
    expect(describeExit(ExitReason.CPUID, 0, { guestLinear: 5, guestPhysical: 6 })).toMatchObject({
      guestLinear: null,
      guestPhysical: null,
    })
  })
})
