import { Cpu } from '../../cpu/cpu'
import type { TrapSource } from '../../cpu/vmx-seam'
import { MmioBus, PortBus } from '../../machine/bus'
import { PcLayout } from '../../machine/layout'
import type { StateReader, StateWriter } from '../../snapshot'
import { EventKind, FlowKind, HopCause, MANAGEMENT_VM } from '../../trace/schema'
import { utf8Encode } from '../../util/utf8'
import type { Vm } from '../../session/vm'
import type { FlowRecorder } from '../flow'
import type { HypervisorModel, ModelHost } from '../model'
import type { ManagementShell } from '../management'
import { XlShell } from '../xen-hvm/xl'
import { HYPERCALL_NAMES, HYPERCALL_VECTOR, Hypercall, MMUEXT_NAMES, Mmuext } from './abi'
import type { XenPvCostId } from './costs'
import type { XenComponent, XenDomain, XenTrace } from './domain'
import { hypercall } from './hypercalls'
import { handleTrap } from './traps'
import { Xen } from './xen'

/** The 8254's input clock (Intel 8254 datasheet; the PC's 1.193182 MHz). */
const PIT_HZ = 1_193_182
const CPU_HZ = 1_000_000_000
/** Vector base Xen programs the master 8259A with (its own choice; guests never see these vectors). */
const PIC_VECTOR_BASE = 0x20
/** The credit scheduler's time slice (sched_credit_tslice_ms, 30 ms) [R: no credits, just slices]. */
const TIME_SLICE = 30_000_000
/** Schedule-event number for "no domain" (the idle vCPU). */
const IDLE = 0xff
/** A domain as Schedule events name it: 0 the idle CPU, MANAGEMENT_VM Dom0, else the VM. */
const scheduleId = (domid: number) => (domid === IDLE ? 0 : domid === 0 ? MANAGEMENT_VM : domid)

/** Counts the runner and tests read: hypercalls by name, mmuext commands, emulations, bounces. */
export interface XenPvStats {
  readonly hypercalls: Map<string, number>
  readonly mmuext: Map<string, number>
  readonly emulated: Map<string, number>
  /** Page-table entries Xen validated (mmu_update and update_va_mapping entries). */
  validatedEntries: number
  /** Traps reflected to the guest kernel, by vector. */
  readonly bounced: Map<number, number>
  /** INT 0x80 that went straight from ring 3 to the guest kernel through Xen's direct gate. */
  directSyscalls: number
  upcalls: number
}

function bump<K>(m: Map<K, number>, k: K, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n)
}

/**
 * The `xen-pv` model: Xen (xen.ts) running 32-bit PV domains on one physical CPU, with Dom0 modelled
 * (dom0.ts). The guest kernel runs in ring 1 on the CPU directly; everything that reaches Xen — INT
 * 0x82 hypercalls, exceptions (Xen owns the IDT), the timer interrupt — comes to the model through
 * the CPU's trap interceptor and is handled by Xen and reported as a flow. INT 0x80 from ring 3 does
 * not come through Xen when the guest's trap-table entry allows the direct gate. Each domain's vCPU
 * has the PC's 8254 as Xen's timer hardware [R] and its 16550A as the physical console Dom0 serves.
 */
export class XenPvModel implements HypervisorModel {
  readonly arch = 'xen-pv' as const
  readonly xen: Xen
  readonly stats: XenPvStats = {
    hypercalls: new Map(),
    mmuext: new Map(),
    emulated: new Map(),
    validatedEntries: 0,
    bounced: new Map(),
    directSyscalls: 0,
    upcalls: 0,
  }
  private readonly flows: FlowRecorder<XenPvCostId>
  private readonly shared = new Map<string, number>()
  private readonly perVm = new Map<string, number[]>()
  private xl: XlShell | null = null
  /** The domain on the physical CPU for Schedule events (0 Dom0, IDLE none). */
  private current = IDLE
  /** The DomU whose state is loaded (Xen's lazy switch keeps it across idle). */
  private lastDomU = 0
  private sliceEnd = Infinity
  private readonly preempted = new Set<number>()

