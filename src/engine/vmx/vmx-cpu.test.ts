/**
 * The model-facing API of VmxCpu (vmx-cpu.ts), with hand-assembled guest code: capturing a vCPU's
 * initial state in VMCS format, VM-entry failures as the SDM reports them, VMLAUNCH then VMRESUME,
 * a guest whose guest-physical memory is not at the same host address (EPT), EPT accessed/dirty
 * flags through the TLB, emulation that faults, forced exits, and snapshots in non-root operation.
 */
import { describe, expect, it } from 'vitest'
import { Cpu } from '../cpu/cpu'
import { MmioBus, PortBus } from '../machine/bus'
import { PhysicalMemory } from '../machine/memory'
import { StateReader, StateWriter } from '../snapshot'
import { EventBatcher } from '../trace/batcher'
import { RecordView } from '../trace/codec'
import { EventKind, RECORD_WORDS, W } from '../trace/schema'
import { EventSink } from '../trace/sink'
import type { GuestPhys, HostPhys } from '../types'
import { CR4_SUPPORTED } from '../cpu/constants'
import {
  CR4_FIXED1,
  PROC_ACTIVATE_SECONDARY,
  PROC_HLT_EXITING,
  PROC_RDPMC_EXITING,
  PROC2_ENABLE_EPT,
  PROC2_UNRESTRICTED_GUEST,
  VMX_TRUE_CAPS,
  adjustControls,
} from './controls'
import { EPT_ACCESSED, EPT_DIRTY, EptBuilder, EptMemType } from './ept'
import { IntrType } from './interruption-info'
import { Vmcs } from './vmcs'
import { VmcsField as F } from './vmcs-fields'
import { VmxCpu, type EmulatedIo } from './vmx-cpu'

/** Guest-physical 0 is host-physical GUEST_BASE: the guest cannot see that its RAM is not at 0. */
const GUEST_BASE = 0x400000
const GUEST_RAM = 0x200000
const EPT_TABLES = 0x700000

interface Machine {
  readonly cpu: Cpu
  readonly vmcs: Vmcs
  readonly vmx: VmxCpu
  readonly ept: EptBuilder
  readonly mem: PhysicalMemory
  readonly events: () => { kind: number; reason: number; arg0: number; arg1: number; arg2: number }[]
}

function machine(code: number[], opts: { accessedDirty?: boolean } = {}): Machine {
  const mem = new PhysicalMemory(8 << 20)
  const clock = { cycles: 0 }
  const sink = new EventSink(clock)
  const records: ReturnType<Machine['events']> = []
  const collect = (b: EventBatcher): void => {
    const batch = b.take()
    const v = new RecordView(batch.buffer)
    for (let k = 0; k < batch.count; k++) {
      const o = k * RECORD_WORDS
      records.push({
        kind: v.u32[o + W.head] & 0xff,
        reason: v.u32[o + W.reason] & 0xffff,
        arg0: v.u32[o + W.arg0],
        arg1: v.u32[o + W.arg1],
        arg2: v.u32[o + W.arg2],
      })
    }
  }
  const batcher = new EventBatcher(256, collect)
  sink.attach(batcher)
  const cpu = new Cpu({ mem, ports: new PortBus(), mmio: new MmioBus(), intc: null, sink, clock })
  mem.writeBytes(GUEST_BASE + 0x1000, Uint8Array.from(code))
  const ept = new EptBuilder(
    mem,
    { base: EPT_TABLES as HostPhys, size: 0x10000 },
    { accessedDirty: opts.accessedDirty ?? false },
  )
  ept.map(0 as GuestPhys, GUEST_BASE as HostPhys, GUEST_RAM, undefined, EptMemType.WB, 0x1000)
  const vmcs = new Vmcs()
  vmcs.write(F.PIN_BASED_VM_EXEC_CONTROL, adjustControls(0, VMX_TRUE_CAPS.pin))
  vmcs.write(
    F.CPU_BASED_VM_EXEC_CONTROL,
    adjustControls(PROC_HLT_EXITING | PROC_ACTIVATE_SECONDARY, VMX_TRUE_CAPS.proc),
  )
  vmcs.write(F.SECONDARY_VM_EXEC_CONTROL, PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST)
  vmcs.write(F.VM_EXIT_CONTROLS, adjustControls(0, VMX_TRUE_CAPS.exit))
  vmcs.write(F.VM_ENTRY_CONTROLS, adjustControls(0, VMX_TRUE_CAPS.entry))
  vmcs.write(F.EPT_POINTER, ept.eptp)
  vmcs.write(F.HOST_CR0, 0x80000031)
  vmcs.write(F.HOST_CR4, 0x2000)
  vmcs.write(F.HOST_CS_SELECTOR, 0x08)
  vmcs.write(F.HOST_SS_SELECTOR, 0x10)
  vmcs.write(F.HOST_TR_SELECTOR, 0x18)
  const vmx = new VmxCpu(cpu, vmcs)
  cpu.vmx = vmx
  cpu.resetFlat(0x1000, 0x8000)
  vmx.captureGuestState()
  vmx.setGuestCr0(cpu.cr0)
  vmx.setGuestCr4(cpu.cr4)
  return {
    cpu,
    vmcs,
    vmx,
    ept,
    mem,
    events: () => {
      collect(batcher)
      return records
    },
  }
}

