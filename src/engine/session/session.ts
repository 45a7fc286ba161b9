import type { CpuInspection } from '../cpu/inspect'
import type { StopReason } from '../cpu/cpu'
import { TOPOLOGIES, type ArchId } from '../hv/architectures'
import { MODELS } from '../hv/models'
import { ARCH_PLATFORMS } from '../hv/platforms'
import { VcpuScheduler } from '../hv/scheduler'
import { FlowRecorder } from '../hv/flow'
import type { ShellResult } from '../hv/management'
import type { GuestView, HypervisorModel, ModelHost } from '../hv/model'
import { instantiateTopology, type Topology } from '../hv/topology'
import { CYCLES_PER_MS } from '../machine/clock'
import { PhysicalMemory } from '../machine/memory'
import { loadSparseBytes, saveSparseBytes } from '../machine/pc'
import { StateReader, StateWriter } from '../snapshot'
import { EventKind, NO_VM } from '../trace/schema'
import { EventSink } from '../trace/sink'
import type { EventBatcher } from '../trace/batcher'
import { ConfigError, parseSessionConfig, type PagingMode, type SessionConfig } from './config'
import { Vm } from './vm'

/**
 * Why {@link Session.run} or {@link Session.step} returned:
 * - `max-insns` / `max-cycles`: the budget ran out (the machine is fine; run again to continue);
 * - `step`: the requested step (an instruction, an event, a flow) is done;
 * - `idle`: all console input was read and every VM spent the idle time halted (`untilIdleMs`);
 * - `halt`: no VM can run any more (HLT with interrupts off, or nothing left that could wake one);
 * - `debug-exit`: a guest wrote the isa-debug-exit port; `shutdown`: every VM is down (triple fault).
 */
export type SessionStop = 'max-insns' | 'max-cycles' | 'step' | 'idle' | 'halt' | 'debug-exit' | 'shutdown'

export interface RunLimits {
  /** Steps (instructions, REP iterations, delivered interrupts) across all vCPUs. */
  readonly maxInstructions?: number
  /** Virtual cycles from now. */
  readonly maxCycles?: number
  /** Stop with `idle` once all input is read and the guests have been halted this long (virtual ms). */
  readonly untilIdleMs?: number
}

export interface RunResult {
  readonly stop: SessionStop
  /** The VM the stop concerns (debug-exit, shutdown), 1-based. */
  readonly vm?: number
  readonly exitCode?: number
  readonly instructions: number
  readonly cycles: number
}

export type StepUnit = 'instruction' | 'event' | 'flow'

export interface VmInspection {
  readonly index: number
  readonly name: string
  readonly state: Vm['state']
  readonly blocked: boolean
  readonly halted: boolean
  readonly instructions: number
  readonly cpuCycles: number
  readonly cpu: CpuInspection | null
}

export interface SessionInspection {
  readonly arch: ArchId
  readonly cycles: number
  readonly instructions: number
  /** The VM whose vCPU holds the physical CPU (1-based), or null when idle. */
  readonly current: number | null
  readonly vms: readonly VmInspection[]
}

/** Host memory for the hypervisor itself, besides the VMs' RAM, rounded to 1 MiB. */
function mib(bytes: number): number {
  return Math.ceil(bytes / (1 << 20)) << 20
}

/** Limits a step may take before giving up (a loop that never makes an event still returns). */
const STEP_LIMIT = 50_000_000

/**
 * One deterministic run (DESIGN §4): the machine (host memory, one physical CPU), an architecture's
 * hypervisor model, its VMs, and the virtual clock. Same configuration and same timed inputs give the
 * same event stream, byte for byte.
 */
export class Session implements ModelHost {
  readonly clock = { cycles: 0 }
  readonly sink: EventSink
  readonly hostMemory: PhysicalMemory
  readonly topology: Topology
  readonly flows: FlowRecorder<string>
  readonly vms: Vm[]
  readonly model: HypervisorModel
  readonly config: SessionConfig
  readonly paging: PagingMode
  readonly vhost: boolean
  /** Steps taken by every vCPU (instructions, REP iterations, delivered interrupts). */
  instructions = 0
  /** Everything the management shell printed, in order. */
  managementLog = ''
  /** Host memory below the VMs' RAM that belongs to the hypervisor (EPT tables, monitor structures). */
  private readonly reservedBytes: number
  private current: Vm | null = null
  /** The hypervisor's vCPU scheduler (null where there is none to show: bare metal, containers). */
  private readonly scheduler: VcpuScheduler | null
  private rr = 0
  private sliceEnd = Infinity
  private stepHit = false
  private stepUnit: StepUnit | null = null