  constructor(private readonly host: ModelHost) {
    this.flows = host.flows as FlowRecorder<XenPvCostId>
    for (const c of host.topology.components) {
      if (c.vm === null) this.shared.set(c.baseId, c.index)
      else {
        const list = this.perVm.get(c.baseId) ?? []
        list[c.vm] = c.index
        this.perVm.set(c.baseId, list)
      }
    }
    const trace: XenTrace = {
      hop: (d, from, to, cause, cost, a0 = 0, a1 = 0) =>
        this.flows.hop(this.ix(from, d), this.ix(to, d), cause, cost, a0, a1),
      work: (d, at, cost) => void this.flows.work(this.ix(at, d), cost),
    }
    this.xen = new Xen(host.hostMemory, {
      clock: host.clock,
      sink: host.sink,
      trace,
      block: (dom) => {
        dom.vm.blocked = true
        dom.cpu.requestStop()
      },
      wake: (dom) => {
        dom.s.blocked = false
        if (!this.preempted.has(dom.domid)) dom.vm.blocked = false
      },
      shutdown: (dom, crashed, why) => this.shutdown(dom, crashed, why),
      timersChanged: (dom) => this.programTimer(dom),
      switchTo: (d) => this.switchTo(d),
    })
  }

  /** `xl`, created at first use so that it numbers the domains the session started. */
  get shell(): ManagementShell {
    this.xl ??= new XlShell(
      {
        list: () => this.host.vms,
        start: (i) => this.host.startVm(i),
        destroy: (i) => this.host.stopVm(i),
        now: () => this.host.clock.cycles,
      },
      this.host.flows,
      this.host.topology,
      'pv',
    )
    return this.xl
  }

  hypercallCounts(): Record<string, number> {
    return Object.fromEntries(this.stats.hypercalls)
  }

  private ix(id: XenComponent, domid: number): number {
    return this.shared.get(id) ?? this.perVm.get(id)?.[domid] ?? this.perVm.get(id)![1]!
  }

  private dom(vm: Vm): XenDomain | undefined {
    return this.xen.domains.get(vm.index)
  }

  private guestSide(dom: XenDomain): XenComponent {
    return dom.cpu.cpl === 3 ? 'domU-user' : 'domU-kernel'
  }

  // ---------------------------------------------------------------- the vCPU

  createCpu(vm: Vm): Cpu {
    // A DomU has no I/O ports or MMIO of its own: its device access is the PV rings [R: an empty bus].
    const cpu: Cpu = new Cpu({
      mem: this.host.hostMemory,
      ports: new PortBus(),
      mmio: new MmioBus(),
      intc: vm.pc.pic,
      sink: this.host.sink,
      clock: this.host.clock,
    })
    cpu.trapInterceptor = (vector, errorCode, source, length) =>
      this.trap(vm, vector, errorCode, source, length)
    return cpu
  }

  private trap(vm: Vm, vector: number, errorCode: number, source: TrapSource, length: number): boolean {
    const dom = this.dom(vm)
    if (!dom) return false
    if (source === 'external') return this.interrupt(dom, vector)
    if (source === 'software' && vector === HYPERCALL_VECTOR && dom.cpu.cpl === 1) {
      this.hypercall(dom, length)
      return true
    }
    return this.exception(dom, vector, errorCode, source, length)
  }

