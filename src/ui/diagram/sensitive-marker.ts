import type { ComponentInstance, Topology } from '../../engine/hv/topology'
import type { RecordView } from '../../engine/trace/codec'
import { EventKind, RECORD_WORDS, SensitiveInsn, W } from '../../engine/trace/schema'
import type { SessionStore } from '../../state/session-store'

/** A sensitive instruction that ran deprivileged without trapping (a SensitiveNoTrap event). */
export interface SensitiveHit {
  readonly insn: number
  readonly eip: number
  /** What the guest observed, or the IF it tried to set (trace/schema.ts). */
  readonly value: number
  readonly cpl: number
  /** The session's VM number (1-based). */
  readonly vm: number
  /** Counts the hits marked in this stream: tells two equal ones apart. */
  readonly serial: number
}

/**
 * Whether a hit is worth pointing at. Not marked (the timeline still lists them): IRET and the
 * segment-register reads and writes ringos's interrupt entry and exit make on every interrupt; PUSHF,
 * which only shows the consequence of an earlier POPF; and a POPF that sets IF, which under ring
 * compression asks for what the real IF already is while guest code runs (docs/arch/trap-emulate.md,
 * [R]) — the POPF that tries to clear IF is where the damage starts.
 */
function marked(insn: number, value: number): boolean {
  switch (insn) {
    case SensitiveInsn.Iret:
    case SensitiveInsn.PushSreg:
    case SensitiveInsn.PopSreg:
    case SensitiveInsn.MovFromSreg:
    case SensitiveInsn.Pushf:
      return false
    case SensitiveInsn.Popf:
      return value === 0
    default:
      return true
  }
}

/**
 * Follows a session's events for the diagram's marker: the latest sensitive-but-unprivileged
 * instruction worth pointing at (POPF clearing IF, SGDT, SIDT, SLDT, STR, SMSW, …). A new stream (the sequence number goes
 * back) forgets it.
 */
export class SensitiveWatch {
  private hit: SensitiveHit | null = null
  private serial = 0
  private lastSeq = -1
  private readonly listeners = new Set<() => void>()

  readonly consume = (v: RecordView, start: number, count: number): void => {
    const u = v.u32
    const f = v.f64
    const before = this.hit
    for (let i = start, end = start + count; i < end; i++) {
      const b = i * RECORD_WORDS
      const seq = f[(b + W.seq) >> 1]!
      if (seq <= this.lastSeq) this.hit = null
      this.lastSeq = seq
      if ((u[b + W.head]! & 0xff) !== EventKind.SensitiveNoTrap) continue
      const insn = u[b + W.reason]! & 0xffff
      const value = u[b + W.arg1]!
      if (!marked(insn, value)) continue
      this.hit = {
        insn,
        eip: u[b + W.arg0]!,
        value,
        cpl: u[b + W.arg2]!,
        vm: (u[b + W.head]! >>> 16) & 0xff,
        serial: ++this.serial,
      }
    }
    if (this.hit !== before) for (const l of this.listeners) l()
  }

  latest(): SensitiveHit | null {
    return this.hit
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}

/** The component a hit ran in: the VM's component on the row of its privilege level (guest kernel, guest user). */
export function componentOfHit(topology: Topology, hit: SensitiveHit): ComponentInstance | null {
  const row = `r${hit.cpl}`
  const onRow = topology.components.filter((c) => c.row === row && !c.management && c.within === null)
  return onRow.find((c) => c.vm === hit.vm) ?? (onRow.length === 1 ? onRow[0]! : null)
}

const watches = new WeakMap<SessionStore, SensitiveWatch>()

/** The watch over a session store's stream, following its client from the first call on. */
export function sensitiveWatchOf(store: SessionStore): SensitiveWatch {
  let w = watches.get(store)
  if (w === undefined) {
    const made = new SensitiveWatch()
    store.client.onEvents(made.consume)
    watches.set(store, made)
    w = made
  }
  return w
}
