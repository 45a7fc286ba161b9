import type { PhysicalMemory } from '../../machine/memory'
import { PcLayout } from '../../machine/layout'
import type { StateReader, StateWriter } from '../../snapshot'
import { EventKind, HopCause } from '../../trace/schema'
import type { EventSink } from '../../trace/sink'
import { Blkif, Gntst, Xencons, XenbusState } from './abi'
import type { XenDomain, XenTrace } from './domain'
import { DOM0, type EventChannels } from './event-channels'
import type { GrantTables } from './grant-table'
import { BackRing } from './shared-ring'
import type { Xenstored } from './xenstored'

/** The virtual block device ringos's blkfront looks for: xvda (major 202, minor 0). */
export const VBD_DEVICE = 51712
/** DiskIo.arg2 for a transfer blkback does on behalf of a frontend. */
export const DISK_DEVICE_XEN_VBD = 2

const UART_RBR = PcLayout.com1
const UART_LSR = PcLayout.com1 + 5
const LSR_DR = 0x01

/** A connected blkif: the ring blkback mapped and the event channel it bound. */
interface Blkif {
  readonly ringHandle: number
  readonly ringMfn: number
  readonly port: number
  reqCons: number
  rspProdPvt: number
}

/** What Dom0's kernel knows about each DomU. */
interface Frontend {
  consolePort: number
  blkif: Blkif | null
}

/**
 * Dom0, the control and hardware domain (hypervisor-flows.md §4.1–4.2): its kernel is modelled, not
 * run as x86 code, and does what Linux's does there — the event-channel driver takes Xen's upcall and
 * runs the backend a port belongs to:
 *
 * - **consoleback** (xenconsoled's job in real Dom0 [R: Ringside puts it in the Dom0 kernel, as the
 *   topology does]): copies the domain's console ring (io/console.h) to and from the physical console;
 * - **blkback** (drivers/block/xen-blkback): connects through xenstore when the frontend is
 *   Initialised, maps the ring it granted, and for each request maps the data page's grant, moves the
 *   sectors from or to the disk and answers on the ring;
 * - **xenstored** in Dom0 user space (xenstored.ts), woken through the evtchn device.
 *
 * Every step is reported as hops through `dom0-kernel`, `blkback`, `consoleback` and `xenstored`.
 */
export class Dom0 {
  private readonly frontends = new Map<number, Frontend>()
  /** Dom0's ports: what each one is for. */
  private readonly ports = new Map<number, { kind: 'console' | 'blkif' | 'store'; domid: number }>()

  constructor(
    private readonly mem: PhysicalMemory,
    private readonly sink: EventSink,
    private readonly trace: XenTrace,
    private readonly evtchn: EventChannels,
    private readonly grants: GrantTables,
    readonly xenstored: Xenstored,
    private readonly domain: (domid: number) => XenDomain | undefined,
  ) {}

  /**
   * The toolstack's part of creating a domain (libxl: console and store channels, xenstore nodes, the
   * vbd's frontend and backend directories): returns the DomU ends of the store and console channels.
   */
  attach(dom: XenDomain): { storePort: number; consolePort: number } {
    const d = dom.domid
    const storePort = this.evtchn.allocUnbound(d, DOM0)
    const consolePort = this.evtchn.allocUnbound(d, DOM0)
    const storeDom0 = this.evtchn.bindInterdomain(DOM0, d, storePort)
    const consoleDom0 = this.evtchn.bindInterdomain(DOM0, d, consolePort)
    this.ports.set(storeDom0, { kind: 'store', domid: d })
    this.ports.set(consoleDom0, { kind: 'console', domid: d })
    dom.s.storePort = storePort
    dom.s.storeDom0Port = storeDom0
    dom.s.consolePort = consolePort
    dom.s.consoleDom0Port = consoleDom0
    this.frontends.set(d, { consolePort: consoleDom0, blkif: null })
    return { storePort, consolePort }
  }

