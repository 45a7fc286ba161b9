import type { i18n } from 'i18next'
import { selectLanguage, selectTheme, type AppStore } from '../state/app-store'

/**
 * Keeps the document in step with the settings: `<html lang>`, `<html data-theme>` (which selects
 * the --rs- token set) and the title. Runs before the first render, so the page never flashes the
 * wrong theme. Returns the unsubscribe function.
 */
export function syncDocument(app: AppStore, i18n: i18n): () => void {
  const root = document.documentElement
  const apply = () => {
    const state = app.getState()
    const language = selectLanguage(state)
    root.dataset.theme = selectTheme(state)
    if (i18n.language !== language) void i18n.changeLanguage(language)
    root.lang = language
    document.title = i18n.t('app.title')
  }
  apply()
  return app.subscribe((s, prev) => {
    if (s.settings !== prev.settings || s.browser !== prev.browser) apply()
  })
}
