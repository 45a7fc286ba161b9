/**
 * The runner's JSON result (README "Headless runner"): how the run stopped, counts, registers, the
 * console output (COM1, or the virtio console for a virtio guest), events by kind and exceptions by
 * vector; under `--arch vmx-null` also the VM exits by SDM basic exit reason and their names.
 */
import type { BareMetal, BareMetalStop } from '../engine/machine/bare-metal-run'
import { guestReadCr0, guestReadCr4 } from '../engine/vmx/controls'
import { NullMonitor } from '../engine/vmx/null-monitor'
import { EVENT_KIND_NAMES, isEventKind } from '../engine/trace/schema'
import { utf8Decode } from '../engine/util/utf8'

export interface RunSummary {
  readonly stop: BareMetalStop
  /** isa-debug-exit status (value << 1) | 1, as QEMU exits with; present only for `debug-exit`. */
  readonly exitCode?: number
  readonly instructions: number
  readonly cycles: number
  readonly regs: Readonly<Record<string, number>>
  readonly cpl: number
  readonly console: string
  readonly events: Readonly<Record<string, number>>
  readonly faults: Readonly<Record<string, number>>
  /** vmx-null: VM exits handled, by basic exit reason number (a string), and each reason's SDM name. */
  readonly exits?: Readonly<Record<string, number>>
  readonly exitNames?: Readonly<Record<string, string>>
}

/** The summary of a run; registers are the guest's view (under vmx-null, CR0/CR4 through their read shadows and the guest's CPL). */
export function runSummary(m: BareMetal | NullMonitor, stop: BareMetalStop, com1: Uint8Array): RunSummary {
  const c = m.cpu
  const i = c.inspect()
  const s = i.segments
  const vmx = m instanceof NullMonitor ? m : null
  const regs = {
    eax: i.regs.eax,
    ebx: i.regs.ebx,
    ecx: i.regs.ecx,
    edx: i.regs.edx,
    esi: i.regs.esi,
    edi: i.regs.edi,
    ebp: i.regs.ebp,
    esp: i.regs.esp,
    eip: i.eip,
    eflags: i.eflags,
    cr0: vmx ? guestReadCr0(vmx.vmcs, i.cr0) : i.cr0,
    cr2: i.cr2,
    cr3: i.cr3,
    cr4: vmx ? guestReadCr4(vmx.vmcs, i.cr4) : i.cr4,
    cs: s.cs.selector,
    ds: s.ds.selector,
    es: s.es.selector,
    fs: s.fs.selector,
    gs: s.gs.selector,
    ss: s.ss.selector,
  }
  const events: Record<string, number> = {}
  m.sink.counts.forEach((n, kind) => {
    if (n > 0 && isEventKind(kind)) events[EVENT_KIND_NAMES[kind]] = n
  })
  const faults: Record<string, number> = {}
  c.faultCounts.forEach((n, v) => {
    if (n > 0) faults[String(v)] = n
  })
  const code = m.pc.debugExit.exitCode
  return {
    stop,
    ...(stop === 'debug-exit' && code !== null ? { exitCode: code } : {}),
    instructions: c.instructions,
    cycles: m.clock.cycles,
    regs,
    cpl: vmx ? vmx.guestCpl : c.cpl,
    console: utf8Decode(com1),
    events,
    faults,
    ...(vmx ? vmx.exitSummary() : {}),
  }
}
