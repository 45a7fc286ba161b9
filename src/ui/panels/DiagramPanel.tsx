import { useTranslation } from 'react-i18next'
import { EmptyState, Panel } from './Panel'

export function DiagramPanel() {
  const { t } = useTranslation()
  return (
    <Panel region="diagram" title={t('panels.diagram.title')}>
      <EmptyState region="diagram">{t('panels.diagram.empty')}</EmptyState>
    </Panel>
  )
}
