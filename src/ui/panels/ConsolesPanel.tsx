import { useTranslation } from 'react-i18next'
import { EmptyState, Panel } from './Panel'

export function ConsolesPanel() {
  const { t } = useTranslation()
  return (
    <Panel region="consoles" title={t('panels.consoles.title')}>
      <EmptyState region="consoles">{t('panels.consoles.empty')}</EmptyState>
    </Panel>
  )
}