  /** After the builder: the store ring and the xenstore nodes of the domain and its devices. */
  introduce(dom: XenDomain): void {
    const d = dom.domid
    const xs = this.xenstored
    const home = `/local/domain/${d}`
    xs.introduce(d, dom.s.storeMfn * 4096)
    xs.write(`${home}/name`, dom.vm.name)
    xs.write(`${home}/domid`, String(d))
    xs.write(`${home}/memory/target`, String(dom.vm.memMiB * 1024))
    xs.write(`${home}/store/ring-ref`, String(dom.s.storeMfn))
    xs.write(`${home}/store/port`, String(dom.s.storePort))
    xs.write(`${home}/console/ring-ref`, String(dom.s.consoleMfn))
    xs.write(`${home}/console/port`, String(dom.s.consolePort))
    if (!dom.vm.pc.diskImage) return
    const front = `${home}/device/vbd/${VBD_DEVICE}`
    const back = `/local/domain/0/backend/vbd/${d}/${VBD_DEVICE}`
    xs.write(`${back}/frontend`, front)
    xs.write(`${back}/frontend-id`, String(d))
    xs.write(`${back}/dev`, 'xvda')
    xs.write(`${back}/mode`, 'w')
    xs.write(`${back}/state`, String(XenbusState.InitWait))
    xs.write(`${front}/backend`, back)
    xs.write(`${front}/backend-id`, '0')
    xs.write(`${front}/virtual-device`, String(VBD_DEVICE))
    xs.write(`${front}/device-type`, 'disk')
    xs.write(`${front}/state`, String(XenbusState.Initialising))
    xs.watch(DOM0, `${front}/state`, `blkback:${d}`)
  }

  /** The domain is gone: its backends let go (unmap, close) and xenstored forgets it. */
  detach(domid: number): void {
    const f = this.frontends.get(domid)
    if (f?.blkif) this.grants.unmap(DOM0, f.blkif.ringHandle)
    for (const [p, u] of this.ports) if (u.domid === domid) this.ports.delete(p)
    this.frontends.delete(domid)
    this.xenstored.release(domid)
    this.xenstored.rm(`/local/domain/0/backend/vbd/${domid}`)
  }

  /** A watch Dom0 set fired (xenstored calls this): blkback follows its frontend's state. */
  watchFired(_path: string, token: string): void {
    const m = /^blkback:(\d+)$/.exec(token)
    if (m) this.blkbackFrontendChanged(Number(m[1]))
  }

  /** Xen upcalled Dom0 for `port`: its event-channel driver runs the port's backend. */
  event(port: number): void {
    const u = this.ports.get(port)
    if (!u) return
    const dom = this.domain(u.domid)
    if (!dom) return
    switch (u.kind) {
      case 'console':
        this.trace.hop(dom.domid, 'dom0-kernel', 'consoleback', HopCause.Call, 'dom0-evtchn', port)
        this.consoleOutput(dom)
        return
      case 'blkif':
        this.trace.hop(dom.domid, 'dom0-kernel', 'blkback', HopCause.Call, 'dom0-evtchn', port)
        this.blkbackRequests(dom)
        return
      case 'store':
        this.trace.hop(dom.domid, 'dom0-kernel', 'xenstored', HopCause.Signal, 'dom0-evtchn', port)
        this.xenstoreRequests(dom)
        return
    }
  }

  // ---------------------------------------------------------------- console

  private ring(dom: XenDomain): number {
    return dom.s.consoleMfn * 4096
  }

