// ringos-xen-pv.elf under the xen-pv model (issue 9): boot to the prompt, the shell's commands and the
// lab programs, and the properties that make it paravirtualization — no trap for CLI/STI, CR3 loads
// and page-table updates only through Xen, the disk through the split driver and Dom0, system calls
// on Xen's fast path — checked on the event stream, Xen's frame table and the kernel's own code.
// Expected values come from the disk's files, the kernel's symbol map, objdump and Xen's rules.
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { XenPvModel } from '../../src/engine/hv/xen-pv/model'
import { PageType } from '../../src/engine/hv/xen-pv/page-types'
import { Session } from '../../src/engine/session/session'
import { EventBatcher } from '../../src/engine/trace/batcher'
import { RecordView, decodeEvent } from '../../src/engine/trace/codec'
import { EventKind, FlowKind, RECORD_BYTES, type TraceEvent } from '../../src/engine/trace/schema'
import { utf8Decode, utf8Encode } from '../../src/engine/util/utf8'
import { fields, runGuest, transcript, type Step } from './runner'
import { GUESTS, REPO } from './tools'

const FS = join(REPO, 'guest', 'fs')
const ELF = join(GUESTS, 'ringos-xen-pv.elf')
const image = new Uint8Array(readFileSync(ELF))
const disk = new Uint8Array(readFileSync(join(GUESTS, 'ringos-disk.img')))
const STEPS = 600_000_000

const SESSION = [
  'echo hi there',
  'ps',
  'cat motd',
  'ls',
  'cpuinfo',
  'uptime',
  'bench syscall',
  'bench io',
  'forkwait 5',
  'ptemod 200',
  'popf',
  'sgdt',
  'fault',
  'echo still here',
]

interface KernelMap {
  functions: { name: string; start: number; end: number }[]
  objects: { name: string; start: number; end: number }[]
}
const kernelMap = (
  JSON.parse(readFileSync(join(GUESTS, 'ringos-xen-pv.map.json'), 'utf8')) as {
    images: { kernel: KernelMap }
  }
).images.kernel
const symbol = (name: string) => {
  const s = [...kernelMap.functions, ...kernelMap.objects].find((o) => o.name === name)
  if (!s) throw new Error(`no ${name} in the kernel map`)
  return s
}

function newSession(): Session {
  return new Session({ arch: 'xen-pv', vms: [{ image, disk, platform: 'xen-pv' }] })
}

const model = (s: Session) => s.model as XenPvModel

/** Collects every event record the session emits. */
function record(s: Session) {
  const chunks: Uint8Array[] = []
  const take = (b: EventBatcher) => {
    const t = b.take()
    chunks.push(new Uint8Array(t.buffer, 0, t.count * RECORD_BYTES).slice())
  }
  const batcher = new EventBatcher(1 << 15, take)
  s.attachEvents(batcher)
  return {
    hash(): string {
      take(batcher)
      const h = createHash('sha256')
      for (const c of chunks) h.update(c)
      return h.digest('hex')
    },
    events(): TraceEvent[] {
      take(batcher)
      return chunks.flatMap((c) => {
        const v = new RecordView(c.buffer as ArrayBuffer, c.byteOffset, c.length / RECORD_BYTES)
        return Array.from({ length: v.capacity }, (_, i) => decodeEvent(v, i))
      })
    },
  }
}

function type(s: Session, input: string): string {
  if (input) s.input(1, utf8Encode(input))
  expect(s.run({ maxInstructions: STEPS, untilIdleMs: 100 }).stop).toBe('idle')
  return s
    .takeConsoleOutput()
    .map((o) => utf8Decode(o.bytes))
    .join('')
}

/** The flows of an event stream, each as its kind and its hops as "from>to" component ids. */
function flows(s: Session, events: readonly TraceEvent[]): { kind: number; hops: string[] }[] {
  const name = (i: number) => s.topology.components[i]!.baseId
  const out: { kind: number; hops: string[] }[] = []
  let open: { kind: number; hops: string[] } | null = null
  for (const e of events) {
    if (e.kind === EventKind.FlowBegin) out.push((open = { kind: e.reason, hops: [] }))
    else if (e.kind === EventKind.Hop && open) open.hops.push(`${name(e.from)}>${name(e.to)}`)
    else if (e.kind === EventKind.FlowEnd) open = null
  }
  return out
}