  constructor(raw: unknown) {
    const config = parseSessionConfig(raw)
    this.config = config
    const factory = MODELS[config.arch]
    if (!factory) {
      throw new ConfigError(
        `arch ${config.arch} is not available yet (available: ${Object.keys(MODELS).join(', ')})`,
      )
    }
    const platforms = ARCH_PLATFORMS[config.arch]
    for (const v of config.vms) {
      if (!platforms.includes(v.platform)) {
        throw new ConfigError(
          `${config.arch} runs guests for the ${platforms.join(' or ')} platform, not ${v.platform}`,
        )
      }
    }
    const modes = factory.paging ?? []
    if (config.paging !== undefined && !modes.includes(config.paging)) {
      throw new ConfigError(
        modes.length === 0
          ? `${config.arch} has no memory-virtualization choice (paging)`
          : `${config.arch} offers paging ${modes.join(' or ')}, not ${config.paging}`,
      )
    }
    this.paging = config.paging ?? modes[0] ?? 'ept'
    if (this.paging === 'shadow' && config.vms.some((v) => v.platform === 'virtio')) {
      // [R] Ringside's shadow MMU traps device memory only through EPT; its MMIO devices need EPT.
      throw new ConfigError('shadow paging runs the native platform (port I/O); virtio-mmio devices need EPT')
    }
    if (config.vhost && !factory.vhost) throw new ConfigError(`${config.arch} has no vhost option (KVM has)`)
    this.vhost = config.vhost === true
    if (config.vms.length > factory.maxVms)
      throw new ConfigError(
        `${config.arch} runs at most ${factory.maxVms} VM${factory.maxVms > 1 ? 's' : ''}`,
      )
    this.sink = new EventSink(this.clock)
    this.topology = instantiateTopology(TOPOLOGIES[config.arch], config.vms.length)
    let costs = factory.costs
    if (config.costProfile !== undefined) {
      const profile = factory.profiles?.[config.costProfile]
      if (!profile) {
        const names = Object.keys(factory.profiles ?? {})
        throw new ConfigError(
          `${config.arch} has ${names.length ? `cost profiles ${names.join(', ')}` : 'no cost profiles'}, not ${config.costProfile}`,
        )
      }
      costs = profile
    }
    this.flows = new FlowRecorder(this.sink, this.clock, this.topology, costs)
    const vmBytes = config.vms.map((v) => (v.memMiB ?? 64) << 20)
    const reserved = mib(factory.reservedBytes(config.vms.length))
    this.reservedBytes = reserved
    this.hostMemory = new PhysicalMemory(reserved + vmBytes.reduce((a, b) => a + b, 0))
    this.model = factory.create(this)
    this.scheduler = factory.scheduler ? new VcpuScheduler(factory.scheduler, this.sink) : null
    let base = reserved
    this.vms = config.vms.map((spec, i) => {
      const vm = new Vm(i + 1, spec, this.hostMemory, base, this.sink, this.clock)
      base += vmBytes[i]!
      return vm
    })
    this.sink.onEmit = (kind) => {
      if (this.stepUnit === null) return
      if (this.stepUnit === 'event' ? kind !== EventKind.InsnRetired : kind === EventKind.FlowEnd) {
        this.stepHit = true
        this.current?.cpu.requestStop()
      }
    }
    for (const vm of this.vms) this.startVm(vm.index)
    for (const line of config.manage ?? []) this.manage(line)
  }

  get arch(): ArchId {
    return this.config.arch
  }

  /** Attaches (or detaches, with null) the batcher that collects event records. */
  attachEvents(batcher: EventBatcher | null): void {
    this.sink.attach(batcher)
  }

  startVm(index: number): void {
    const vm = this.vm(index)
    vm.boot((v) => this.model.createCpu(v))
    this.model.vmStarted(vm)
  }

  stopVm(index: number): void {
    const vm = this.vm(index)
    vm.powerOff()
    this.model.vmStopped(vm)
    if (this.current === vm) this.current = null
  }

  private vm(index: number): Vm {
    const vm = this.vms[index - 1]
    if (!vm) throw new RangeError(`no VM ${index}`)
    return vm
  }

  /** Keystrokes for a VM's console; the guest takes them as it reads. */
  input(index: number, bytes: Uint8Array): void {
    const vm = this.vm(index)
    if (!this.model.consoleInput?.(vm, bytes)) vm.input(bytes)
    if (vm.state === 'running') this.model.devicesAdvanced(vm)
  }

  /** Runs one command line in the architecture's management shell. */
  manage(line: string): ShellResult {
    const shell = this.model.shell
    const result: ShellResult = shell
      ? shell.execute(line)
      : { output: `${this.arch}: there is no management shell on this architecture\n`, exitCode: 127 }
    this.managementLog += result.output
    return result
  }

