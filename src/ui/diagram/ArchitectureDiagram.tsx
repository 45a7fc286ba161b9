import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { useTranslation } from 'react-i18next'
import { useShallow } from 'zustand/react/shallow'
import { TOPOLOGIES } from '../../engine/hv/architectures'
import { instantiateTopology, type Topology } from '../../engine/hv/topology'
import { selectDiagram, selectLive, selectTheme } from '../../state/app-store'
import { useApp, useSessionStoreApi } from '../../state/context'
import { ArchPicker } from './ArchPicker'
import { DiagramDetails, describeItem, type DetailsSubject } from './DiagramDetails'
import { DEMO_FLOWS, demoFlow } from './demo-flows'
import { DiagramView, type DiagramItem, type LiveDiagram } from './draw'
import type { TokenFrame } from './flow-player'
import { layoutDiagram, type LayoutMetrics } from './layout'
import { SensitiveMarker } from './SensitiveMarker'
import { DiagramTexts, architectureMessages, fill } from './texts'
import type { DiagramFlow } from './trace-adapter'
import './diagram.css'

const reducedMotionQuery = () => window.matchMedia('(prefers-reduced-motion: reduce)')

function usePrefersReducedMotion(): boolean {
  return useSyncExternalStore(
    (notify) => {
      const q = reducedMotionQuery()
      q.addEventListener('change', notify)
      return () => q.removeEventListener('change', notify)
    },
    () => reducedMotionQuery().matches,
  )
}

/** The smallest scale the diagram is drawn at to fit its panel (text stays ≥ 0.7 × the theme's size). */
const MIN_SCALE = 0.7

function readMetrics(el: Element): LayoutMetrics {
  const css = getComputedStyle(el)
  const px = (name: string, fallback: number) => {
    const v = parseFloat(css.getPropertyValue(name))
    return Number.isFinite(v) && v > 0 ? v : fallback
  }
  return {
    fontSize: px('--rs-font-size', 15),
    smallFontSize: px('--rs-font-size-small', 13),
    gap: px('--rs-space-2', 8),
    pad: px('--rs-space-2', 8),
  }
}

interface Shown {
  readonly flow: DiagramFlow
  /** The hop the token is on, or -1 once the flow has finished. */
  readonly hop: number
  readonly demoRef: string | null
  readonly topology: Topology
  /** Flows not animated because they came faster than the pace. */
  readonly skipped: number
}

export interface ArchitectureDiagramProps {
  /**
   * Receives the drawn diagram and its topology whenever they change (null when unmounted), to feed it
   * trace events and to drive its speed and pause from the live controls.
   */
  readonly onDriver?: (diagram: LiveDiagram | null, topology: Topology | null) => void
}

/**
 * The live view's architecture diagram: the chosen architecture's topology drawn with d3 (rows are
 * privilege contexts, columns are domains), with tooltips, a details pane, flow tokens and heat.
 */
