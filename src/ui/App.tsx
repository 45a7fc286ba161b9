import { useTranslation } from 'react-i18next'
import { useKeyBindings } from './actions/use-action'
import { AboutDialog } from './chrome/AboutDialog'
import { EngineErrorBanner } from './chrome/EngineErrorBanner'
import { Header } from './chrome/Header'
import { StatusBar } from './chrome/StatusBar'
import { LiveControls } from './controls/LiveControls'
import { Workspace } from './layout/Workspace'

export function App() {
  const { t } = useTranslation()
  useKeyBindings()
  return (
    <div className="rs-app">
      <a className="rs-skip" href="#main">
        {t('app.skipToMain')}
      </a>
      <Header />
      <LiveControls />
      <EngineErrorBanner />
      <Workspace />
      <StatusBar />
      <AboutDialog />
    </div>
  )
}
