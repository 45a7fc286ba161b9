import type { Disposable, EngineClient } from '../../client/engine-client'
import { TOPOLOGIES, isArchId } from '../../engine/hv/architectures'
import { instantiateTopology, type Topology } from '../../engine/hv/topology'
import type { RunSpeedId } from '../../state/slices/run-speed'
import type { LiveDiagram } from '../diagram/draw'
import { FlowPlayer, type Speed } from '../diagram/flow-player'
import { TraceToDiagram, type DiagramFlow, type FlowKindName, type FlowSink } from '../diagram/trace-adapter'

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
  /** Counts the flows shown: tells two flows with the same label apart. */
  readonly serial: number
}

export interface FrameClock {
  readonly now: () => number
  readonly request: (callback: () => void) => number
  readonly cancel: (handle: number) => void
}

/**
 * Feeds a session's event stream to the architecture diagram: the component the CPU runs in (applied
 * once per animation frame, however many events move it), heat, and the flows the pace can show,
 * through the diagram's trace adapter. It keeps its own flow player at the diagram's pace, which tells
 * the caption which hop is on show, tells slow motion when a flow has been shown (so the next can be
 * asked for) and decides which flows are worth building at all.
 */
export class LiveDiagramFeed {
  private topology: Topology | null = null
  private adapter: TraceToDiagram | null = null
  private diagram: LiveDiagram | null = null
  private diagramTopology: Topology | null = null
  /** The diagram draws the session's topology: only then is it fed. */
  private draws = false
  private readonly player = new FlowPlayer()
  /** Where the last event put the CPU, not yet drawn. */
  private activePending = false
  private activeComponent: number | null = null
  private activeContext = 0
  private shown: ShownFlow | null = null
  private serial = -1
  private frame = 0
  private waiters: Array<() => void> = []
  private readonly listeners = new Set<() => void>()
  private readonly events: Disposable
  private speed: Speed = 'normal'
  private paused = false
  private label: (kind: FlowKindName, detail: number, hypercall: number) => string = (kind) => kind
  private readonly sink: FlowSink = {
    setActive: (component, context) => {
      this.activeComponent = component
      this.activeContext = context
      this.activePending = true
      this.schedule()
    },
    countHop: (from, to) => {
      if (this.draws) this.diagram?.countHop(from, to)
    },
    acceptFlow: (kind) => {
      // A management command is the user's own request: always shown (see play).
      if (this.player.accepts || (kind === 'management' && this.speed !== 'full')) return true
      this.player.skip()
      if (this.draws) this.diagram?.skipFlow()
      return false
    },
    playFlow: (flow) => this.play(flow),
  }

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
            sink: this.sink,
            label: (kind, detail, hypercall) => this.label(kind, detail, hypercall),
          })
    this.player.clear()
    this.shown = null
    this.activePending = false
    this.follow()
    this.notify()
    this.release()
  }

  /** The diagram (ArchitectureDiagram's onDriver) and the topology it draws; null when it goes. */
  readonly attach = (diagram: LiveDiagram | null, topology: Topology | null): void => {
    this.diagram = diagram
    this.diagramTopology = topology
    diagram?.setSpeed(this.speed)
    diagram?.setPaused(this.paused)
    this.follow()
  }

  setSpeed(speed: Speed): void {
    this.speed = speed
    this.player.setSpeed(speed, this.clock.now())
    this.diagram?.setSpeed(speed)
    this.schedule()
  }

  /** Holds every token where it is (the user paused), or lets them go on. */
  setPaused(paused: boolean): void {
    this.paused = paused
    this.player.setPaused(paused, this.clock.now())
    this.diagram?.setPaused(paused)
    this.schedule()
  }

  setReducedMotion(reduced: boolean): void {
    this.player.reducedMotion = reduced
  }

  setLabel(label: (kind: FlowKindName, detail: number, hypercall: number) => string): void {
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

  private follow(): void {
    const a = this.diagramTopology
    const b = this.topology
    this.draws = a !== null && b !== null && a.arch === b.arch && a.vms === b.vms
  }

  private play(flow: DiagramFlow): void {
    // A management flow goes ahead of the flows waiting, in both players (FlowPlayer.enqueue).
    if (this.draws) this.diagram?.playFlow(flow)
    this.player.enqueue(flow, this.clock.now())
    this.schedule()
  }

  private schedule(): void {
    if (this.frame === 0) this.frame = this.clock.request(() => this.tick())
  }

  private tick(): void {
    this.frame = 0
    if (this.activePending) {
      this.activePending = false
      if (this.draws) this.diagram?.setActive(this.activeComponent, this.activeContext)
    }
    const f = this.player.frame(this.clock.now())
    const topology = this.topology
    if (f !== null && topology !== null) {
      if (f.serial !== this.serial || f.hop !== this.shown?.hop) {
        this.serial = f.serial
        this.shown = { flow: f.flow, hop: f.hop, topology, serial: f.serial }
        this.notify()
      }
    } else if (this.shown !== null && this.shown.hop !== -1) {
      this.shown = { ...this.shown, hop: -1 }
      this.notify()
    }
    if (!this.player.busy) this.release()
    else if (!this.player.paused) this.schedule()
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