export function ArchitectureDiagram({ onDriver }: ArchitectureDiagramProps) {
  const { i18n } = useTranslation()
  const locale = i18n.language
  const msgs = architectureMessages(locale)
  const { arch, vms } = useApp(useShallow(selectDiagram))
  const theme = useApp(selectTheme)
  const heat = useApp((s) => selectLive(s).speed === 'full')
  const reducedMotion = usePrefersReducedMotion()
  const session = useSessionStoreApi()

  const topology = useMemo(() => instantiateTopology(TOPOLOGIES[arch], vms), [arch, vms])
  const texts = useMemo(() => new DiagramTexts(msgs, arch, topology), [msgs, arch, topology])

  const canvas = useRef<HTMLDivElement>(null)
  const svg = useRef<SVGSVGElement>(null)
  const [view, setView] = useState<DiagramView | null>(null)
  const [size, setSize] = useState<{ width: number; height: number } | null>(null)
  const [metrics, setMetrics] = useState<LayoutMetrics | null>(null)
  // Items and flows belong to the topology they were drawn in; another architecture drops them.
  const [selectedIn, setSelected] = useState<{ item: DetailsSubject; topology: Topology } | null>(null)
  const [hoverIn, setHover] = useState<{ item: DiagramItem; anchor: DOMRect; topology: Topology } | null>(
    null,
  )
  const [shownIn, setShown] = useState<Shown | null>(null)
  const selected = selectedIn?.topology === topology ? selectedIn.item : null
  const hover = hoverIn?.topology === topology ? hoverIn : null
  const shown = shownIn?.topology === topology ? shownIn : null
  // The reference each demonstration flow shows (engine flows have none).
  const demoRefs = useRef(new WeakMap<DiagramFlow, string>())

  useEffect(() => {
    const el = svg.current
    if (el === null) return
    const v = new DiagramView(el, {
      open: (item, topology) => setSelected({ item, topology }),
      hover: (item, anchor, topology) =>
        setHover(item === null || anchor === null ? null : { item, anchor, topology }),
      frame: (frame: TokenFrame | null, topology, skipped) =>
        setShown((prev) =>
          frame === null
            ? prev === null
              ? null
              : { ...prev, hop: -1, skipped }
            : {
                flow: frame.flow,
                hop: frame.hop,
                demoRef: demoRefs.current.get(frame.flow) ?? null,
                topology,
                skipped,
              },
        ),
    })
    setView(v)
    return () => {
      v.dispose()
      setView(null)
    }
  }, [])

  useEffect(() => {
    const el = canvas.current
    if (el === null) return
    const measure = () => setSize({ width: Math.floor(el.clientWidth), height: Math.floor(el.clientHeight) })
    measure()
    const ro = new ResizeObserver(measure)
    ro.observe(el)
    return () => ro.disconnect()
  }, [])

  useEffect(() => {
    if (canvas.current !== null) setMetrics(readMetrics(canvas.current))
  }, [theme])

  const fitted = useMemo(() => {
    if (size === null || metrics === null) return null
    const at = (scale: number) =>
      layoutDiagram({
        topology,
        texts: texts.layoutTexts(),
        metrics,
        width: size.width / scale,
        height: size.height / scale,
      })
    const natural = at(1)
    if (natural.height <= size.height) return { layout: natural, scale: 1 }
    // Too tall for the panel: draw it smaller, down to a scale where text stays readable, then scroll.
    const scale = Math.max(MIN_SCALE, size.height / natural.height)
    return { layout: at(scale), scale }
  }, [topology, texts, metrics, size])

  useEffect(() => {
    if (view !== null && fitted !== null) view.render(fitted.layout, fitted.scale, topology, texts, locale)
  }, [view, fitted, topology, texts, locale])

  useEffect(() => view?.setReducedMotion(reducedMotion), [view, reducedMotion])

  useEffect(() => {
    onDriver?.(view, view === null ? null : topology)
  }, [onDriver, view, topology])
  useEffect(() => () => onDriver?.(null, null), [onDriver])

  const closeDetails = useCallback(() => {
    if (selected !== null && selected.type !== 'architecture') view?.focusItem(selected)
    setSelected(null)
  }, [selected, view])

  const demo = DEMO_FLOWS[arch]
  const playDemo = () => {
    if (view === null || demo === undefined) return
    const flow = demoFlow(demo, topology, 1, msgs.diagram.demo.exit)
    demoRefs.current.set(flow, demo.ref)
    // Asked for while the live Pause holds the animation: it plays all the same.
    session.getState().setHeld(false)
    view.playDemo(flow)
  }

  const m = msgs.diagram
  const tip = hover === null ? null : describeItem(hover.item, texts)
  return (
    <div
      className="rs-diagram"
      data-testid="diagram"
      data-arch={arch}
      data-vms={vms}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && hover !== null) setHover(null)
      }}
    >
      <div className="rs-diagram-toolbar">
        <ArchPicker msgs={msgs} />
        <button
          type="button"
          data-testid="diagram-about"
          aria-pressed={selected?.type === 'architecture'}
          onClick={() =>
            setSelected(
              selected?.type === 'architecture' ? null : { item: { type: 'architecture' }, topology },
            )
          }
        >
          {fill(m.about, { arch: texts.archName })}
        </button>
        {demo !== undefined && (
          <button type="button" data-testid="demo-flow" onClick={playDemo}>
            {m.demo.button}
          </button>
        )}
      </div>
      <div className="rs-diagram-canvas" ref={canvas}>
        <svg ref={svg} />
        <SensitiveMarker canvas={canvas} topology={topology} />
      </div>
      <div className="rs-dg-flow-area">
        <FlowCaption shown={shown} texts={texts} heat={heat} />
        <FlowHops shown={shown} texts={texts} locale={locale} />
      </div>
      {selected !== null && <DiagramDetails item={selected} texts={texts} onClose={closeDetails} />}
      {hover !== null && tip !== null && (
        <div
          className="rs-dg-tooltip"
          role="tooltip"
          data-testid="diagram-tooltip"
          style={{
            left: Math.max(4, Math.min(hover.anchor.left, window.innerWidth - 360)),
            top:
              hover.anchor.bottom + 6 > window.innerHeight - 80
                ? Math.max(4, hover.anchor.top - 80)
                : hover.anchor.bottom + 6,
          }}
        >
          <strong>{tip.name}</strong>
          {tip.what}
        </div>
      )}
    </div>
  )
}

function FlowCaption({ shown, texts, heat }: { shown: Shown | null; texts: DiagramTexts; heat: boolean }) {
  const m = texts.msgs.diagram
  if (heat) return <p className="rs-dg-flow">{m.heat}</p>
  if (shown === null) return null
  return (
    <p
      className="rs-dg-flow"
      data-testid="flow-caption"
      title={shown.demoRef === null ? undefined : fill(m.demo.note, { ref: shown.demoRef })}
    >
      <strong>{shown.flow.label}</strong>
      {shown.demoRef !== null && (
        <span className="rs-dg-note"> — {fill(m.demo.note, { ref: shown.demoRef })}</span>
      )}
      {shown.skipped > 0 && (
        <span className="rs-dg-note"> — {fill(m.skipped, { count: shown.skipped })}</span>
      )}
    </p>
  )
}

/** Every hop of the flow on show, the current one marked: what the token says, without the motion. */
function FlowHops({ shown, texts, locale }: { shown: Shown | null; texts: DiagramTexts; locale: string }) {
  const list = useRef<HTMLOListElement>(null)
  const hop = shown?.hop ?? -1
  useEffect(() => {
    const current = list.current?.querySelector('[aria-current="step"]')
    const ol = list.current
    if (!(current instanceof HTMLElement) || ol === null) return
    ol.scrollLeft = Math.max(0, current.offsetLeft - ol.offsetLeft - ol.clientWidth / 3)
  }, [hop])
  if (shown === null) return null
  const t = texts.topology
  return (
    // Scrolls sideways when long, so it takes the focus (arrow keys scroll it).
    <ol
      className="rs-dg-hops"
      ref={list}
      aria-label={texts.msgs.diagram.hops}
      data-testid="flow-hops"
      tabIndex={0}
    >
      {shown.flow.hops.map((h, i) => (
        <li key={i} aria-current={i === shown.hop ? 'step' : undefined}>
          {i + 1}. {texts.edgeName(h.cause, t.components[h.from], t.components[h.to])}
          {h.cost !== null && ` · ${texts.cycles(h.cost, locale)}`}
        </li>
      ))}
    </ol>
  )
}
