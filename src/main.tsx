import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { I18nextProvider } from 'react-i18next'
import { GuestLibrary } from './client/guest-images'
import { WorkerClient, pickTransport, spawnEngineWorker } from './client/worker-client'
import { createI18n, detectLanguage } from './i18n/i18n'
import { createAppStore, selectLanguage, type BrowserPreferences } from './state/app-store'
import { AppStoreProvider, SessionProvider } from './state/context'
import { createSessionStore } from './state/session-store'
import type { KeyValueStorage } from './state/settings'
import { App } from './ui/App'
import type { ActionContext } from './ui/actions/registry'
import { ActionContextReact } from './ui/actions/use-action'
import { syncDocument } from './ui/document-sync'
import './ui/theme/tokens.css'
import './ui/app.css'

const darkQuery = window.matchMedia('(prefers-color-scheme: dark)')
const browserPreferences = (): BrowserPreferences => ({
  language: detectLanguage(navigator.languages.length > 0 ? navigator.languages : [navigator.language]),
  theme: darkQuery.matches ? 'dark' : 'light',
})

function localStorageOrNull(): KeyValueStorage | null {
  try {
    return window.localStorage
  } catch {
    return null
  }
}

const app = createAppStore(browserPreferences(), localStorageOrNull())
darkQuery.addEventListener('change', () => app.getState().setBrowserPreferences(browserPreferences()))

const i18n = createI18n(selectLanguage(app.getState()))
syncDocument(app, i18n)

// ?transport=transfer forces transferred batches even where the SharedArrayBuffer ring is possible.
const transport = pickTransport(
  new URLSearchParams(window.location.search).get('transport'),
  window.crossOriginIsolated,
)
const session = createSessionStore(new WorkerClient({ spawn: spawnEngineWorker, transport }), {
  schedule: (cb) => requestAnimationFrame(cb),
  guests: new GuestLibrary(new URL('guests/', document.baseURI)),
})

const actions: ActionContext = {
  app,
  session,
  focusRegion: (region) => document.getElementById(`region-${region}`)?.focus(),
}

const root = document.getElementById('root')
if (root === null) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <AppStoreProvider store={app}>
        <SessionProvider store={session}>
          <ActionContextReact.Provider value={actions}>
            <App />
          </ActionContextReact.Provider>
        </SessionProvider>
      </AppStoreProvider>
    </I18nextProvider>
  </StrictMode>,
)
void session.getState().connect()
