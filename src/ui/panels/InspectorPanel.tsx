import { lazy, Suspense } from 'react'
import { useTranslation } from 'react-i18next'
import { EmptyState, Panel } from './Panel'

const Inspector = lazy(() => import('../inspector/Inspector'))

export function InspectorPanel() {
  const { t } = useTranslation()
  return (
    <Panel region="inspector" title={t('panels.inspector.title')}>
      <Suspense fallback={<EmptyState region="inspector">{t('panels.inspector.empty')}</EmptyState>}>
        <Inspector />
      </Suspense>
    </Panel>
  )
}
