import type { Disposable, EngineClient } from '../../client/engine-client'
import { TOPOLOGIES, isArchId } from '../../engine/hv/architectures'
import { instantiateTopology, type Topology } from '../../engine/hv/topology'
import type { RunSpeedId } from '../../state/slices/run-speed'
import { DiagramView } from '../diagram/draw'
import { FlowPlayer, type Speed } from '../diagram/flow-player'
import {
  TraceToDiagram,
  type DiagramDriver,
  type DiagramFlow,
  type FlowKindName,
} from '../diagram/trace-adapter'

/** How fast the diagram animates at each run speed: slow motion shows one flow at a time; full speed shows heat. */
export const DIAGRAM_SPEED: Readonly<Record<RunSpeedId, Speed>> = {
  flow: 'slow',
  '1m': 'normal',
  '5m': 'normal',
  '25m': 'fast',
  full: 'full',
}

/** The flow being told, and its hop (-1 once it has been shown whole). */
export interface ShownFlow {
  readonly flow: DiagramFlow
  readonly hop: number
  readonly topology: Topology
}

export interface FrameClock {
  readonly now: () => number
  readonly request: (callback: () => void) => number
  readonly cancel: (handle: number) => void
}

/**
 * Feeds a session's event stream to the architecture diagram: the component the CPU runs in (applied
 * once per animation frame, however many events move it) and every flow, through the diagram's
 * trace adapter. It keeps its own flow player at the diagram's pace, which tells the caption which
 * hop is on show and tells slow motion when a flow has been shown, so the next can be asked for.
 */
export class LiveDiagramFeed {
  private topology: Topology | null = null
  private adapter: TraceToDiagram | null = null
  private driver: DiagramDriver | null = null
  private driverTopology: Topology | null = null
  private readonly player = new FlowPlayer()
  private active: { component: number | null; context: number } | null = null
  private shown: ShownFlow | null = null
  private serial = -1
  private frame = 0
  private waiters: Array<() => void> = []
  private readonly listeners = new Set<() => void>()
  private readonly events: Disposable
  private speed: Speed = 'normal'
  private label: (kind: FlowKindName, detail: number) => string = (kind) => kind

  constructor(
    client: EngineClient,
    private readonly clock: FrameClock,
  ) {
    this.events = client.onEvents((view, start, count) => this.adapter?.consumeRecords(view, start, count))
  }

  /** The session whose events come next (null: none); each new stream starts with no open flows. */
  setSession(session: { readonly arch: string; readonly vms: number } | null): void {
    this.topology =
      session !== null && isArchId(session.arch)
        ? instantiateTopology(TOPOLOGIES[session.arch], session.vms)
        : null
    this.adapter =
      this.topology === null
        ? null
        : new TraceToDiagram({
            topology: this.topology,
            driver: {
              setActive: (component, context) => {
                this.active = { component, context }
                this.schedule()
              },
              playFlow: (flow) => this.play(flow),
            },
            label: (kind, detail) => this.label(kind, detail),
          })
    this.player.clear()
    this.shown = null
    this.active = null
    this.notify()
    this.release()
  }

  /** The diagram's driver (ArchitectureDiagram's onDriver); it is fed only while it draws the session's topology. */
  readonly attach = (driver: DiagramDriver | null, topology: Topology | null): void => {
    this.driver = driver
    this.driverTopology = topology
    if (driver instanceof DiagramView) driver.setSpeed(this.speed)
  }

  setSpeed(speed: Speed): void {
    this.speed = speed
    this.player.setSpeed(speed, this.clock.now())
    if (this.driver instanceof DiagramView) this.driver.setSpeed(speed)
    this.schedule()
  }

  setReducedMotion(reduced: boolean): void {
    this.player.reducedMotion = reduced
  }

  setLabel(label: (kind: FlowKindName, detail: number) => string): void {
    this.label = label
  }

  /** Resolves once every flow delivered so far has been shown (slow motion's pacer). */
  readonly shownAll = (): Promise<void> => {
    if (!this.player.busy) return Promise.resolve()
    this.schedule()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  current(): ShownFlow | null {
    return this.shown
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  dispose(): void {
    this.events.dispose()
    if (this.frame !== 0) this.clock.cancel(this.frame)
    this.release()
  }

  private drawsSession(): boolean {
    const a = this.driverTopology
    const b = this.topology
    return a !== null && b !== null && a.arch === b.arch && a.vms === b.vms
  }

  private play(flow: DiagramFlow): void {
    const now = this.clock.now()
    const draws = this.drawsSession()
    // A management command is the user's own request: it is shown at once, ahead of the flows
    // waiting (which a change of speed through full speed drops; their heat stays).
    if (flow.kind === 'management' && this.speed !== 'full') {
      for (const speed of ['full', this.speed] as const) {
        this.player.setSpeed(speed, now)
        if (draws && this.driver instanceof DiagramView) this.driver.setSpeed(speed)
      }
    }
    if (draws) this.driver?.playFlow(flow)
    this.player.enqueue(flow, now)
    this.schedule()
  }

  private schedule(): void {
    if (this.frame === 0) this.frame = this.clock.request(() => this.tick())
  }

  private tick(): void {
    this.frame = 0
    const active = this.active
    this.active = null
    if (active !== null && this.drawsSession()) this.driver?.setActive(active.component, active.context)
    const f = this.player.frame(this.clock.now())
    const topology = this.topology
    if (f !== null && topology !== null) {
      if (f.serial !== this.serial || f.hop !== this.shown?.hop) {
        this.serial = f.serial
        this.shown = { flow: f.flow, hop: f.hop, topology }
        this.notify()
      }
    } else if (this.shown !== null && this.shown.hop !== -1) {
      this.shown = { ...this.shown, hop: -1 }
      this.notify()
    }
    if (this.player.busy) this.schedule()
    else this.release()
  }

  private release(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }

  private notify(): void {
    for (const l of this.listeners) l()
  }
}