  /** INT 0x82 from the ring-1 kernel: one flow from the kernel into Xen and back (or into the upcall). */
  private hypercall(dom: XenDomain, length: number): void {
    const c = dom.cpu
    const f = this.flows
    const d = dom.domid
    c.eip = (c.eip + length) | 0
    const nr = c.r[0]! >>> 0
    this.host.sink.emit(EventKind.Hypercall, nr, c.r[3]! >>> 0, c.r[1]! >>> 0)
    bump(this.stats.hypercalls, HYPERCALL_NAMES.get(nr) ?? `#${nr}`)
    const ptUpdate =
      nr === Hypercall.mmu_update || nr === Hypercall.update_va_mapping || nr === Hypercall.mmuext_op
    f.begin(
      ptUpdate ? FlowKind.PageTableUpdate : FlowKind.Hypercall,
      nr,
      this.ix('domU-kernel', d),
      c.r[1]! >>> 0,
    )
    f.hop(this.ix('domU-kernel', d), this.ix('xen', d), HopCause.Trap, 'xen-entry', nr, c.r[3]! >>> 0)
    const out = hypercall(this.xen, dom)
    const xen = this.ix('xen', d)
    if (out.validated > 0) {
      this.stats.validatedEntries += out.validated
      f.work(xen, Array<XenPvCostId>(out.validated).fill('xen-validate-pte'))
    }
    for (const cmd of out.mmuext) {
      bump(this.stats.mmuext, MMUEXT_NAMES[cmd] ?? `#${cmd}`)
      f.work(
        xen,
        cmd === Mmuext.NEW_BASEPTR
          ? 'xen-new-baseptr'
          : cmd === Mmuext.PIN_L1_TABLE || cmd === Mmuext.PIN_L2_TABLE || cmd === Mmuext.UNPIN_TABLE
            ? 'xen-validate-pte'
            : 'xen-tlb-op',
      )
    }
    if (out.validated === 0 && out.mmuext.length === 0)
      f.work(xen, nr === Hypercall.event_channel_op ? 'evtchn-send' : 'xen-hypercall-work')
    if (!out.ended && !out.blocked) this.returnToGuest(dom, out.toUser ? 'domU-user' : 'domU-kernel')
    f.end()
  }

  /** Xen returns to the guest: into the event callback if an upcall can go now, else where it was. */
  private returnToGuest(dom: XenDomain, to: XenComponent): void {
    const d = dom.domid
    if (this.xen.deliverUpcall(dom)) {
      this.stats.upcalls++
      this.flows.hop(this.ix('xen', d), this.ix('domU-kernel', d), HopCause.Upcall, 'xen-exit')
    } else this.flows.hop(this.ix('xen', d), this.ix(to, d), HopCause.Return, 'xen-exit')
  }

  private exception(
    dom: XenDomain,
    vector: number,
    errorCode: number,
    source: TrapSource,
    length: number,
  ): boolean {
    const d = dom.domid
    const from = this.guestSide(dom)
    const f = this.flows
    if (source === 'software' && vector === 0x80 && dom.s.int80Direct) {
      // The fast system-call path: the CPU delivers INT 0x80 through Xen's IDT straight to ring 1.
      this.stats.directSyscalls++
      this.host.sink.emit(EventKind.Syscall, dom.cpu.r[0]! >>> 0, dom.cpu.eip >>> 0, dom.cpu.r[3]! >>> 0)
      f.begin(FlowKind.Syscall, dom.cpu.r[0]! >>> 0, this.ix(from, d))
      f.hop(this.ix(from, d), this.ix('domU-kernel', d), HopCause.Syscall, 'pv-syscall', dom.cpu.r[0]! >>> 0)
      f.end()
      return false
    }
    f.begin(
      source === 'software' ? FlowKind.Syscall : FlowKind.Exception,
      vector,
      this.ix(from, d),
      errorCode >>> 0,
    )
    f.hop(this.ix(from, d), this.ix('xen', d), HopCause.Trap, 'xen-entry', vector, errorCode >>> 0)
    const out = handleTrap(this.xen, dom, vector, errorCode, source, length)
    switch (out.kind) {
      case 'emulated':
        bump(this.stats.emulated, out.what)
        f.work(
          this.ix('xen', d),
          out.what === 'page-table write' ? ['xen-emulate', 'xen-validate-pte'] : 'xen-emulate',
        )
        if (dom.vm.state === 'running' && !dom.s.blocked) this.returnToGuest(dom, from)
        break
      case 'bounced':
        bump(this.stats.bounced, out.vector)
        f.hop(this.ix('xen', d), this.ix('domU-kernel', d), HopCause.Upcall, 'xen-exit', out.vector)
        break
      case 'direct':
      case 'crashed':
        break
    }
    f.end()
    return true
  }

