import type { Cpu } from '../cpu/cpu'
import type { LoadedImage } from '../loader/load-image'
import { loadImage } from '../loader/load-image'
import type { ManagedVm, VmPowerState } from '../hv/management'
import { MemoryWindow, type PhysicalMemory } from '../machine/memory'
import { Console, Pc, loadSparseBytes, saveSparseBytes } from '../machine/pc'
import type { StateReader, StateWriter } from '../snapshot'
import type { EventSink } from '../trace/sink'
import type { Platform, VmSpec } from './config'
import { ConsoleLog } from './console-log'

/** The console a platform's guest uses as its terminal. */
export function primaryConsole(platform: Platform): number {
  return platform === 'virtio' ? Console.virtio : Console.com1
}

/**
 * One virtual machine: its guest-physical memory (a window onto host RAM), its devices (a Pc over that
 * window — the shared device code; which component runs it is the model's business), its vCPU, its
 * console and its power state.
 */
export class Vm implements ManagedVm {
  readonly name: string
  readonly memory: MemoryWindow
  readonly console = new ConsoleLog()
  readonly consoleIndex: number
  readonly memMiB: number
  readonly vcpus = 1
  /** The VM's disk, kept across restarts as a real disk is. */
  readonly disk: Uint8Array | undefined
  pc!: Pc<MemoryWindow>
  cpu!: Cpu
  image: LoadedImage | null = null
  state: VmPowerState = 'off'
  /** Halted, waiting for an interrupt (HLT with IF = 1). */
  blocked = false
  /** Halted with interrupts off (HLT with IF = 0): nothing can wake it until it is restarted. */
  halted = false
  startedAt = 0
  cpuCycles = 0
  instructions = 0
  /** isa-debug-exit status once the guest wrote the port. */
  exitCode: number | null = null
  debugExitPending = false

  constructor(
    readonly index: number,
    readonly spec: VmSpec,
    host: PhysicalMemory,
    base: number,
    private readonly sink: EventSink,
    private readonly clock: { cycles: number },
  ) {
    this.name = spec.name ?? `vm${index}`
    this.memMiB = spec.memMiB ?? 64
    this.memory = new MemoryWindow(host, base, this.memMiB << 20)
    this.consoleIndex = primaryConsole(spec.platform)
    this.disk = spec.disk ? spec.disk.slice() : undefined
    this.buildDevices()
  }

  private buildDevices(): void {
    this.pc = new Pc({ memory: this.memory, disk: this.disk, sink: this.sink, clock: this.clock })
    this.pc.onConsoleOutput = (console, bytes) => {
      if (console === this.consoleIndex) this.console.write(bytes)
    }
    this.pc.onStop = (_reason, code) => {
      this.exitCode = code
      this.debugExitPending = true
      this.cpu.requestStop()
    }
    this.pc.onDeadlineChange = (d) => this.cpu.limitUntil(d)
  }

  /**
   * Power on: clear RAM, fresh devices (the disk keeps its contents), a fresh vCPU from `makeCpu`,
   * the image loaded as a multiboot loader would, the vCPU at the entry state.
   */
  boot(makeCpu: (vm: Vm) => Cpu): void {
    this.memory.host.u8.fill(0, this.memory.base, this.memory.base + this.memory.size)
    this.buildDevices()
    this.replaceCpu(makeCpu)
    this.image = loadImage(this.memory, this.spec.image, {
      loadAddr: this.spec.loadAddr,
      entry: this.spec.entry,
      cmdline: this.spec.cmdline,
      platform: this.spec.platform,
    })
    this.cpu.resetFlat(this.image.entry, this.memory.size, this.image.eax, this.image.ebx)
    this.pc.advance(this.clock.cycles)
    this.state = 'running'
    this.blocked = false
    this.halted = false
    this.startedAt = this.clock.cycles
    this.exitCode = null
    this.debugExitPending = false
  }

  /** The old vCPU is detached first, so its decoded code stops hearing this VM's memory writes. */
  private replaceCpu(makeCpu: (vm: Vm) => Cpu): void {
    ;(this.cpu as Cpu | undefined)?.dispose()
    this.cpu = makeCpu(this)
  }

  powerOff(state: VmPowerState = 'off'): void {
    this.state = state
    this.blocked = false
    this.halted = false
  }

  input(bytes: Uint8Array): void {
    this.pc.queueConsoleInput(this.consoleIndex, bytes)
  }

  saveState(w: StateWriter): void {
    w.section(`vm${this.index}`)
    w.str(this.state)
    w.bool(this.blocked)
    w.bool(this.halted)
    w.f64(this.startedAt)
    w.f64(this.cpuCycles)
    w.f64(this.instructions)
    w.f64(this.exitCode ?? -1)
    w.json(this.image)
    this.console.saveState(w)
    if (this.state === 'off') return
    this.cpu.saveState(w)
    this.pc.saveState(w)
    saveSparseBytes(w, this.memory.host.u8.subarray(this.memory.base, this.memory.base + this.memory.size))
  }

  loadState(r: StateReader, makeCpu: (vm: Vm) => Cpu): void {
    r.section(`vm${this.index}`)
    this.state = r.str() as VmPowerState
    this.blocked = r.bool()
    this.halted = r.bool()
    this.startedAt = r.f64()
    this.cpuCycles = r.f64()
    this.instructions = r.f64()
    const code = r.f64()
    this.exitCode = code < 0 ? null : code
    this.image = r.json<LoadedImage | null>()
    this.console.loadState(r)
    this.debugExitPending = false
    if (this.state === 'off') return
    this.buildDevices()
    this.replaceCpu(makeCpu)
    this.cpu.loadState(r)
    this.pc.loadState(r)
    loadSparseBytes(r, this.memory.host.u8.subarray(this.memory.base, this.memory.base + this.memory.size))
    this.cpu.flushBlocks()
  }
}