  /** The domain wrote to its console ring: the bytes go to the physical console (COM1 of its PC). */
  private consoleOutput(dom: XenDomain): void {
    const r = this.ring(dom)
    const cons = this.mem.read32(r + Xencons.out_cons) >>> 0
    const prod = this.mem.read32(r + Xencons.out_prod) >>> 0
    const n = Math.min((prod - cons) >>> 0, Xencons.outSize)
    if (n > 0) {
      this.trace.work(dom.domid, 'consoleback', 'consoleback-work')
      const costs = Array<'dom0-uart-byte'>(n).fill('dom0-uart-byte')
      this.trace.hop(dom.domid, 'consoleback', 'uart', HopCause.Call, costs, n)
      for (let i = 0; i < n; i++) {
        dom.vm.pc.ports.out(
          PcLayout.com1,
          1,
          this.mem.read8(r + Xencons.out + ((cons + i) % Xencons.outSize)),
        )
      }
      this.mem.write32(r + Xencons.out_cons, cons + n)
    }
    this.consoleInput(dom)
  }

  /** Keystrokes waiting at the physical console go into the domain's input ring; true if any did. */
  consoleInput(dom: XenDomain): boolean {
    const f = this.frontends.get(dom.domid)
    if (!f) return false
    const ports = dom.vm.pc.ports
    const r = this.ring(dom)
    const cons = this.mem.read32(r + Xencons.in_cons) >>> 0
    let prod = this.mem.read32(r + Xencons.in_prod) >>> 0
    let moved = 0
    while ((prod - cons) >>> 0 < Xencons.inSize && ports.in(UART_LSR, 1) & LSR_DR) {
      this.mem.write8(r + Xencons.in + (prod % Xencons.inSize), ports.in(UART_RBR, 1))
      prod = (prod + 1) >>> 0
      moved++
    }
    if (moved === 0) return false
    this.mem.write32(r + Xencons.in_prod, prod)
    this.trace.work(dom.domid, 'consoleback', [
      'consoleback-work',
      ...Array<'dom0-uart-byte'>(moved).fill('dom0-uart-byte'),
    ])
    this.trace.hop(
      dom.domid,
      'consoleback',
      'xen',
      HopCause.Trap,
      ['xen-entry', 'evtchn-send'],
      f.consolePort,
    )
    this.evtchn.send(DOM0, f.consolePort)
    this.trace.hop(dom.domid, 'xen', 'consoleback', HopCause.Return, 'xen-exit')
    return true
  }

  /** Whether the physical console has keystrokes for the domain and its ring has room for them. */
  consoleInputWaiting(dom: XenDomain): boolean {
    if (!this.frontends.has(dom.domid)) return false
    const r = this.ring(dom)
    const used =
      ((this.mem.read32(r + Xencons.in_prod) >>> 0) - (this.mem.read32(r + Xencons.in_cons) >>> 0)) >>> 0
    return used < Xencons.inSize && (dom.vm.pc.ports.in(UART_LSR, 1) & LSR_DR) !== 0
  }

  // ---------------------------------------------------------------- xenstore

  private xenstoreRequests(dom: XenDomain): void {
    const r = this.xenstored.serve(dom.domid)
    if (r.requests > 0)
      this.trace.work(
        dom.domid,
        'xenstored',
        Array<'xenstored-request'>(r.requests).fill('xenstored-request'),
      )
    if (!r.wrote) return
    this.trace.hop(
      dom.domid,
      'xenstored',
      'dom0-kernel',
      HopCause.Syscall,
      'dom0-evtchn',
      dom.s.storeDom0Port,
    )
    this.trace.hop(
      dom.domid,
      'dom0-kernel',
      'xen',
      HopCause.Trap,
      ['xen-entry', 'evtchn-send'],
      dom.s.storeDom0Port,
    )
    this.evtchn.send(DOM0, dom.s.storeDom0Port)
    this.trace.hop(dom.domid, 'xen', 'dom0-kernel', HopCause.Return, 'xen-exit')
  }

  /** A Dom0 watch wrote on a domain's behalf (blkback's state): the store ring may carry events now. */
  private flushStore(domid: number): void {
    const dom = this.domain(domid)
    if (dom && this.xenstored.flush(domid)) this.evtchn.send(DOM0, dom.s.storeDom0Port)
  }

  // ---------------------------------------------------------------- blkback

