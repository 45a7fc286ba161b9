/**
 * The CPU as plain data for the inspector: registers, segment registers with their hidden parts,
 * CPL, control and table registers, EFLAGS decoded, and what is pending. Built on demand, never on
 * the hot path.
 */
import type { Cpu } from './cpu'
import { A_UNUSABLE, HALT_NONE, HALT_WAIT } from './constants'
import { decodeEflags } from './flags'

export interface SegmentView {
  readonly selector: number
  readonly base: number
  readonly limit: number
  /** Descriptor bits 55:40 (type, S, DPL, P, AVL, L, D/B, G). */
  readonly attributes: number
  readonly dpl: number
  readonly usable: boolean
}

export interface TableRegisterView {
  readonly base: number
  readonly limit: number
}

export interface CpuInspection {
  readonly eip: number
  readonly regs: Readonly<Record<'eax' | 'ecx' | 'edx' | 'ebx' | 'esp' | 'ebp' | 'esi' | 'edi', number>>
  readonly eflags: number
  readonly flags: Readonly<Record<string, number | boolean>>
  readonly cpl: number
  readonly segments: Readonly<Record<'es' | 'cs' | 'ss' | 'ds' | 'fs' | 'gs', SegmentView>>
  readonly cr0: number
  readonly cr2: number
  readonly cr3: number
  readonly cr4: number
  readonly gdtr: TableRegisterView
  readonly idtr: TableRegisterView
  readonly ldtr: SegmentView
  readonly tr: SegmentView
  readonly halted: 'running' | 'waiting' | 'stopped'
  readonly shutdown: boolean
  /** An external interrupt is pending at the controller (or queued by a model). */
  readonly interruptPending: boolean
  readonly instructions: number
}

function seg(selector: number, base: number, limit: number, attr: number): SegmentView {
  return {
    selector: selector & 0xffff,
    base: base >>> 0,
    limit: limit >>> 0,
    attributes: attr & 0xffff,
    dpl: (attr >>> 5) & 3,
    usable: (attr & A_UNUSABLE) === 0,
  }
}

export function inspectCpu(c: Cpu): CpuInspection {
  const r = c.r
  const eflags = c.eflags
  const names = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const
  const segments = {} as Record<(typeof names)[number], SegmentView>
  names.forEach((n, s) => (segments[n] = seg(c.sel[s], c.base[s], c.limit[s], c.attr[s])))
  return {
    eip: c.eip >>> 0,
    regs: {
      eax: r[0] >>> 0,
      ecx: r[1] >>> 0,
      edx: r[2] >>> 0,
      ebx: r[3] >>> 0,
      esp: r[4] >>> 0,
      ebp: r[5] >>> 0,
      esi: r[6] >>> 0,
      edi: r[7] >>> 0,
    },
    eflags,
    flags: decodeEflags(eflags),
    cpl: c.cpl,
    segments,
    cr0: c.cr0 >>> 0,
    cr2: c.cr2 >>> 0,
    cr3: c.cr3 >>> 0,
    cr4: c.cr4 >>> 0,
    gdtr: { base: c.gdtBase >>> 0, limit: c.gdtLimit & 0xffff },
    idtr: { base: c.idtBase >>> 0, limit: c.idtLimit & 0xffff },
    ldtr: seg(c.ldtSel, c.ldtBase, c.ldtLimit, c.ldtAttr),
    tr: seg(c.trSel, c.trBase, c.trLimit, c.trAttr),
    halted: c.halted === HALT_NONE ? 'running' : c.halted === HALT_WAIT ? 'waiting' : 'stopped',
    shutdown: c.shutdown,
    interruptPending: c.pendingExternal(),
    instructions: c.instructions,
  }
}