const HLT = 0xf4

describe('VmxCpu', () => {
  it('offers the guest exactly the CR4 bits the CPU implements (IA32_VMX_CR4_FIXED1)', () => {
    expect(CR4_FIXED1).toBe(CR4_SUPPORTED)
  })

  it('captures the vCPU in VMCS format: access rights without the limit bits, a usable TR, the link pointer', () => {
    const { vmcs } = machine([HLT])
    expect(vmcs.read(F.GUEST_CS_AR_BYTES)).toBe(0xc09b) // G, D/B, P, DPL 0, S, type 11 (bits 11:8 reserved)
    expect(vmcs.read(F.GUEST_SS_AR_BYTES)).toBe(0xc093)
    expect(vmcs.read(F.GUEST_CS_LIMIT)).toBe(0xffffffff)
    expect(vmcs.read(F.GUEST_LDTR_AR_BYTES) & 0x10000).toBe(0x10000) // unusable
    expect([vmcs.read(F.GUEST_TR_AR_BYTES), vmcs.read(F.GUEST_TR_LIMIT)]).toEqual([0x8b, 0xffff]) // busy 32-bit TSS
    expect([vmcs.read(F.VMCS_LINK_POINTER), vmcs.readHigh(F.VMCS_LINK_POINTER)]).toEqual([
      0xffffffff, 0xffffffff,
    ])
    expect([vmcs.read(F.GUEST_RIP), vmcs.read(F.GUEST_RSP), vmcs.read(F.GUEST_RFLAGS)]).toEqual([
      0x1000, 0x8000, 2,
    ])
    // setGuestCr0/Cr4: the guest's view in the shadows, the VMX-fixed bits in the real values and masks.
    expect([vmcs.read(F.GUEST_CR0), vmcs.cr0Shadow, vmcs.cr0Mask]).toEqual([0x31, 0x11, 0x20])
    expect([vmcs.read(F.GUEST_CR4), vmcs.cr4Shadow, vmcs.cr4Mask]).toEqual([0x2000, 0, 0x2000])
  })

  it('fails VM entries as the SDM says: VMfailValid 7 and 8 leave the monitor in root, bad guest state is exit 33 with bit 31', () => {
    const m = machine([HLT])
    const proc = m.vmcs.read(F.CPU_BASED_VM_EXEC_CONTROL)
    m.vmcs.write(F.CPU_BASED_VM_EXEC_CONTROL, proc | PROC_RDPMC_EXITING) // not offered by IA32_VMX_PROCBASED_CTLS
    expect(m.vmx.enter()).toMatchObject({ ok: false, vmfailValid: 7 })
    expect(m.vmcs.read(F.VM_INSTRUCTION_ERROR)).toBe(7)
    expect(m.vmx.inRoot).toBe(true)
    m.vmcs.write(F.CPU_BASED_VM_EXEC_CONTROL, proc)
    m.vmcs.write(F.HOST_CR0, 0x31) // no PG
    expect(m.vmx.enter()).toMatchObject({ ok: false, vmfailValid: 8 })
    m.vmcs.write(F.HOST_CR0, 0x80000031)
    m.vmcs.write(F.GUEST_CR0, 0x11) // NE missing (IA32_VMX_CR0_FIXED0)
    const r = m.vmx.enter()
    expect(r).toMatchObject({ ok: false, exitReason: 0x80000021 })
    expect(r.ok ? '' : r.rule).toMatch(/CR0\.NE/)
    expect(m.vmcs.read(F.VM_EXIT_REASON)).toBe(0x80000021)
    expect(m.vmx.inRoot).toBe(true)
    expect(m.vmcs.launched).toBe(false)
    expect(
      m
        .events()
        .filter((e) => e.kind === EventKind.VmExit)
        .map((e) => e.reason),
    ).toEqual([33])
  })

  it('launches, exits, skips the instruction and resumes; guest memory lives where EPT puts it', () => {
    // inc dword [0x3000]; hlt; inc dword [0x3000]; hlt
    const m = machine([0xff, 0x05, 0x00, 0x30, 0x00, 0x00, HLT, 0xff, 0x05, 0x00, 0x30, 0x00, 0x00, HLT])
    expect(m.vmx.enter()).toEqual({ ok: true })
    expect([m.cpu.vmxMode, m.cpu.eip, m.cpu.cpl]).toEqual([2, 0x1000, 0])
    expect(m.cpu.run({ maxInsns: 100 })).toBe('stop')
    expect(m.vmx.inRoot).toBe(true)
    expect([m.vmcs.read(F.VM_EXIT_REASON), m.vmx.guestRip, m.vmcs.read(F.VM_EXIT_INSTRUCTION_LEN)]).toEqual([
      12, 0x1006, 1,
    ])
    expect(m.mem.read32(GUEST_BASE + 0x3000)).toBe(1) // host-physical GUEST_BASE + guest-physical 0x3000
    expect(m.mem.read32(0x3000)).toBe(0)
    m.vmx.skipInstruction()
    expect(m.vmx.enter()).toEqual({ ok: true })
    expect(m.cpu.run({ maxInsns: 100 })).toBe('stop')
    expect(m.vmx.guestRip).toBe(0x100d)
    expect(m.mem.read32(GUEST_BASE + 0x3000)).toBe(2)
    expect(m.vmx.translateGuest(0x3000)).toEqual({ guestPhys: 0x3000, hostPhys: GUEST_BASE + 0x3000 })
    expect([...m.vmx.readGuest(0x3000, 4)]).toEqual([2, 0, 0, 0])
    expect(m.vmx.writeGuest(0x3ffe, Uint8Array.of(7, 8, 9, 10))).toBe(true) // across a page boundary
    expect(m.mem.read32(GUEST_BASE + 0x3ffe)).toBe(0x0a090807)
    expect(m.vmx.translateGuest(GUEST_RAM + 0x10)).toBeNull() // beyond what EPT maps
    const ev = m.events()
    expect(ev.filter((e) => e.kind === EventKind.VmEntry).map((e) => [e.reason, e.arg0])).toEqual([
      [0, 0x1000], // VMLAUNCH
      [1, 0x1007], // VMRESUME after the skipped HLT
    ])
    expect(ev.filter((e) => e.kind === EventKind.VmExit).map((e) => [e.reason, e.arg1, e.arg2])).toEqual([
      [12, 0x1006, 1],
      [12, 0x100d, 1],
    ])
    // Entering and leaving non-root operation are ring changes root-r0 → nr-r0 → root-r0 (privilege.ts codes).
    const rings = ev.filter((e) => e.kind === EventKind.RingChange)
    expect(rings.slice(0, 2).map((e) => e.reason)).toEqual([9, 8])
  })

  it('sets the EPT accessed and dirty flags, and a write through a TLB entry filled by a read still sets dirty', () => {
    // mov eax, [0x5000]; hlt; mov [0x5000], eax; hlt
    const m = machine([0xa1, 0x00, 0x50, 0x00, 0x00, HLT, 0xa3, 0x00, 0x50, 0x00, 0x00, HLT], {
      accessedDirty: true,
    })
    const pte = (): number => {
      // The EPT PTE of guest-physical 0x5000: walk the builder's tables (PML4E → PDPTE → PDE → PTE).
      let table = m.vmcs.eptp & 0xfffff000
      for (const index of [0, 0, 0]) table = m.mem.read32(table + index * 8) & 0xfffff000
      return m.mem.read32(table + 5 * 8)
    }
    expect(pte() & (EPT_ACCESSED | EPT_DIRTY)).toBe(0)
    m.vmx.enter()
    m.cpu.run({ maxInsns: 100 })
    expect(pte() & (EPT_ACCESSED | EPT_DIRTY)).toBe(EPT_ACCESSED)
    m.vmx.skipInstruction()
    m.vmx.enter()
    m.cpu.run({ maxInsns: 100 })
    expect(pte() & (EPT_ACCESSED | EPT_DIRTY)).toBe(EPT_ACCESSED | EPT_DIRTY)
  })

  it('emulates an instruction that faults: the exception becomes the event the next entry injects', () => {
    const m = machine([HLT, 0x0f, 0x0b]) // hlt; ud2
    m.vmx.enter()
    m.cpu.run({ maxInsns: 10 })
    m.vmx.guestRip = 0x1001
    const io: EmulatedIo = { portIn: () => 0, portOut: () => {}, mmioRead: () => 0, mmioWrite: () => {} }
    expect(m.vmx.emulate(io)).toBe('fault')
    expect(m.vmcs.read(F.VM_ENTRY_INTR_INFO_FIELD)).toBe(0x80000306) // #UD, hardware exception
    expect(m.vmx.guestRip).toBe(0x1001) // fault-like: still at the UD2
  })

  it('a forced exit is recorded like the CPU’s own, at the next instruction', () => {
    const m = machine([0x40, 0x40, 0x40, HLT]) // inc eax ×3; hlt
    m.vmx.enter()
    m.cpu.run({ maxInsns: 2 })
    m.vmx.forceExit(52)
    expect(m.vmx.inRoot).toBe(true)
    expect([
      m.vmcs.read(F.VM_EXIT_REASON),
      m.vmx.guestRip,
      m.vmcs.read(F.VM_EXIT_INSTRUCTION_LEN),
      m.cpu.r[0],
    ]).toEqual([52, 0x1002, 0, 2])
    m.vmx.inject(0x30, IntrType.ExternalInterrupt)
    expect(m.vmcs.read(F.VM_ENTRY_INTR_INFO_FIELD)).toBe(0x80000030)
  })

  it('continues identically after a snapshot taken in non-root operation', () => {
    // A loop that sums into [0x3000] and halts after 1000 rounds.
    const code = [0xb9, 0xe8, 0x03, 0x00, 0x00, 0x01, 0x0d, 0x00, 0x30, 0x00, 0x00, 0xe2, 0xf8, HLT]
    const a = machine(code)
    a.vmx.enter()
    a.cpu.run({ maxInsns: 700 })
    expect(a.vmx.inRoot).toBe(false)
    const w = new StateWriter()
    a.cpu.saveState(w)
    a.vmcs.saveState(w)
    a.vmx.saveState(w)
    const bytes = w.finish()
    const b = machine(code)
    b.mem.u8.set(a.mem.u8)
    const r = new StateReader(bytes)
    b.cpu.loadState(r)
    b.vmcs.loadState(r)
    b.vmx.loadState(r)
    expect([b.vmx.inRoot, b.cpu.vmxMode]).toEqual([false, 2])
    for (const x of [a, b]) expect(x.cpu.run({ maxInsns: 10_000 })).toBe('stop')
    expect(b.mem.read32(GUEST_BASE + 0x3000)).toBe(a.mem.read32(GUEST_BASE + 0x3000))
    expect(b.mem.read32(GUEST_BASE + 0x3000)).toBe((1000 * 1001) / 2)
    expect([b.vmx.guestRip, b.cpu.instructions]).toEqual([a.vmx.guestRip, a.cpu.instructions])
  })
})
