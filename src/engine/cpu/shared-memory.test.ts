/**
 * Several CPUs on one host memory (one vCPU per VM, each VM's RAM a window of host RAM): a write into
 * one VM's code — by a device, a hypervisor model or another CPU — must reach the decoded-instruction
 * cache of the CPU that runs that code, whichever CPU was created last (SDM Vol. 3A §11.6).
 */
import { describe, expect, it } from 'vitest'
import { MmioBus, PortBus } from '../machine/bus'
import { MemoryWindow, PhysicalMemory } from '../machine/memory'
import { EventSink } from '../trace/sink'
import { Cpu } from './cpu'

const VM1 = 0x100000
const VM2 = 0x300000

function cpuOn(mem: PhysicalMemory): Cpu {
  const clock = { cycles: 0 }
  return new Cpu({
    mem,
    ports: new PortBus(),
    mmio: new MmioBus(),
    intc: null,
    sink: new EventSink(clock),
    clock,
  })
}

/** `mov eax, imm32; cli; hlt` */
function movHalt(value: number): number[] {
  return [0xb8, value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24, 0xfa, 0xf4]
}

/** Runs `cpu` from `entry` until it halts and returns EAX. */
function runFrom(cpu: Cpu, entry: number): number {
  cpu.resetFlat(entry, 0x80000)
  expect(cpu.run({ maxInsns: 1000 })).toBe('halted')
  return cpu.r[0] >>> 0
}

describe('decoded code shared memory', () => {
  it('a device write into VM 2 reaches VM 2’s CPU while VM 1 runs, whichever CPU was created last', () => {
    const mem = new PhysicalMemory(4 << 20)
    const vm2 = cpuOn(mem)
    const vm1 = cpuOn(mem)
    mem.writeBytes(VM1, Uint8Array.of(0x40, 0xeb, 0xfd)) // inc eax; jmp back
    mem.writeBytes(VM2, Uint8Array.from(movHalt(0x11111111)))
    expect(runFrom(vm2, VM2)).toBe(0x11111111)
    vm1.resetFlat(VM1, 0x80000)
    expect(vm1.run({ maxInsns: 500 })).toBe('max-insns')
    // A device of VM 2 (its memory window starts at 2 MiB of host memory) rewrites the immediate.
    new MemoryWindow(mem, 0x200000, 0x200000).write32(VM2 - 0x200000 + 1, 0x22222222)
    expect(vm1.run({ maxInsns: 500 })).toBe('max-insns')
    expect(runFrom(vm2, VM2)).toBe(0x22222222)
  })

  it('a store by one CPU into code another CPU decoded invalidates it, even through a TLB entry filled before', () => {
    const mem = new PhysicalMemory(4 << 20)
    const writer = cpuOn(mem)
    const runner = cpuOn(mem)
    // The writer stores into VM 2's page first (its TLB maps the page while no CPU holds code there),
    // then, after the runner decoded the page, stores the new immediate through that TLB entry.
    const store = (at: number, v: number): number[] => [
      0xc7,
      0x05,
      at & 0xff,
      (at >>> 8) & 0xff,
      (at >>> 16) & 0xff,
      at >>> 24,
      v & 0xff,
      (v >>> 8) & 0xff,
      (v >>> 16) & 0xff,
      v >>> 24,
    ]
    mem.writeBytes(
      VM1,
      Uint8Array.from([...store(VM2 + 0x800, 0), 0xfa, 0xf4, ...store(VM2 + 1, 0x33333333), 0xfa, 0xf4]),
    )
    mem.writeBytes(VM2, Uint8Array.from(movHalt(0x11111111)))
    expect(runFrom(writer, VM1)).toBe(0)
    expect(runFrom(runner, VM2)).toBe(0x11111111)
    writer.halted = 0 // resume after the HLT with the TLB as it is
    expect(writer.run({ maxInsns: 100 })).toBe('halted')
    expect(writer.eip).toBe(VM1 + 24)
    expect(runFrom(runner, VM2)).toBe(0x33333333)
  })

  it('a disposed CPU no longer counts its decoded pages', () => {
    const mem = new PhysicalMemory(4 << 20)
    const old = cpuOn(mem)
    mem.writeBytes(VM2, Uint8Array.from(movHalt(1)))
    runFrom(old, VM2)
    expect(mem.codePages[VM2 >>> 12]).toBe(1)
    old.dispose()
    expect(mem.codePages[VM2 >>> 12]).toBe(0)
  })
})
