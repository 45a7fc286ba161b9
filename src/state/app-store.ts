import { createStore, type StoreApi } from 'zustand/vanilla'
import type { Language } from '../i18n/i18n'
import {
  DEFAULT_DIAGRAM,
  DEFAULT_LIVE,
  DEFAULT_PANELS,
  clampPanel,
  loadSettings,
  saveSettings,
  type DiagramChoice,
  type KeyValueStorage,
  type LiveSettings,
  type PanelName,
  type Settings,
  type Theme,
} from './settings'

/** What the browser prefers, used where the user has not chosen. */
export interface BrowserPreferences {
  readonly language: Language
  readonly theme: 'light' | 'dark'
}

/** Application-wide state: the user's settings (persisted) and the chrome's transient UI state. */
export interface AppState {
  readonly settings: Settings
  readonly browser: BrowserPreferences
  readonly aboutOpen: boolean
  setLanguage(language: Language): void
  setTheme(theme: Theme): void
  setPanel(name: PanelName, fraction: number): void
  resetPanels(): void
  setDiagram(choice: Partial<DiagramChoice>): void
  setLive(choice: Partial<LiveSettings>): void
  setAboutOpen(open: boolean): void
  setBrowserPreferences(prefs: BrowserPreferences): void
}

export type AppStore = StoreApi<AppState>

export const selectLanguage = (s: AppState): Language => s.settings.language ?? s.browser.language
export const selectTheme = (s: AppState): Theme => s.settings.theme ?? s.browser.theme
export const selectDiagram = (s: AppState): DiagramChoice => s.settings.diagram ?? DEFAULT_DIAGRAM
export const selectLive = (s: AppState): LiveSettings => s.settings.live ?? DEFAULT_LIVE

/** One store per page; settings are loaded from and saved to `storage`. */
export function createAppStore(browser: BrowserPreferences, storage: KeyValueStorage | null): AppStore {
  const store = createStore<AppState>()((set) => {
    const update = (f: (s: Settings) => Settings) => set((state) => ({ settings: f(state.settings) }))
    return {
      settings: loadSettings(storage),
      browser,
      aboutOpen: false,
      setLanguage: (language) => update((s) => ({ ...s, language })),
      setTheme: (theme) => update((s) => ({ ...s, theme })),
      setPanel: (name, fraction) =>
        update((s) => ({ ...s, panels: { ...s.panels, [name]: clampPanel(name, fraction) } })),
      resetPanels: () => update((s) => ({ ...s, panels: DEFAULT_PANELS })),
      setDiagram: (choice) =>
        update((s) => ({ ...s, diagram: { ...(s.diagram ?? DEFAULT_DIAGRAM), ...choice } })),
      setLive: (choice) => update((s) => ({ ...s, live: { ...(s.live ?? DEFAULT_LIVE), ...choice } })),
      setAboutOpen: (aboutOpen) => set({ aboutOpen }),
      setBrowserPreferences: (prefs) => set({ browser: prefs }),
    }
  })
  store.subscribe((state, prev) => {
    if (state.settings !== prev.settings) saveSettings(storage, state.settings)
  })
  return store
}
