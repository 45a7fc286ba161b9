import { useTranslation } from 'react-i18next'
import { EmptyState, Panel } from './Panel'

export function TimelinePanel() {
  const { t } = useTranslation()
  return (
    <Panel region="timeline" title={t('panels.timeline.title')}>
      <EmptyState region="timeline">{t('panels.timeline.empty')}</EmptyState>
    </Panel>
  )
}
