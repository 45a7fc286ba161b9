import type { CSSProperties } from 'react'
import { useTranslation } from 'react-i18next'
import { useShallow } from 'zustand/react/shallow'
import { useApp } from '../../state/context'
import { ConsolesPanel } from '../panels/ConsolesPanel'
import { DiagramPanel } from '../panels/DiagramPanel'
import { InspectorPanel } from '../panels/InspectorPanel'
import { TimelinePanel } from '../panels/TimelinePanel'
import { Separator } from './Separator'

const percent = (f: number) => `${(f * 100).toFixed(2)}%`

/** The main regions: diagram and inspector above, consoles and timeline below, all resizable. */
export function Workspace() {
  const { t } = useTranslation()
  const { inspector, bottom, consoles } = useApp(useShallow((s) => s.settings.panels))
  return (
    <main
      id="main"
      className="rs-workspace"
      tabIndex={-1}
      style={{ '--rs-bottom': percent(bottom) } as CSSProperties}
    >
      <div className="rs-row rs-row-top" style={{ '--rs-inspector': percent(inspector) } as CSSProperties}>
        <DiagramPanel />
        <Separator
          panel="inspector"
          orientation="vertical"
          pane="after"
          label={t('layout.resizeInspector')}
          controls="region-inspector"
        />
        <InspectorPanel />
      </div>
      <Separator
        panel="bottom"
        orientation="horizontal"
        pane="after"
        label={t('layout.resizeBottom')}
        controls="region-consoles"
      />
      <div className="rs-row rs-row-bottom" style={{ '--rs-consoles': percent(consoles) } as CSSProperties}>
        <ConsolesPanel />
        <Separator
          panel="consoles"
          orientation="vertical"
          pane="before"
          label={t('layout.resizeConsoles')}
          controls="region-consoles"
        />
        <TimelinePanel />
      </div>
    </main>
  )
}
