import { useRef, type KeyboardEvent, type PointerEvent } from 'react'
import { useApp } from '../../state/context'
import { PANEL_LIMITS, type PanelName } from '../../state/settings'

const STEP = 0.02

/**
 * A window splitter (WAI-ARIA APG "Window Splitter"): drag it, or focus it and use the arrow keys,
 * Home and End. Its value is the size of the pane it controls, as a percentage of the container
 * (its parent element). `pane` says on which side of the separator that pane lies.
 */
export function Separator(props: {
  panel: PanelName
  orientation: 'vertical' | 'horizontal'
  pane: 'before' | 'after'
  label: string
  controls: string
}) {
  const { panel, orientation, pane, label, controls } = props
  const value = useApp((s) => s.settings.panels[panel])
  const setPanel = useApp((s) => s.setPanel)
  const dragging = useRef(false)
  const ref = useRef<HTMLDivElement>(null)
  const [min, max] = PANEL_LIMITS[panel]
  const vertical = orientation === 'vertical'

  const onKeyDown = (e: KeyboardEvent) => {
    const forward = vertical ? 'ArrowRight' : 'ArrowDown'
    const backward = vertical ? 'ArrowLeft' : 'ArrowUp'
    let next: number | null = null
    if (e.key === forward || e.key === backward) {
      const towardAfter = e.key === forward
      next = value + (towardAfter === (pane === 'before') ? STEP : -STEP)
    } else if (e.key === 'Home') next = min
    else if (e.key === 'End') next = max
    if (next === null) return
    e.preventDefault()
    setPanel(panel, next)
  }

  const fractionAt = (e: PointerEvent) => {
    const box = ref.current?.parentElement?.getBoundingClientRect()
    if (!box) return value
    const pos = vertical ? (e.clientX - box.left) / box.width : (e.clientY - box.top) / box.height
    return pane === 'before' ? pos : 1 - pos
  }

  return (
    <div
      ref={ref}
      role="separator"
      tabIndex={0}
      className="rs-separator"
      aria-orientation={orientation}
      aria-label={label}
      aria-controls={controls}
      aria-valuenow={Math.round(value * 100)}
      aria-valuemin={Math.round(min * 100)}
      aria-valuemax={Math.round(max * 100)}
      data-testid={`separator-${panel}`}
      onKeyDown={onKeyDown}
      onPointerDown={(e) => {
        dragging.current = true
        e.currentTarget.setPointerCapture(e.pointerId)
        e.currentTarget.dataset.dragging = 'true'
      }}
      onPointerMove={(e) => dragging.current && setPanel(panel, fractionAt(e))}
      onPointerUp={(e) => {
        dragging.current = false
        e.currentTarget.releasePointerCapture(e.pointerId)
        delete e.currentTarget.dataset.dragging
      }}
    />
  )
}