  /**
   * A physical interrupt reached Xen (the vCPU's 8254 through the 8259A, Xen's own hardware): Xen's
   * timer interrupt runs the expired timers (VIRQ_TIMER), reprograms the timer and returns to the guest
   * — into the event callback if the upcall can go now.
   */
  private interrupt(dom: XenDomain, vector: number): boolean {
    const d = dom.domid
    const irq = vector - PIC_VECTOR_BASE
    const ports = dom.vm.pc.ports
    ports.out(irq >= 8 ? PcLayout.picSlave : PcLayout.picMaster, 1, 0x20) // EOI
    if (irq >= 8) ports.out(PcLayout.picMaster, 1, 0x20)
    const from = this.guestSide(dom)
    const f = this.flows
    f.begin(FlowKind.Interrupt, vector, this.ix('timer', d), irq >>> 0)
    f.hop(
      this.ix('timer', d),
      this.ix('xen', d),
      HopCause.Signal,
      ['xen-entry', 'xen-timer'],
      vector,
      irq >>> 0,
    )
    this.xen.runTimers(dom, this.host.clock.cycles)
    this.programTimer(dom)
    this.returnToGuest(dom, from)
    f.end()
    return true
  }

  /**
   * Programs the domain's 8254 counter 0 in mode 0 (interrupt on terminal count) for the earliest Xen
   * timer, as Xen's reprogram_timer does with its timer hardware [R: real Xen uses the local APIC's
   * one-shot timer]. A count longer than the counter holds just wakes Xen early.
   */
  private programTimer(dom: XenDomain): void {
    const at = this.xen.nextTimer(dom)
    if (at === Infinity || dom.vm.state !== 'running') return
    const wait = Math.max(0, at - this.host.clock.cycles)
    const ticks = Math.min(0xffff, Math.max(1, Math.ceil((wait * PIT_HZ) / CPU_HZ)))
    const ports = dom.vm.pc.ports
    ports.out(PcLayout.pit + 3, 1, 0x30) // counter 0, LSB then MSB, mode 0, binary
    ports.out(PcLayout.pit, 1, ticks & 0xff)
    ports.out(PcLayout.pit, 1, ticks >>> 8)
  }

  /** Xen's platform setup for a domain's PC: the 8259A pair initialised with only the timer's line open. */
  private initInterruptController(vm: Vm): void {
    const p = vm.pc.ports
    const m = PcLayout.picMaster
    const s = PcLayout.picSlave
    for (const [port, v] of [
      [m, 0x11],
      [m + 1, PIC_VECTOR_BASE],
      [m + 1, 0x04],
      [m + 1, 0x01],
      [s, 0x11],
      [s + 1, PIC_VECTOR_BASE + 8],
      [s + 1, 0x02],
      [s + 1, 0x01],
      [m + 1, 0xfe],
      [s + 1, 0xff],
    ] as const)
      p.out(port, 1, v)
  }

  // ---------------------------------------------------------------- scheduling

  private switchTo(domid: number): void {
    if (this.current === domid) return
    this.host.sink.emit(EventKind.Schedule, 0, scheduleId(this.current), scheduleId(domid))
    this.current = domid
  }

  private runnableDomUs(): number {
    return this.host.vms.filter((v) => v.state === 'running' && !v.blocked && !v.halted).length
  }

  vmStarted(vm: Vm): void {
    this.initInterruptController(vm)
    const dom = this.xen.createDomain(vm)
    if (typeof dom === 'string') {
      vm.console.write(utf8Encode(`xl: domain builder: ${dom}\r\n`))
      vm.powerOff('crashed')
      return
    }
    this.programTimer(dom)
  }

  vmStopped(vm: Vm): void {
    this.xen.destroyDomain(vm.index)
    this.preempted.delete(vm.index)
    if (this.current === vm.index) this.switchTo(IDLE)
  }

