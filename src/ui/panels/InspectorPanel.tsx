import { useTranslation } from 'react-i18next'
import { EmptyState, Panel } from './Panel'

export function InspectorPanel() {
  const { t } = useTranslation()
  return (
    <Panel region="inspector" title={t('panels.inspector.title')}>
      <EmptyState region="inspector">{t('panels.inspector.empty')}</EmptyState>
    </Panel>
  )
}