  /** Console output of each VM since the last call (nothing is lost: see ConsoleLog). */
  takeConsoleOutput(): { vm: number; bytes: Uint8Array }[] {
    const out: { vm: number; bytes: Uint8Array }[] = []
    for (const vm of this.vms) {
      const bytes = vm.console.take()
      if (bytes.length > 0) out.push({ vm: vm.index, bytes })
    }
    return out
  }

  run(limits: RunLimits = {}): RunResult {
    return this.loop(
      limits.maxInstructions ?? Infinity,
      this.clock.cycles + (limits.maxCycles ?? Infinity),
      limits.untilIdleMs,
    )
  }

  /** One instruction, or until the next event, or until the next flow completes. */
  step(unit: StepUnit): RunResult {
    if (unit === 'instruction') return this.loop(1, Infinity, undefined)
    this.stepUnit = unit
    this.stepHit = false
    try {
      return this.loop(STEP_LIMIT, Infinity, undefined)
    } finally {
      this.stepUnit = null
    }
  }

  private minDeadline(): number {
    let d = Infinity
    for (const vm of this.vms) {
      if (vm.state !== 'running') continue
      d = Math.min(d, vm.pc.deadline)
      if (this.model.deadline) d = Math.min(d, this.model.deadline(vm))
    }
    return d
  }

  /** Brings every VM's devices up to now and lets the model react to raised IRQ lines. */
  private advanceDevices(): void {
    for (const vm of this.vms) {
      if (vm.state !== 'running') continue
      if (vm.pc.deadline <= this.clock.cycles) vm.pc.advance(this.clock.cycles)
      const wasBlocked = vm.blocked
      this.model.devicesAdvanced(vm)
      if (wasBlocked && !vm.blocked) this.scheduler?.woke(vm)
    }
  }

  private pendingInput(): boolean {
    return this.vms.some(
      (vm) =>
        vm.state === 'running' &&
        (vm.pc.pendingConsoleInput() > 0 || (this.model.pendingConsoleInput?.(vm) ?? 0) > 0),
    )
  }

  /**
   * The vCPU to run next: the architecture's scheduler's choice among the runnable ones, with the
   * end of its time slice (round-robin without a slice where there is no scheduler).
   */
  private pick(): Vm | null {
    const runnable = this.vms.filter((vm) => vm.state === 'running' && !vm.blocked && !vm.halted)
    if (runnable.length === 0) {
      this.scheduler?.idle()
      return null
    }
    if (this.scheduler) {
      const { vm, sliceEnd } = this.scheduler.pick(runnable, this.clock.cycles)
      this.sliceEnd = sliceEnd
      return vm
    }
    const vm = runnable.find((v) => v.index > this.rr) ?? runnable[0]!
    this.rr = vm.index
    this.sliceEnd = Infinity
    return vm
  }

  private loop(maxSteps: number, maxCycle: number, untilIdleMs: number | undefined): RunResult {
    const start = this.instructions
    const idleCycles = untilIdleMs === undefined ? Infinity : untilIdleMs * CYCLES_PER_MS
    let halted = 0
    let consoleBytes = -1
    const result = (stop: SessionStop, vm?: Vm): RunResult => ({
      stop,
      ...(vm ? { vm: vm.index } : {}),
      ...(stop === 'debug-exit' && vm?.exitCode != null ? { exitCode: vm.exitCode } : {}),
      instructions: this.instructions - start,
      cycles: this.clock.cycles,
    })
    for (;;) {
      if (this.stepHit) {
        this.stepHit = false
        return result('step')
      }
      const left = maxSteps - (this.instructions - start)
      if (left <= 0) return result(maxSteps === 1 ? 'step' : 'max-insns')
      if (this.clock.cycles >= maxCycle) return result('max-cycles')
      const vm = this.pick()
      if (vm === null) {
        this.sink.vm = NO_VM
        const next = this.minDeadline()
        const live = this.vms.filter((v) => v.state === 'running' && !v.halted)
        if (live.length === 0)
          return result(
            this.vms.some((v) => v.state === 'crashed') ? 'shutdown' : 'halt',
            this.vms.find((v) => v.halted || v.state === 'crashed'),
          )
        if (next === Infinity) return result('halt')
        const target = Math.min(next, maxCycle)
        // --until-idle: count halted time since the last console byte, once all input is taken.
        if (this.pendingInput() || this.sink.counts[EventKind.ConsoleByte] !== consoleBytes) {
          consoleBytes = this.sink.counts[EventKind.ConsoleByte]!
          halted = 0
        }
        halted += Math.max(0, target - this.clock.cycles)
        if (this.clock.cycles < target) this.clock.cycles = target
        this.advanceDevices()
        if (halted >= idleCycles) return result('idle')
        continue
      }
      this.current = vm
      this.sink.vm = vm.index
      this.model.beforeRun(vm)
      const before = this.clock.cycles
      const reason: StopReason = vm.cpu.run({
        maxInsns: left,
        untilCycle: Math.min(this.minDeadline(), maxCycle, this.sliceEnd),
      })
      this.instructions += vm.cpu.lastRunSteps
      vm.instructions += vm.cpu.lastRunSteps
      vm.cpuCycles += this.clock.cycles - before
      this.scheduler?.ran(vm, this.clock.cycles - before)
      switch (reason) {
        case 'until-cycle':
          this.advanceDevices()
          continue
        case 'idle':
          vm.blocked = true
          this.current = null
          this.advanceDevices()
          continue
        case 'stop':
          if (vm.debugExitPending) {
            vm.debugExitPending = false
            return result('debug-exit', vm)
          }
          if (this.stepHit) continue
          this.model.handleStop(vm)
          this.advanceDevices()
          continue
        case 'halted':
          vm.halted = true
          this.current = null
          continue
        case 'shutdown':
          vm.powerOff('crashed')
          this.current = null
          continue
        case 'max-insns':
          if (this.stepHit) continue
          return result(maxSteps === 1 ? 'step' : 'max-insns')
      }
    }
  }