  private shutdown(dom: XenDomain, crashed: boolean, why: string): void {
    const vm = dom.vm
    dom.cpu.requestStop()
    if (crashed) {
      vm.console.write(utf8Encode(`\r\n(XEN) domain ${dom.domid} crashed: ${why}\r\n`))
      vm.powerOff('crashed')
      this.vmStopped(vm)
    } else this.host.stopVm(vm.index)
  }

  /**
   * Before the session runs a DomU's vCPU: Xen switches to it (a Schedule event; a domain switch costs
   * when another DomU's state was loaded), gives back the CPU to DomUs it preempted, bounds the run by
   * the time slice when another DomU waits, and delivers a pending upcall.
   */
  beforeRun(vm: Vm): void {
    const dom = this.dom(vm)
    if (!dom) return
    for (const i of this.preempted) {
      if (i === vm.index) continue
      this.preempted.delete(i)
      const other = this.host.vms[i - 1]
      if (other && !this.xen.domains.get(i)?.s.blocked) other.blocked = false
    }
    const d = dom.domid
    if (this.current !== d) {
      this.switchTo(d)
      if (this.lastDomU !== d) {
        if (this.lastDomU !== 0) {
          this.flows.begin(FlowKind.Schedule, d, this.ix('xen', d))
          this.flows.hop(
            this.ix('xen', d),
            this.ix(this.guestSide(dom), d),
            HopCause.WorldSwitch,
            'xen-domain-switch',
            d,
          )
          this.flows.end()
        }
        this.lastDomU = d
        this.sliceEnd = this.host.clock.cycles + TIME_SLICE
      }
    }
    if (this.runnableDomUs() > 1) dom.cpu.limitUntil(this.sliceEnd)
    if (this.xen.upcallDeliverable(dom)) {
      this.flows.begin(FlowKind.Interrupt, 0, this.ix('xen', d))
      if (this.xen.deliverUpcall(dom)) {
        this.stats.upcalls++
        this.flows.hop(this.ix('xen', d), this.ix('domU-kernel', d), HopCause.Upcall, 'xen-exit')
      }
      this.flows.end()
    }
  }

  handleStop(): void {}

  /**
   * After devices advanced: a blocked vCPU wakes for the timer interrupt (Xen's hardware) or a pending
   * upcall; keystrokes at the physical console go to Dom0's console backend; a DomU that used up its
   * slice while another can run is preempted.
   */
  devicesAdvanced(vm: Vm): void {
    const dom = this.dom(vm)
    if (!dom || vm.state !== 'running') return
    if (this.xen.dom0.consoleInputWaiting(dom)) {
      this.flows.begin(FlowKind.Interrupt, PcLayout.com1, this.ix('uart', dom.domid))
      this.xen.consoleInput(dom)
      this.flows.end()
    }
    if (vm.blocked && !this.preempted.has(vm.index) && (vm.pc.pic.intr || this.xen.upcallDeliverable(dom))) {
      dom.s.blocked = false
      vm.blocked = false
    }
    if (
      this.current === vm.index &&
      this.host.clock.cycles >= this.sliceEnd &&
      !vm.blocked &&
      this.runnableDomUs() > 1
    ) {
      this.preempted.add(vm.index)
      vm.blocked = true
      this.sliceEnd = Infinity
      this.switchTo(IDLE)
    }
  }

  // ---------------------------------------------------------------- snapshots

  saveState(w: StateWriter): void {
    w.section('xen-pv')
    w.json({
      current: this.current,
      lastDomU: this.lastDomU,
      sliceEnd: this.sliceEnd === Infinity ? -1 : this.sliceEnd,
      preempted: [...this.preempted],
    })
    this.xen.saveState(w)
  }

  loadState(r: StateReader): void {
    r.section('xen-pv')
    const s = r.json<{ current: number; lastDomU: number; sliceEnd: number; preempted: number[] }>()
    this.current = s.current
    this.lastDomU = s.lastDomU
    this.sliceEnd = s.sliceEnd < 0 ? Infinity : s.sliceEnd
    this.preempted.clear()
    for (const i of s.preempted) this.preempted.add(i)
    this.xen.loadState(r, (d) => this.host.vms[d - 1]!)
  }
}
