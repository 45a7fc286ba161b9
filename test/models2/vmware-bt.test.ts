/**
 * vmware-bt: ringos's kernel runs only as translated code. It must work like on bare metal where the
 * translator rewrites the sensitive instructions (POPF, PUSHF, SGDT in the kernel), show its cache
 * warming up, drop translations of code the guest rewrites, and turn a page-table store that keeps
 * faulting into a call-out. Expected addresses come from the guest's symbol map.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADAPT_AFTER, BtCalloutReason, type VmwareBtModel } from '../../src/engine/hv/vmware-bt/model'
import { Session } from '../../src/engine/session/session'
import { EventKind, FlowKind, SensitiveInsn, type TraceEvent } from '../../src/engine/trace/schema'
import { determinism, fields, recorded, ringos, symbol, within } from './kit'

const hex = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0')
const bt = (g: ReturnType<typeof ringos>) => (g.s.model as VmwareBtModel).btSummary()

describe('vmware-bt runs ringos with its kernel as translated code', () => {
  let g: ReturnType<typeof ringos>
  let boot: string
  const out: Record<string, string> = {}
  let events: TraceEvent[]
  const counts: Record<string, ReturnType<typeof bt>> = {}

  beforeAll(() => {
    g = ringos('vmware-bt')
    expect(g.idle().stop).toBe('idle')
    boot = g.console()
    counts.boot = bt(g)
    for (const c of ['echo hi there', 'ps', 'cat motd', 'popf', 'sgdt']) out[c] = g.command(c)
    counts.before = bt(g)
    out.again = g.command('cat motd')
    counts.after = bt(g)
    events = g.events()
  }, 120_000)

  it('boots to the prompt and answers the shell', () => {
    expect(boot).toContain('ringos 1.0 on the native platform')
    expect(boot).toMatch(/disk: 1024 sectors, \d+ files\r\n\$ $/)
    expect(out['echo hi there']).toBe('hi there\n')
    expect(out['ps']).toMatch(/\n\s+3\s+1\s+3 \w+\s+\d+\s+\d+ sh\n/)
    expect(out['cat motd']).toContain('Welcome to ringos')
    expect(out.again).toBe(out['cat motd'])
  })

  it('popf: the translated POPF really clears the (virtual) IF and no tick arrives', () => {
    expect(fields(out['popf']!, 'popf:')).toMatchObject({
      if_before: '1',
      if_after: '0',
      ticks_while_disabled: '0',
      result: 'ok',
    })
    // POPF and PUSHF of the kernel became call-outs at their EIPs; none ran unnoticed.
    const popf = events.filter(
      (e) => e.kind === EventKind.BtCallout && e.reason === BtCalloutReason.Sensitive + SensitiveInsn.Popf,
    )
    expect(popf.some((e) => within(e.arg0, symbol('kernel', 'plat_flags_write')))).toBe(true)
    // Nothing in ring 1 ran unnoticed: the only sensitive instruction the CPU reports is ring 3's SGDT.
    const unnoticed = events.filter((e) => e.kind === EventKind.SensitiveNoTrap)
    expect(unnoticed.map((e) => [e.reason, e.arg2])).toEqual([[SensitiveInsn.Sgdt, 3]])
  })

  it('sgdt: the kernel sees the GDT it loaded and CPL 0; ring 3 runs untranslated and sees the VMM’s table', () => {
    const f = fields(out['sgdt']!, 'sgdt:')
    const gdt = `${hex(symbol('kernel', 'gdt').start)}/0x002f`
    expect(f).toMatchObject({
      lgdt: gdt,
      kernel: gdt,
      kernel_cpl: '0',
      result: 'match',
      ring3_result: 'mismatch',
    })
    // Guest user code is executed directly, not translated: SGDT in ring 3 stores the real GDTR, the
    // VMM's shadow table — the "Red Pill" that detected VMware's binary translator.
    const real = g.s.vms[0]!.cpu.inspect().gdtr
    expect(f.ring3).toBe(`${hex(real.base)}/0x${real.limit.toString(16).padStart(4, '0')}`)
    expect(f.ring3).not.toBe(gdt)
    // …and the CPU reports it (SensitiveNoTrap at CPL 3, with the value ring 3 saw), so the UI can mark it.
    const red = events.filter((e) => e.kind === EventKind.SensitiveNoTrap && e.reason === SensitiveInsn.Sgdt)
    expect(red.map((e) => [hex(e.arg1), e.arg2])).toEqual([[hex(real.base), 3]])
    const sgdt = events.filter(
      (e) => e.kind === EventKind.BtCallout && e.reason === BtCalloutReason.Sensitive + SensitiveInsn.Sgdt,
    )
    expect(sgdt.length).toBe(1)
    expect(within(sgdt[0]!.arg0, symbol('kernel', 'plat_sgdt'))).toBe(true)
  })

  it('warms its translation cache: boot translates, later commands mostly hit', () => {
    expect(counts.boot!.translations).toBeGreaterThan(300)
    const again = {
      translations: counts.after!.translations - counts.before!.translations,
      hits: counts.after!.hits - counts.before!.hits,
    }
    // Running a command a second time needs no new translation of the kernel code it exercises.
    expect(again.translations).toBeLessThan(5)
    expect(again.hits).toBeGreaterThan(100 * Math.max(1, again.translations))
    const translate = events.filter((e) => e.kind === EventKind.BtTranslate && e.reason === 0)
    expect(translate.length).toBe(counts.after!.translations)
    // Translated blocks hold kernel code: their EIPs are in the kernel image, never in user space.
    expect(translate.every((e) => e.arg0 < 0x40000000)).toBe(true)
    expect(events.some((e) => e.kind === EventKind.BtCacheHit)).toBe(true)
  })

  it('enters the VMM for system calls, and reaches devices only through call-outs', () => {
    const hops = new Set(
      events
        .filter((e) => e.kind === EventKind.Hop)
        .map((e) => `${g.component(e.from)}>${g.component(e.to)}`),
    )
    for (const h of [
      'guest-user>vmm',
      'vmm>bt',
      'bt>vmm',
      'vmm>uart',
      'vmm>vmkernel',
      'vmkernel>disk',
      'timer>vmm',
    ])
      expect(hops).toContain(h)
    expect([...hops].filter((h) => /^(guest-user|bt)>(uart|disk|timer)$/.test(h))).toEqual([])
    const syscalls = events.filter((e) => e.kind === EventKind.FlowBegin && e.reason === FlowKind.Syscall)
    expect(syscalls.length).toBeGreaterThan(10)
    // Privileged instructions of the kernel never trap. The one #GP is MOV SS with the kernel's ring-0
    // selector after LGDT, a segment load the translator here does not rewrite (the VMM emulates it).
    const gp = events.filter((e) => e.kind === EventKind.Exception && e.reason === 13)
    expect(gp.map((e) => within(e.arg1, symbol('kernel', 'plat_lgdt')))).toEqual([true])
  })
})

describe('vmware-bt page-table writes', () => {
  it('traces a PTE store, then turns it into a call-out (adaptive BT, "ptemod")', () => {
    const g = ringos('vmware-bt')
    g.idle()
    g.events()
    const before = bt(g)
    const n = 40
    const res = fields(g.command(`ptemod ${n}`), 'ptemod:')
    expect(res).toMatchObject({ updates: String(n), check: 'ok' })
    const after = bt(g)
    const setPte = symbol('kernel', 'plat_set_pte')
    const evs = g.events()
    // The store in plat_set_pte faulted on the traced page table ADAPT_AFTER times...
    const traced = evs.filter(
      (e) => e.kind === EventKind.Hop && g.component(e.from) === 'bt' && g.component(e.to) === 'vmm',
    )
    expect(traced.length).toBeGreaterThan(0)
    expect(after.tracedWrites - before.tracedWrites).toBeGreaterThanOrEqual(ADAPT_AFTER)
    const retranslated = evs.filter((e) => e.kind === EventKind.BtTranslate && e.reason === 1)
    expect(retranslated.map((e) => within(e.arg0, setPte))).toEqual([true])
    // ...and then ran as a call-out, with no fault, for (almost) every remaining update.
    const callouts = evs.filter(
      (e) => e.kind === EventKind.BtCallout && e.reason === BtCalloutReason.PteStore,
    )
    expect(callouts.every((e) => within(e.arg0, setPte))).toBe(true)
    // (one store per update and one to unmap at the end; the very first may find the table not yet shadowed)
    expect(callouts.length + ADAPT_AFTER).toBeGreaterThanOrEqual(n)
    expect(callouts.length + ADAPT_AFTER).toBeLessThanOrEqual(n + 1)
    expect(after.adaptiveCallouts - before.adaptiveCallouts).toBe(callouts.length)
  }, 60_000)
})

const haveNasm = spawnSync('sh', ['-c', 'command -v nasm']).status === 0
const dir = mkdtempSync(join(tmpdir(), 'ringside-bt-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.skipIf(!haveNasm)('vmware-bt self-modifying code (needs nasm, Debian package nasm)', () => {
  function run(arch: 'bare' | 'vmware-bt') {
    const bin = join(dir, 'smc.bin')
    execFileSync('nasm', ['-f', 'bin', '-o', bin, join(import.meta.dirname, 'smc.asm')])
    const image = new Uint8Array(readFileSync(bin))
    const g = recorded(
      new Session({
        arch,
        vms: [{ image, platform: 'native', loadAddr: 0x100000, entry: 0x100000, memMiB: 8 }],
      }),
    )
    const r = g.s.run({ maxInstructions: 100_000 })
    return { r, events: g.events() }
  }

  it('invalidates the translations of a page the guest kernel rewrites, and retranslates the new code', () => {
    const native = run('bare')
    expect(native.r).toMatchObject({ stop: 'debug-exit', exitCode: (3 << 1) | 1 })
    const { r, events } = run('vmware-bt')
    expect(r).toMatchObject({ stop: 'debug-exit', exitCode: (3 << 1) | 1 })
    const patchme = 0x101000
    const inv = events.filter((e) => e.kind === EventKind.BtInvalidate)
    expect(inv.map((e) => [e.arg0, e.arg1])).toEqual([[patchme, 1]])
    const tr = events.filter((e) => e.kind === EventKind.BtTranslate && e.arg0 === patchme)
    expect(tr.length).toBe(2)
    const at = (e: TraceEvent) => events.indexOf(e)
    expect(at(tr[0]!)).toBeLessThan(at(inv[0]!))
    expect(at(tr[1]!)).toBeGreaterThan(at(inv[0]!))
  })
})

describe('vmware-bt sessions', () => determinism(() => ringos('vmware-bt'), bt))

describe('vmware-bt management: vim-cmd through hostd', () => {
  it('powers the VM off and on again, the power-on path ending in the translator', () => {
    const g = ringos('vmware-bt')
    g.idle()
    g.events()
    expect(g.s.manage('vim-cmd vmsvc/getallvms').output).toMatch(/^1\s+vm1\s+\[datastore1\] vm1\/vm1\.vmx/m)
    expect(g.s.manage('vim-cmd vmsvc/power.off 1').output).toBe('Powering off VM:\n')
    expect(g.s.manage('vim-cmd vmsvc/power.getstate 1').output).toBe('Retrieved runtime info\nPowered off\n')
    g.events()
    expect(g.s.manage('vim-cmd vmsvc/power.on 1').exitCode).toBe(0)
    const hops = g
      .events()
      .filter((e) => e.kind === EventKind.Hop)
      .map((e) => `${g.component(e.from)}>${g.component(e.to)}`)
    expect(hops).toEqual(['vim-cmd>hostd', 'hostd>vmkernel', 'vmkernel>vmm', 'vmm>bt', 'hostd>vim-cmd'])
    expect(g.idle().stop).toBe('idle')
    expect(g.console()).toMatch(/disk: 1024 sectors[\s\S]*disk: 1024 sectors[^\n]*\n\$ $/)
  }, 60_000)
})
