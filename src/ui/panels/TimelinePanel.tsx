import { useTranslation } from 'react-i18next'
import { TimelineTabs } from '../timeline/TimelineTabs'
import { EmptyState, Panel } from './Panel'

export function TimelinePanel() {
  const { t } = useTranslation()
  return (
    <Panel region="timeline" title={t('panels.timeline.title')}>
      <TimelineTabs fallback={<EmptyState region="timeline">{t('panels.timeline.empty')}</EmptyState>} />
    </Panel>
  )
}