  private backPath(domid: number): string {
    return `/local/domain/0/backend/vbd/${domid}/${VBD_DEVICE}`
  }

  /** The XenBus handshake, backend side (io/blkif.h): connect once the frontend says Initialised. */
  private blkbackFrontendChanged(domid: number): void {
    const dom = this.domain(domid)
    const f = this.frontends.get(domid)
    if (!dom || !f) return
    const front = this.xenstored.read(`${this.backPath(domid)}/frontend`)
    if (front === undefined) return
    const state = Number(this.xenstored.read(`${front}/state`))
    if (state !== XenbusState.Initialised || f.blkif) return
    const ringRef = Number(this.xenstored.read(`${front}/ring-ref`))
    const remotePort = Number(this.xenstored.read(`${front}/event-channel`))
    this.trace.hop(domid, 'xenstored', 'dom0-kernel', HopCause.Syscall, 'dom0-evtchn')
    this.trace.hop(domid, 'dom0-kernel', 'blkback', HopCause.Call, 'dom0-evtchn')
    this.trace.hop(domid, 'blkback', 'xen', HopCause.Trap, ['xen-entry', 'grant-map'], ringRef)
    const map = this.grants.map(DOM0, domid, ringRef, true)
    const port = map.status === Gntst.okay ? this.evtchn.bindInterdomain(DOM0, domid, remotePort) : -1
    this.trace.hop(domid, 'xen', 'blkback', HopCause.Return, 'xen-exit', map.status)
    const back = this.backPath(domid)
    if (map.status !== Gntst.okay || !('mfn' in map) || port < 0) {
      if ('handle' in map) this.grants.unmap(DOM0, map.handle)
      this.xenstored.write(`${back}/state`, String(XenbusState.Closed))
      this.flushStore(domid)
      return
    }
    f.blkif = { ringHandle: map.handle, ringMfn: map.mfn, port, reqCons: 0, rspProdPvt: 0 }
    this.ports.set(port, { kind: 'blkif', domid })
    const disk = dom.vm.pc.diskImage
    this.xenstored.write(`${back}/sectors`, String(disk?.sectors ?? 0))
    this.xenstored.write(`${back}/sector-size`, String(Blkif.SECTOR_SIZE))
    this.xenstored.write(`${back}/info`, '0')
    this.xenstored.write(`${back}/state`, String(XenbusState.Connected))
    this.flushStore(domid)
  }

  private backRing(b: Blkif): BackRing {
    const ring = new BackRing(this.mem, b.ringMfn * 4096, Blkif.entrySize, Blkif.ringSize)
    ring.reqCons = b.reqCons
    ring.rspProdPvt = b.rspProdPvt
    return ring
  }

  /** blkback's work loop (xen_blkif_schedule → do_block_io_op): every request, then one kick if asked for. */
  private blkbackRequests(dom: XenDomain): void {
    const b = this.frontends.get(dom.domid)?.blkif
    if (!b) return
    const ring = this.backRing(b)
    do {
      while (ring.unconsumedRequests() > 0) this.blkRequest(dom, ring, ring.takeRequest())
    } while (ring.finalCheckForRequests())
    b.reqCons = ring.reqCons
    b.rspProdPvt = ring.rspProdPvt
    if (ring.pushResponses()) {
      this.trace.hop(dom.domid, 'blkback', 'xen', HopCause.Trap, ['xen-entry', 'evtchn-send'], b.port)
      this.evtchn.send(DOM0, b.port)
      this.trace.hop(dom.domid, 'xen', 'blkback', HopCause.Return, 'xen-exit')
    }
  }

