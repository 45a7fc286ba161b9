import { useTranslation } from 'react-i18next'
import { useLiveFeed } from '../controls/live-feed'
import { ArchitectureDiagram } from '../diagram/ArchitectureDiagram'
import { Panel } from './Panel'

export function DiagramPanel() {
  const { t } = useTranslation()
  const feed = useLiveFeed()
  return (
    <Panel region="diagram" title={t('panels.diagram.title')}>
      <ArchitectureDiagram onDriver={feed.attach} />
    </Panel>
  )
}
