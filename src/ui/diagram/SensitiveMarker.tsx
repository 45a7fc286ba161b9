import { useEffect, useLayoutEffect, useState, useSyncExternalStore, type RefObject } from 'react'
import { createPortal } from 'react-dom'
import { useTranslation } from 'react-i18next'
import type { Topology } from '../../engine/hv/topology'
import { SensitiveInsn } from '../../engine/trace/schema'
import { liveExtrasMessages } from '../../i18n/locales/live-extras'
import { useSession, useSessionStoreApi } from '../../state/context'
import { GuestMap } from '../inspector/guest-map'
import { imageFor } from '../inspector/ringos'
import { fill, hex, hex32, inspectorMessages } from '../inspector/texts'
import { sensitiveMnemonic } from '../timeline/event-text'
import { componentOfHit, sensitiveWatchOf, type SensitiveHit } from './sensitive-marker'

interface Place {
  /** The component's box in the canvas's scrolled content. */
  readonly left: number
  readonly top: number
  readonly width: number
  readonly height: number
  /** The diagram around the canvas, where the caption goes (the canvas scrolls and clips). */
  readonly host: HTMLElement
}

/** The running guest's symbol map, loaded once something needs it. */
function useGuestMap(wanted: boolean): GuestMap | null {
  const store = useSessionStoreApi()
  const guest = useSession((s) => (s.live.session === null ? null : (s.live.config?.guest ?? null)))
  const [loaded, setLoaded] = useState<{ guest: string; map: GuestMap } | null>(null)
  const have = loaded !== null && loaded.guest === guest
  useEffect(() => {
    if (!wanted || have || guest === null) return
    let current = true
    store
      .getState()
      .guestMapBytes()
      .then((bytes) => {
        if (current && bytes !== null) setLoaded({ guest, map: GuestMap.parse(bytes) })
      })
      .catch(() => undefined)
    return () => {
      current = false
    }
  }, [wanted, have, guest, store])
  return have ? loaded.map : null
}

function detailText(hit: SensitiveHit, m: ReturnType<typeof liveExtrasMessages>['sensitive']): string {
  switch (hit.insn) {
    case SensitiveInsn.Popf:
      return fill(m.popf, { cpl: hit.cpl })
    case SensitiveInsn.Sgdt:
    case SensitiveInsn.Sidt:
      return fill(m.table, { value: hex32(hit.value) })
    default:
      return fill(m.register, { value: hex(hit.value) })
  }
}

/**
 * Points at a sensitive instruction that ran deprivileged without trapping (trap-and-emulate's hole):
 * a flashing mark on the component it ran in and a caption naming the instruction, where it is in the
 * guest's source, and what went wrong. Drawn over the diagram's canvas; closes on request.
 */
export function SensitiveMarker({
  canvas,
  topology,
}: {
  canvas: RefObject<HTMLDivElement | null>
  topology: Topology
}) {
  const { i18n } = useTranslation()
  const language = i18n.language
  const store = useSessionStoreApi()
  const watch = sensitiveWatchOf(store)
  const hit = useSyncExternalStore(
    (notify) => watch.subscribe(notify),
    () => watch.latest(),
  )
  const [closed, setClosed] = useState(0)
  const shown = hit !== null && hit.serial !== closed ? hit : null
  const component = shown === null ? null : componentOfHit(topology, shown)
  const map = useGuestMap(shown !== null)
  const task = useSession((s) => s.inspector.detail?.detail?.task ?? null)
  const [place, setPlace] = useState<Place | null>(null)

  useLayoutEffect(() => {
    const el = canvas.current
    if (el === null || component === null) return
    let frame = 0
    const measure = () => {
      frame = 0
      const target = el.querySelector(`[data-testid="component-${CSS.escape(component.id)}"]`)
      const host = el.parentElement
      if (target === null || host === null) return setPlace(null)
      const c = el.getBoundingClientRect()
      const r = target.getBoundingClientRect()
      const next = {
        host,
        left: r.left - c.left + el.scrollLeft,
        top: r.top - c.top + el.scrollTop,
        width: r.width,
        height: r.height,
      }
      setPlace((prev) =>
        prev !== null &&
        prev.host === host &&
        prev.left === next.left &&
        prev.top === next.top &&
        prev.width === next.width &&
        prev.height === next.height
          ? prev
          : next,
      )
    }
    measure()
    // The diagram is drawn again when its canvas changes size, its language or its theme: measure
    // once it has (each drawing sets the SVG's size).
    const later = () => {
      if (frame === 0) frame = requestAnimationFrame(measure)
    }
    const ro = new ResizeObserver(later)
    ro.observe(el)
    const mo = new MutationObserver(later)
    const svg = el.querySelector('svg')
    if (svg !== null) mo.observe(svg, { attributes: true, attributeFilter: ['width', 'height', 'viewBox'] })
    return () => {
      ro.disconnect()
      mo.disconnect()
      cancelAnimationFrame(frame)
    }
  }, [canvas, component])

  if (shown === null || component === null || place === null) return null
  const m = liveExtrasMessages(language).sensitive
  const im = inspectorMessages(language).inspector
  const insn = sensitiveMnemonic(shown.insn)
  const loc = map === null ? null : map.locate(imageFor(map, shown.eip, task), shown.eip)
  const where = [`EIP ${hex32(shown.eip)}`]
  if (loc?.fn != null) where.push(fill(im.inFunction, { fn: loc.fn }))
  if (loc?.file != null && loc.line !== null) where.push(fill(im.source, { file: loc.file, line: loc.line }))
  return (
    <>
      <div
        key={`mark-${shown.serial}`}
        className="rs-dg-sensitive-mark"
        data-testid="sensitive-marker"
        data-component={component.id}
        data-insn={insn}
        style={{ left: place.left - 4, top: place.top - 4, width: place.width + 8, height: place.height + 8 }}
        aria-hidden="true"
      >
        <span className="rs-dg-sensitive-badge">!</span>
      </div>
      {createPortal(
        <section
          className="rs-dg-sensitive-caption"
          data-testid="sensitive-caption"
          data-insn={insn}
          role="status"
          aria-label={m.region}
        >
          <p>
            <span className="rs-dg-sensitive-badge" aria-hidden="true">
              !
            </span>{' '}
            <strong>{fill(m.caption, { insn, cpl: shown.cpl })}</strong>
          </p>
          <p className="rs-mono" data-testid="sensitive-where">
            {where.join(' · ')}
          </p>
          <p>{detailText(shown, m)}</p>
          <details>
            <summary>{m.whyTitle}</summary>
            <p>{m.why}</p>
            <p className="rs-dg-note">{m.others}</p>
          </details>
          <button type="button" data-testid="sensitive-close" onClick={() => setClosed(shown.serial)}>
            {m.dismiss}
          </button>
        </section>,
        place.host,
      )}
    </>
  )
}