  private blkRequest(dom: XenDomain, ring: BackRing, at: number): void {
    const d = dom.domid
    const m = this.mem
    const op = m.read8(at + Blkif.req.operation)
    const nseg = m.read8(at + Blkif.req.nr_segments)
    const idLo = m.read32(at + Blkif.req.id)
    const idHi = m.read32(at + Blkif.req.id + 4)
    const sector = m.read32(at + Blkif.req.sector_number)
    const sectorHi = m.read32(at + Blkif.req.sector_number + 4)
    this.trace.work(d, 'blkback', 'blkback-request')
    const disk = dom.vm.pc.diskImage
    let status: number = Blkif.RSP_OKAY
    if ((op !== Blkif.OP_READ && op !== Blkif.OP_WRITE) || nseg < 1 || nseg > Blkif.maxSegments)
      status = Blkif.RSP_EOPNOTSUPP
    let lba = sector
    for (let s = 0; s < nseg && status === Blkif.RSP_OKAY; s++) {
      const seg = at + Blkif.req.seg + s * Blkif.req.segSize
      const gref = m.read32(seg)
      const first = m.read8(seg + 4)
      const last = m.read8(seg + 5)
      const count = last - first + 1
      if (sectorHi !== 0 || first > last || last > 7 || !disk || !disk.contains(lba, count)) {
        status = Blkif.RSP_ERROR
        break
      }
      // A read fills the frontend's page: blkback maps it writable.
      this.trace.hop(d, 'blkback', 'xen', HopCause.Trap, ['xen-entry', 'grant-map'], gref)
      const map = this.grants.map(DOM0, d, gref, op === Blkif.OP_READ)
      this.trace.hop(d, 'xen', 'blkback', HopCause.Return, 'xen-exit', map.status)
      if (map.status !== Gntst.okay || !('mfn' in map)) {
        status = Blkif.RSP_ERROR
        break
      }
      const page = map.mfn * 4096 + first * Blkif.SECTOR_SIZE
      this.trace.hop(
        d,
        'blkback',
        'disk',
        HopCause.Call,
        Array<'dom0-disk-sector'>(count).fill('dom0-disk-sector'),
        lba,
        count,
      )
      if (op === Blkif.OP_READ) m.writeBytes(page, disk.view(lba, count))
      else disk.view(lba, count).set(m.readBytes(page, count * Blkif.SECTOR_SIZE))
      this.sink.emit(EventKind.DiskIo, op === Blkif.OP_READ ? 0 : 1, lba, count, DISK_DEVICE_XEN_VBD)
      // The disk's completion interrupt reaches Dom0 through Xen (a PIRQ event channel).
      this.trace.hop(d, 'disk', 'xen', HopCause.Signal, 'xen-entry')
      this.trace.hop(d, 'xen', 'dom0-kernel', HopCause.Upcall, 'xen-exit')
      this.trace.hop(d, 'dom0-kernel', 'blkback', HopCause.Call, 'dom0-evtchn')
      this.trace.hop(d, 'blkback', 'xen', HopCause.Trap, ['xen-entry', 'grant-map'], gref)
      this.grants.unmap(DOM0, map.handle)
      this.trace.hop(d, 'xen', 'blkback', HopCause.Return, 'xen-exit')
      lba += count
    }
    const rsp = ring.nextResponse()
    m.write32(rsp + Blkif.rsp.id, idLo)
    m.write32(rsp + Blkif.rsp.id + 4, idHi)
    m.write8(rsp + Blkif.rsp.operation, op)
    m.write16(rsp + Blkif.rsp.status, status & 0xffff)
    this.trace.work(d, 'blkback', 'blkback-response')
  }

  saveState(w: StateWriter): void {
    w.json({ frontends: [...this.frontends.entries()], ports: [...this.ports.entries()] })
    this.xenstored.saveState(w)
  }

  loadState(r: StateReader): void {
    const s = r.json<{
      frontends: [number, Frontend][]
      ports: [number, { kind: 'console' | 'blkif' | 'store'; domid: number }][]
    }>()
    this.frontends.clear()
    for (const [d, f] of s.frontends) this.frontends.set(d, f)
    this.ports.clear()
    for (const [p, u] of s.ports) this.ports.set(p, u)
    this.xenstored.loadState(r)
  }
}