describe('ringos-xen-pv.elf on the xen-pv model', () => {
  let boot: { s: Session; console: string }
  let s: Session
  let out: string
  let events: TraceEvent[]
  let steps: Step[]
  const step = (command: string): string => {
    const x = steps.find((y) => y.command === command)
    if (!x) throw new Error(`'${command}' is not in the transcript`)
    return x.output
  }

  beforeAll(() => {
    const b = newSession()
    boot = { s: b, console: type(b, '') }
    s = newSession()
    const rec = record(s)
    out = type(s, SESSION.join('\n') + '\n')
    events = rec.events()
    steps = transcript(out).steps
  }, 300_000)

  it('boots to the prompt: start_info, the trap table, the GDT by frame, the kernel checks Xen with forced CPUID', () => {
    const t = transcript(boot.console)
    expect(t.boot).toMatch(/^ringos 1\.0 on the xen-pv platform \(Xen 32-bit PV: .*blkfront\)$/m)
    expect(t.boot).toMatch(/^memory: 65536 KiB, \d+ pages free; command line: ""$/m)
    expect(t.boot).toMatch(/^timer: 100 Hz; TSC: \d+ kHz \(measured against the timer\)$/m)
    expect(t.boot).toMatch(/^disk: 1024 sectors, \d+ files$/m)
    expect(t.steps).toEqual([{ command: '', output: '' }])
    expect(boot.s.instructions).toBeLessThan(6_000_000)
    const st = model(boot.s).stats
    for (const h of ['set_trap_table', 'set_gdt', 'set_callbacks', 'grant_table_op', 'vcpu_op'])
      expect(st.hypercalls.get(h), h).toBe(1)
    // The only trap besides hypercalls: the forced-emulation CPUID (#UD), answered by Xen.
    expect(Object.fromEntries(st.emulated)).toEqual({ cpuid: 1 })
    expect(boot.s.vms[0]!.cpu.faultCounts[6]).toBe(1)
    expect(boot.s.vms[0]!.cpu.cpl).toBe(1)
  })

  it('runs every command of the session', () => {
    expect(steps.map((x) => x.command)).toEqual([...SESSION, ''])
    expect(step('echo hi there')).toBe('hi there\n')
    expect(step('echo still here')).toBe('still here\n')
    expect(step('uptime')).toMatch(/^up \d+\.\d\d s \(\d+ timer ticks at 100 Hz\)\n$/)
    expect(step('cat motd')).toBe(readFileSync(join(FS, 'motd'), 'utf8'))
    const listed = new Map(
      step('ls')
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .map(([size, name]) => [name, Number(size)]),
    )
    for (const f of readdirSync(FS)) expect(listed.get(f), f).toBe(statSync(join(FS, f)).size)
  })

  it('ps: the programs in ring 3, the idle loop in ring 1', () => {
    const rows = step('ps')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
    expect(rows.find((r) => r[6] === 'idle')?.[2]).toBe('1')
    expect(rows.filter((r) => r[2] === '3').length).toBeGreaterThanOrEqual(3)
  })

  it('cpuinfo: a PV guest’s plain CPUID does not trap, so ring 3 sees the bare CPU', () => {
    expect(step('cpuinfo')).toMatch(/^hypervisor: none \(CPUID\.1:ECX\[31\] clear\)$/m)
  })

  it('lab programs: bench, forkwait and ptemod complete', () => {
    expect(fields(step('bench syscall'), 'bench syscall:')).toMatchObject({ calls: '10000' })
    expect(fields(step('bench io'), 'bench io:')).toMatchObject({ reads: '64', errors: '0' })
    expect(fields(step('forkwait 5'), 'forkwait:')).toMatchObject({ children: '5', failed: '0' })
    expect(fields(step('ptemod 200'), 'ptemod:')).toMatchObject({ updates: '200', check: 'ok' })
  })

  it('popf is right: the kernel’s interrupt flag is the event mask, and no tick arrives while it is set', () => {
    expect(fields(step('popf'), 'popf:')).toEqual({
      if_before: '1',
      if_after: '0',
      ticks_while_disabled: '0',
      spin_ms: '30',
      result: 'ok',
    })
  })

  it('sgdt: right for the kernel, which knows its GDT (it gave it to Xen); ring 3 sees Xen’s per-vCPU GDT mapping', () => {
    const hex = (n: number, d: number) => '0x' + n.toString(16).padStart(d, '0')
    const gdt = `${hex(symbol('gdt').start, 8)}/0x002f`
    // set_gdt takes frames, not an address: Xen maps them at GDT_VIRT_START (0xFC400000) with its own
    // reserved page behind them (limit 15 pages − 1), and that is what GDTR holds.
    expect(fields(step('sgdt'), 'sgdt:')).toEqual({
      lgdt: gdt,
      ring3: '0xfc400000/0xefff',
      kernel: gdt,
      kernel_cpl: '1',
      result: 'match',
      ring3_result: 'mismatch',
    })
  })

  it('a faulting program is reported by the kernel (its CR2 read is emulated by Xen) and killed', () => {
    const o = step('fault')
    expect(o).toMatch(/^\*\*\* exception #PF \(vector 14, page fault\) in process \d+ \(fault\) at ring 3$/m)
    expect(o).toMatch(/error 0x00000006 \(not present, write, user\) {2}cr2 0x00000000$/m)
    expect(o).toMatch(/^sh: fault was killed by exception 14$/m)
    expect(model(s).stats.bounced.get(14)).toBe(1)
    expect(model(s).stats.emulated.get('mov from cr2')).toBe(1)
  })

  it("no #GP for CLI/STI: the kernel's only raw privileged instruction is the CR2 read, and it is the only #GP", () => {
    const gp = events.filter((e) => e.kind === EventKind.Exception && e.reason === 13)
    const report = symbol('report_exception')
    expect(gp.length).toBe(1)
    expect(gp[0]!.arg1).toBeGreaterThanOrEqual(report.start)
    expect(gp[0]!.arg1).toBeLessThan(report.end)
    expect(s.vms[0]!.cpu.faultCounts[13]).toBe(1)
  })

  it.skipIf(spawnSync('objdump', ['--version']).status !== 0)(
    'the kernel executes no CLI, STI, HLT, LGDT, LIDT, LTR, INVLPG, port I/O or MOV to CR (objdump; Debian binutils)',
    () => {
      const text = execFileSync('objdump', ['-d', '--no-show-raw-insn', ELF], { encoding: 'utf8' })
      // Xen's forced-emulation prefix is ud2a and the bytes "xen", which objdump reads as two instructions.
      const insns = text
        .split('\n')
        .map((l) => l.split('\t')[1] ?? '')
        .filter((_insn, k, all) => !(all[k - 1]?.startsWith('ud2') || all[k - 2]?.startsWith('ud2')))
      const privileged = insns.filter((i) =>
        /^(cli|sti|hlt|lgdt|lidt|ltr|invlpg|in |out |ins|outs|mov\s+%\w+,%cr)/.test(i),
      )
      expect(privileged).toEqual([])
      expect(insns.filter((i) => /%cr\d/.test(i))).toEqual(['mov    %cr2,%esi'])
    },
  )

  it('every CR3 load is MMUEXT_NEW_BASEPTR: the loaded directory is the one Xen holds a type reference on', () => {
    const st = model(s).stats
    const dom = model(s).xen.domains.get(1)!
    expect(st.mmuext.get('NEW_BASEPTR')).toBeGreaterThan(SESSION.length)
    expect(st.emulated.has('mov to cr3')).toBe(false)
    expect(s.vms[0]!.cpu.cr3 >>> 0).toBe(dom.s.cr3Mfn * 4096)
    expect(model(s).xen.types.type[dom.s.cr3Mfn]).toBe(PageType.L2)
  })

  it('every page-table update went through Xen: the tables in memory agree with what Xen validated', () => {
    const xen = model(s).xen
    const t = xen.types
    const mem = s.hostMemory
    const dom = xen.domains.get(1)!
    expect(model(s).stats.validatedEntries).toBeGreaterThan(16_384) // at least the kernel's 64 MiB map
    expect(model(s).stats.emulated.has('page-table write')).toBe(false)
    // Recount writable mappings from the validated L1 tables: they must be exactly Xen's counts (an
    // entry written behind Xen's back would break the sum) and never point at a typed frame.
    const writable = new Map<number, number>()
    let tables = 0
    for (let f = 0; f < t.frames; f++) {
      if (t.owner[f] !== 1 || t.typeCount[f]! === 0) continue
      if (t.type[f] === PageType.L1) {
        tables++
        for (let i = 0; i < 1024; i++) {
          const e = mem.read32(f * 4096 + i * 4)
          if (!(e & 1)) continue
          expect(
            dom.owns(e >>> 12) ||
              e >>> 12 === dom.pages.sharedInfo >>> 12 ||
              e >>> 12 === dom.pages.grantTable >>> 12,
          ).toBe(true)
          if (e & 2) {
            expect(t.typeCount[e >>> 12]).toBe(0)
            writable.set(e >>> 12, (writable.get(e >>> 12) ?? 0) + 1)
          }
        }
      } else if (t.type[f] === PageType.L2) {
        for (let i = 0; i < 1008; i++) {
          const e = mem.read32(f * 4096 + i * 4)
          if (e & 1) expect(t.type[e >>> 12]).toBe(PageType.L1)
        }
      }
    }
    expect(tables).toBeGreaterThan(16)
    for (let f = 0; f < t.frames; f++)
      if (t.owner[f] === 1) expect(t.writeCount[f], `frame ${f}`).toBe(writable.get(f) ?? 0)
  })

  it('disk I/O: frontend → event channel → Xen → Dom0 → blkback (grant map, disk, grant unmap) → event channel → back', () => {
    const io = flows(s, events).find((f) => f.hops.includes('blkback>disk'))
    expect(io).toBeDefined()
    expect(io!.kind).toBe(FlowKind.Hypercall)
    expect(io!.hops).toEqual([
      'domU-kernel>xen', // EVTCHNOP_send on the blkif port
      'xen>dom0-kernel', // Xen switches to Dom0 and upcalls it
      'dom0-kernel>blkback', // the event-channel driver runs blkback
      'blkback>xen', // GNTTABOP_map_grant_ref of the request's data page
      'xen>blkback',
      'blkback>disk', // the sector moves
      'disk>xen', // the disk's completion interrupt, as a PIRQ event channel
      'xen>dom0-kernel',
      'dom0-kernel>blkback',
      'blkback>xen', // GNTTABOP_unmap_grant_ref
      'xen>blkback',
      'blkback>xen', // EVTCHNOP_send: the response is on the ring
      'xen>blkback',
      'dom0-kernel>xen', // Dom0 blocks; Xen switches back
      'xen>domU-kernel', // the hypercall returns (the event waits: the kernel has events masked)
    ])
    const reads = events.filter((e) => e.kind === EventKind.DiskIo && e.reason === 0)
    expect(reads.length).toBeGreaterThanOrEqual(64)
  })

  it('system calls take the fast path: INT 0x80 from ring 3 reaches the kernel through the direct gate, no Xen', () => {
    const sys = flows(s, events).filter((f) => f.kind === FlowKind.Syscall)
    expect(sys.length).toBeGreaterThan(10_000)
    expect(new Set(sys.map((f) => f.hops.join(' ')))).toEqual(new Set(['domU-user>domU-kernel']))
    expect(model(s).stats.directSyscalls).toBe(sys.length)
    expect(events.filter((e) => e.kind === EventKind.Syscall).length).toBe(sys.length)
  })

  it('every hop follows an edge of the xen-pv topology', () => {
    const edges = new Set(s.topology.edges.map((e) => `${e.from}>${e.to}`))
    const hops = events.filter((e) => e.kind === EventKind.Hop)
    expect(hops.length).toBeGreaterThan(0)
    const off = new Set(
      hops
        .filter((e) => !edges.has(`${e.from}>${e.to}`))
        .map((e) => `${s.topology.components[e.from]!.id}>${s.topology.components[e.to]!.id}`),
    )
    expect([...off]).toEqual([])
  })

  it('same input, same event stream; a snapshot continues identically', () => {
    const input = 'echo hi\nls\n'
    const a = newSession()
    const ra = record(a)
    const b = newSession()
    const rb = record(b)
    type(a, '')
    type(b, '')
    expect(rb.hash()).toBe(ra.hash())
    const snap = a.snapshot()
    const c = newSession()
    c.restore(snap)
    c.takeConsoleOutput() // the console history came with the snapshot
    const rc = record(c)
    const ra2 = record(a)
    const outA = type(a, input)
    const outC = type(c, input)
    expect(outC).toBe(outA)
    expect(outA).toContain('hi\r\n')
    expect(rc.hash()).toBe(ra2.hash())
  })
})

describe('writable page tables (ptwr): a direct PTE write by the ring-1 kernel', () => {
  it('faults into Xen, which validates and performs it; an invalid one is reflected as #PF', () => {
    const s = newSession()
    type(s, '')
    const vm = s.vms[0]!
    const c = vm.cpu
    const xen = model(s).xen
    const dom = xen.domains.get(1)!
    // A free frame high in the kernel's 1:1 map holds the two stores; another is the page to remap.
    const code = 0x3e00000
    const target = 0x3f00000
    const pteMachine = c.walk(target).refs[1]!.address
    const pteVirtual = xen.types.m2p(pteMachine >>> 12) * 4096 + (pteMachine & 0xfff)
    const before = s.hostMemory.read32(pteMachine)
    s.hostMemory.writeBytes(dom.mfn(code >>> 12) * 4096, Uint8Array.of(0x89, 0x03, 0x89, 0x03)) // mov [ebx], eax; twice
    // As the kernel runs: events masked (the vCPU was blocked in SCHEDOP_block, which unmasks them).
    dom.s.blocked = false
    vm.blocked = false
    xen.setUpcallMask(dom, 1)
    const store = (value: number) => {
      const at = c.eip
      c.r[0] = value
      // A timer interrupt taken by Xen may come first: it is a step too.
      for (let i = 0; i < 4 && c.eip === at; i++) s.step('instruction')
    }
    c.eip = code
    c.r[3] = pteVirtual
    // A read-only mapping of another owned frame: a valid entry.
    store((dom.mfn(0x3f01) << 12) | 1)
    expect(c.eip >>> 0).toBe(code + 2)
    expect(s.hostMemory.read32(pteMachine) >>> 0).toBe(((dom.mfn(0x3f01) << 12) | 1) >>> 0)
    expect(model(s).stats.emulated.get('page-table write')).toBe(1)
    // A writable mapping of a page-table frame (the directory): refused, reflected to the kernel.
    const bounced = model(s).stats.bounced.get(14) ?? 0
    store((dom.s.cr3Mfn << 12) | 3)
    expect(model(s).stats.bounced.get(14)).toBe(bounced + 1)
    expect(s.hostMemory.read32(pteMachine) >>> 0).toBe(((dom.mfn(0x3f01) << 12) | 1) >>> 0)
    expect(before & 1).toBe(1)
  })
})

describe('the runner with --arch xen-pv', () => {
  it('prints the session JSON: no VM exits, hypercalls by name, flows, cycles by component', async () => {
    const r = (await runGuest('ringos-xen-pv.elf', 'echo hi\\n', ['--arch', 'xen-pv'])) as unknown as {
      stop: string
      console: string
      exits: Record<string, number>
      hypercalls: Record<string, number>
      flows: Record<string, number>
      cyclesByComponent: Record<string, number>
    }
    expect(r.stop).toBe('idle')
    expect(transcript(r.console).steps).toEqual([
      { command: 'echo hi', output: 'hi\n' },
      { command: '', output: '' },
    ])
    expect(r.exits).toEqual({})
    for (const h of ['mmu_update', 'mmuext_op', 'event_channel_op', 'set_trap_table', 'sched_op'])
      expect(r.hypercalls[h], h).toBeGreaterThan(0)
    expect(r.flows).toMatchObject({ 'page-table-update': expect.any(Number), syscall: expect.any(Number) })
    for (const c of ['xen', 'dom0-kernel', 'blkback', 'consoleback', 'xenstored'])
      expect(r.cyclesByComponent[c], c).toBeGreaterThan(0)
  })
})
