import { useTranslation } from 'react-i18next'
import { ArchitectureDiagram } from '../diagram/ArchitectureDiagram'
import { Panel } from './Panel'

export function DiagramPanel() {
  const { t } = useTranslation()
  return (
    <Panel region="diagram" title={t('panels.diagram.title')}>
      <ArchitectureDiagram />
    </Panel>
  )
}
