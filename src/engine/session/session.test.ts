import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { EventBatcher } from '../trace/batcher'
import { RecordView, decodeEvent } from '../trace/codec'
import { EventKind, FlowKind, RECORD_BYTES } from '../trace/schema'
import { utf8Decode, utf8Encode } from '../util/utf8'
import { ConfigError } from './config'
import { Session } from './session'

const guest = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../public/guests/${name}`, import.meta.url)))
const native = {
  image: guest('ringos-native.elf'),
  disk: guest('ringos-disk.img'),
  platform: 'native' as const,
}

function bareSession(extra: Record<string, unknown> = {}) {
  return new Session({ arch: 'bare', vms: [{ ...native, ...extra }] })
}

function console1(s: Session): string {
  return s
    .takeConsoleOutput()
    .map((o) => utf8Decode(o.bytes))
    .join('')
}

/** Collects every event record the session emits, and hashes the stream. */
function recordAll(s: Session) {
  const chunks: Uint8Array[] = []
  const batcher = new EventBatcher(1 << 15, (b) => {
    const t = b.take()
    chunks.push(new Uint8Array(t.buffer, 0, t.count * RECORD_BYTES).slice())
  })
  s.attachEvents(batcher)
  return {
    flush() {
      const t = batcher.take()
      chunks.push(new Uint8Array(t.buffer, 0, t.count * RECORD_BYTES).slice())
    },
    hash() {
      this.flush()
      const h = createHash('sha256')
      for (const c of chunks) h.update(c)
      return h.digest('hex')
    },
    events() {
      this.flush()
      return chunks.flatMap((c) => {
        const v = new RecordView(c.buffer as ArrayBuffer, c.byteOffset, c.length / RECORD_BYTES)
        return Array.from({ length: v.capacity }, (_, i) => decodeEvent(v, i))
      })
    },
  }
}

describe('Session on bare metal', () => {
  it('boots ringos to its prompt and runs a command typed into its console', () => {
    const s = bareSession()
    expect(s.run({ maxInstructions: 20_000_000, untilIdleMs: 100 }).stop).toBe('idle')
    expect(console1(s)).toMatch(/ringos .* native platform[\s\S]*\$ $/)
    s.input(1, utf8Encode('echo hello\n'))
    expect(s.run({ maxInstructions: 20_000_000, untilIdleMs: 100 }).stop).toBe('idle')
    expect(console1(s)).toBe('echo hello\r\nhello\r\n$ ')
  })

  it('reports system calls, timer interrupts and UART accesses as flows through the bare-metal components', () => {
    const s = bareSession()
    const rec = recordAll(s)
    s.run({ maxInstructions: 20_000_000, untilIdleMs: 100 })
    const evs = rec.events()
    const name = (i: number) => s.topology.components[i]!.id
    const hops = new Set(
      evs.filter((e) => e.kind === EventKind.Hop).map((e) => `${name(e.from)}>${name(e.to)}`),
    )
    expect(hops).toContain('guest-user>guest-kernel')
    expect(hops).toContain('timer>guest-kernel')
    expect(hops).toContain('guest-kernel>uart')
    expect(hops).toContain('guest-kernel>disk')
    const syscalls = evs.filter((e) => e.kind === EventKind.FlowBegin && e.reason === FlowKind.Syscall)
    expect(syscalls.length).toBeGreaterThan(0)
    // Every hop's cost advanced the clock: the flows' total is part of the elapsed cycles.
    const hopCycles = evs.filter((e) => e.kind === EventKind.Hop).reduce((a, e) => a + e.cost, 0)
    expect(hopCycles).toBeGreaterThan(0)
    expect(s.clock.cycles).toBeGreaterThan(hopCycles)
  })

  it('is deterministic: the same inputs give the same event stream', () => {
    const run = () => {
      const s = bareSession()
      const rec = recordAll(s)
      s.run({ maxInstructions: 3_000_000 })
      s.input(1, utf8Encode('ps\n'))
      s.run({ maxInstructions: 3_000_000 })
      return rec.hash()
    }
    expect(run()).toBe(run())
  })

  it('continues identically after a snapshot is restored', () => {
    const s = bareSession()
    s.run({ maxInstructions: 2_000_000 })
    const booted = console1(s)
    const snap = s.snapshot()
    s.input(1, utf8Encode('ls\n'))
    s.run({ maxInstructions: 4_000_000 })
    const a = { out: console1(s), cycles: s.clock.cycles, insns: s.instructions }
    s.restore(snap)
    // The replaced vCPU let go of the code it had decoded: no page still counts as holding code, so
    // memory writes no longer reach it.
    expect(s.hostMemory.codePages.some((n) => n !== 0)).toBe(false)
    // The restored console history is handed out again, so a terminal can redraw it.
    expect(console1(s)).toBe(booted)
    s.input(1, utf8Encode('ls\n'))
    s.run({ maxInstructions: 4_000_000 })
    expect(a.out).toContain('bin/ls')
    expect({ out: console1(s), cycles: s.clock.cycles, insns: s.instructions }).toEqual(a)
  })

  it('steps by instruction, by event and by flow', () => {
    const s = bareSession()
    const eip0 = s.inspect().vms[0]!.cpu!.eip
    expect(s.step('instruction')).toMatchObject({ stop: 'step', instructions: 1 })
    expect(s.inspect().vms[0]!.cpu!.eip).not.toBe(eip0)
    const rec = recordAll(s)
    expect(s.step('event').stop).toBe('step')
    const evs = rec.events().filter((e) => e.kind !== EventKind.InsnRetired)
    expect(evs.length).toBeGreaterThanOrEqual(1)
    expect(s.step('flow').stop).toBe('step')
    expect(rec.events().some((e) => e.kind === EventKind.FlowEnd)).toBe(true)
  })

  it("passes the machine's platform in the multiboot information, as the boot loader's name", () => {
    const s = new Session({ arch: 'bare', vms: [{ ...native, platform: 'virtio' }] })
    const vm = s.vms[0]!
    const info = vm.image!.ebx
    const m = vm.memory
    expect(m.read32(info) & (1 << 9)).not.toBe(0) // flags: boot_loader_name valid (Multiboot §3.3)
    const name = m.read32(info + 64)
    let text = ''
    for (let a = name; m.read8(a) !== 0; a++) text += String.fromCharCode(m.read8(a))
    expect(text).toBe('Ringside platform=virtio')
  })

  it('rejects what it cannot run, with a clear error', () => {
    expect(() => new Session({ arch: 'bare', vms: [native, native] })).toThrow(/at most 1 VM/)
    expect(() => new Session({ arch: 'nope', vms: [native] })).toThrow(ConfigError)
    expect(() => new Session({ arch: 'bare', vms: [{ ...native, image: new Uint8Array() }] })).toThrow(
      /image is empty/,
    )
    expect(() => new Session({ arch: 'bare', vms: [{ ...native, memMiB: 1 }] })).toThrow(/memMiB/)
    expect(() => new Session({ arch: 'bare', vms: [{ ...native, platform: 'xen-pv' }] })).toThrow(
      /native or virtio platform, not xen-pv/,
    )
  })
})
