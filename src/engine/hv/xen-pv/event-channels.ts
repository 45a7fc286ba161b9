import type { PhysicalMemory } from '../../machine/memory'
import type { StateReader, StateWriter } from '../../snapshot'
import { Errno, EVTCHN_PORTS, SharedInfo } from './abi'

/** What a port is bound to (event_channel.h: ECS_UNBOUND, ECS_INTERDOMAIN, ECS_VIRQ). */
export type PortState =
  | { readonly kind: 'unbound'; readonly remoteDom: number }
  | { readonly kind: 'interdomain'; readonly remoteDom: number; readonly remotePort: number }
  | { readonly kind: 'virq'; readonly virq: number }

/** What event delivery needs from the rest of Xen. */
export interface EventChannelHost {
  /** The machine address of domain `domid`'s shared_info page (DomUs only). */
  sharedInfo(domid: number): number
  /** Domain `domid` (a DomU) has an upcall pending now: Xen delivers it as soon as the vCPU can take it. */
  kick(domid: number): void
  /** A notification for Dom0's port `port` (Dom0's kernel is modelled: its event-channel driver runs it). */
  dom0Event(port: number): void
}

/** Dom0's domain id. Its kernel is modelled, so its ports have no shared_info bitmaps. */
export const DOM0 = 0

/**
 * Xen's event channels (xen/common/event_channel.c, two-level ABI in xen.h): per-domain ports that
 * are bound to another domain's port, to a virtual IRQ (VIRQ_TIMER) or still unbound. Sending sets the
 * remote port's bit in that domain's `evtchn_pending` (shared_info); unless the port is masked, the
 * port's word is flagged in `evtchn_pending_sel` and `evtchn_upcall_pending` is set, and the vCPU is
 * kicked: Xen upcalls it when `evtchn_upcall_mask` (the virtual IF) allows. Unmasking a pending port
 * raises the upcall then.
 */
export class EventChannels {
  private readonly ports = new Map<number, (PortState | null)[]>()

  constructor(
    private readonly mem: PhysicalMemory,
    private readonly host: EventChannelHost,
  ) {}

  /** A domain's port table (port 0 is never used). */
  private table(domid: number): (PortState | null)[] {
    let t = this.ports.get(domid)
    if (!t) {
      t = [null]
      this.ports.set(domid, t)
    }
    return t
  }

  state(domid: number, port: number): PortState | null {
    return this.ports.get(domid)?.[port] ?? null
  }

  private alloc(domid: number, s: PortState): number {
    const t = this.table(domid)
    let port = t.indexOf(null, 1)
    if (port < 0) port = t.length
    if (port >= EVTCHN_PORTS) return -Errno.ENOSPC
    t[port] = s
    return port
  }

  /** EVTCHNOP_alloc_unbound: a port that `remoteDom` may bind to. */
  allocUnbound(domid: number, remoteDom: number): number {
    return this.alloc(domid, { kind: 'unbound', remoteDom })
  }

  /** EVTCHNOP_bind_interdomain: connects a new local port to `remoteDom`'s unbound port offered to us. */
  bindInterdomain(domid: number, remoteDom: number, remotePort: number): number {
    const r = this.state(remoteDom, remotePort)
    if (!r || r.kind !== 'unbound' || r.remoteDom !== domid) return -Errno.EINVAL
    const port = this.alloc(domid, { kind: 'interdomain', remoteDom, remotePort })
    if (port < 0) return port
    this.table(remoteDom)[remotePort] = { kind: 'interdomain', remoteDom: domid, remotePort: port }
    return port
  }

  /** EVTCHNOP_bind_virq (one port per VIRQ per vCPU: -EEXIST for a second). */
  bindVirq(domid: number, virq: number): number {
    if (this.virqPort(domid, virq) > 0) return -Errno.EEXIST
    return this.alloc(domid, { kind: 'virq', virq })
  }

  virqPort(domid: number, virq: number): number {
    const t = this.ports.get(domid)
    if (!t) return -1
    return t.findIndex((s) => s !== null && s.kind === 'virq' && s.virq === virq)
  }

  /** EVTCHNOP_close: an interdomain peer goes back to unbound. */
  close(domid: number, port: number): number {
    const s = this.state(domid, port)
    if (!s) return -Errno.EINVAL
    if (s.kind === 'interdomain')
      this.table(s.remoteDom)[s.remotePort] = { kind: 'unbound', remoteDom: domid }
    this.table(domid)[port] = null
    return 0
  }

  /** Every port of a destroyed domain goes; peers fall back to unbound. */
  closeAll(domid: number): void {
    const t = this.ports.get(domid)
    if (!t) return
    for (let p = 1; p < t.length; p++) if (t[p]) this.close(domid, p)
    this.ports.delete(domid)
  }

  /** EVTCHNOP_send: notify the other end of an interdomain port. */
  send(domid: number, port: number): number {
    const s = this.state(domid, port)
    if (!s || s.kind !== 'interdomain') return -Errno.EINVAL
    this.setPending(s.remoteDom, s.remotePort)
    return 0
  }

  /** Raises a virtual IRQ (VIRQ_TIMER from Xen's timer) on the port bound to it, if any. */
  raiseVirq(domid: number, virq: number): boolean {
    const port = this.virqPort(domid, virq)
    if (port <= 0) return false
    this.setPending(domid, port)
    return true
  }

  private word(domid: number, base: number, port: number): number {
    return this.host.sharedInfo(domid) + base + (port >>> 5) * 4
  }

  /** evtchn_set_pending (event_2l.c): pending bit, then selector and upcall unless masked. */
  setPending(domid: number, port: number): void {
    if (domid === DOM0) {
      this.host.dom0Event(port)
      return
    }
    const bit = 1 << (port & 31)
    const pa = this.word(domid, SharedInfo.evtchn_pending, port)
    const pending = this.mem.read32(pa)
    if (pending & bit) return
    this.mem.write32(pa, pending | bit)
    if (this.mem.read32(this.word(domid, SharedInfo.evtchn_mask, port)) & bit) return
    this.markUpcall(domid, port)
  }

  private markUpcall(domid: number, port: number): void {
    const si = this.host.sharedInfo(domid)
    const sel = this.mem.read32(si + SharedInfo.pending_sel)
    const sbit = 1 << (port >>> 5)
    if (sel & sbit) return
    this.mem.write32(si + SharedInfo.pending_sel, sel | sbit)
    this.mem.write8(si + SharedInfo.upcall_pending, 1)
    this.host.kick(domid)
  }

  /** EVTCHNOP_unmask: clear the mask bit; a port pending meanwhile raises the upcall now. */
  unmask(domid: number, port: number): number {
    if (!this.state(domid, port)) return -Errno.EINVAL
    const bit = 1 << (port & 31)
    const ma = this.word(domid, SharedInfo.evtchn_mask, port)
    this.mem.write32(ma, this.mem.read32(ma) & ~bit)
    if (this.mem.read32(this.word(domid, SharedInfo.evtchn_pending, port)) & bit) this.markUpcall(domid, port)
    return 0
  }

  saveState(w: StateWriter): void {
    w.json([...this.ports.entries()])
  }

  loadState(r: StateReader): void {
    this.ports.clear()
    for (const [d, t] of r.json<[number, (PortState | null)[]][]>()) this.ports.set(d, t)
  }
}