  /** VM `index`'s CPU as the guest sees it (under VT-x between exits, the VMCS guest-state area). */
  guestView(index: number): GuestView {
    const vm = this.vm(index)
    const fromModel = this.model.guestView?.(vm)
    if (fromModel) return fromModel
    const c = vm.cpu
    return {
      eip: c.eip >>> 0,
      esp: c.r[4]! >>> 0,
      eflags: c.eflags >>> 0,
      cr0: c.cr0 >>> 0,
      cr3: c.cr3 >>> 0,
      cr4: c.cr4 >>> 0,
      cs: c.sel[1]! & 0xffff,
      ss: c.sel[2]! & 0xffff,
      cpl: c.cpl,
    }
  }

  inspect(): SessionInspection {
    return {
      arch: this.arch,
      cycles: this.clock.cycles,
      instructions: this.instructions,
      current: this.current?.index ?? null,
      vms: this.vms.map((vm) => ({
        index: vm.index,
        name: vm.name,
        state: vm.state,
        blocked: vm.blocked,
        instructions: vm.instructions,
        cpuCycles: vm.cpuCycles,
        halted: vm.halted,
        cpu: vm.state === 'off' ? null : vm.cpu.inspect(),
      })),
    }
  }

  /** The whole session: clock, event counters, flows, every VM (CPU, devices, RAM, console history), the model. */
  snapshot(): Uint8Array {
    const w = new StateWriter()
    w.section('session')
    w.str(this.arch)
    w.f64(this.clock.cycles)
    w.f64(this.instructions)
    w.json(this.sink.saveState())
    w.str(this.managementLog)
    w.f64(this.rr)
    w.f64(this.current?.index ?? 0)
    w.f64(this.sliceEnd)
    w.bool(this.scheduler !== null)
    this.scheduler?.saveState(w)
    w.json({ cycles: Array.from(this.flows.cyclesByComponent), flows: Array.from(this.flows.flowCounts) })
    for (const vm of this.vms) vm.saveState(w)
    this.model.saveState(w)
    saveSparseBytes(w, this.hostMemory.u8.subarray(0, this.reservedBytes))
    return w.finish()
  }

  restore(bytes: Uint8Array): void {
    const r = new StateReader(bytes)
    r.section('session')
    const arch = r.str()
    if (arch !== this.arch) throw new Error(`snapshot is of a ${arch} session, not ${this.arch}`)
    this.clock.cycles = r.f64()
    this.instructions = r.f64()
    this.sink.loadState(r.json())
    this.managementLog = r.str()
    this.rr = r.f64()
    const current = r.f64()
    this.sliceEnd = r.f64()
    if (r.bool() !== (this.scheduler !== null))
      throw new Error('snapshot and session disagree on the scheduler')
    this.scheduler?.loadState(r)
    const f = r.json<{ cycles: number[]; flows: number[] }>()
    this.flows.cyclesByComponent.set(f.cycles)
    this.flows.flowCounts.set(f.flows)
    for (const vm of this.vms) vm.loadState(r, (v) => this.model.createCpu(v))
    this.model.loadState(r)
    loadSparseBytes(r, this.hostMemory.u8.subarray(0, this.reservedBytes))
    this.current = current === 0 ? null : this.vm(current)
  }
}
