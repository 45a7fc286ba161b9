import { LANGUAGES, type Language } from '../../i18n/i18n'
import type { MessageKey } from '../../i18n/messages'
import { selectLanguage, selectTheme } from '../../state/app-store'
import { THEMES, type Theme } from '../../state/settings'
import { LIVE_ACTIONS } from '../controls/live-actions'
import { ActionRegistry, REGIONS, type Action, type RegionId } from './registry'

const LANGUAGE_LABELS: Record<Language, MessageKey> = {
  'zh-CN': 'actions.languageZh',
  en: 'actions.languageEn',
}
const THEME_LABELS: Record<Theme, MessageKey> = {
  light: 'actions.themeLight',
  dark: 'actions.themeDark',
  projector: 'actions.themeProjector',
}
const REGION_LABELS: Record<RegionId, MessageKey> = {
  diagram: 'actions.focusDiagram',
  consoles: 'actions.focusConsoles',
  inspector: 'actions.focusInspector',
  timeline: 'actions.focusTimeline',
}

const next = <T>(list: readonly T[], current: T): T => list[(list.indexOf(current) + 1) % list.length]

/** Every user action of the application shell. */
export const ACTIONS: readonly Action[] = [
  {
    id: 'about.open',
    label: 'actions.aboutOpen',
    keys: ['?'],
    perform: ({ app }) => app.getState().setAboutOpen(true),
  },
  { id: 'about.close', label: 'about.close', perform: ({ app }) => app.getState().setAboutOpen(false) },
  {
    id: 'language.toggle',
    label: 'actions.languageToggle',
    keys: ['Alt+Shift+L'],
    perform: ({ app }) => app.getState().setLanguage(next(LANGUAGES, selectLanguage(app.getState()))),
  },
  ...LANGUAGES.map((l): Action => ({
    id: `language.${l}`,
    label: LANGUAGE_LABELS[l],
    perform: ({ app }) => app.getState().setLanguage(l),
  })),
  {
    id: 'theme.cycle',
    label: 'actions.themeCycle',
    keys: ['Alt+Shift+T'],
    perform: ({ app }) => app.getState().setTheme(next(THEMES, selectTheme(app.getState()))),
  },
  ...THEMES.map((t): Action => ({
    id: `theme.${t}`,
    label: THEME_LABELS[t],
    perform: ({ app }) => app.getState().setTheme(t),
  })),
  {
    id: 'layout.reset',
    label: 'actions.layoutReset',
    keys: ['Alt+Shift+R'],
    perform: ({ app }) => app.getState().resetPanels(),
  },
  ...REGIONS.map((r, i): Action => ({
    id: `focus.${r}`,
    label: REGION_LABELS[r],
    keys: [`Alt+Shift+${i + 1}`],
    perform: (ctx) => ctx.focusRegion(r),
  })),
  {
    id: 'engine.restart',
    label: 'actions.engineRestart',
    perform: ({ session }) => session.getState().restart(),
  },
  { id: 'engine.ping', label: 'actions.enginePing', perform: ({ session }) => session.getState().ping() },
  {
    id: 'engine.dismissError',
    label: 'engine.error.dismiss',
    perform: ({ session }) => session.getState().dismissError(),
  },
  {
    id: 'engine.faultThrow',
    label: 'about.faultThrow',
    perform: ({ session }) => session.getState().fault('throw'),
  },
  {
    id: 'engine.faultCrash',
    label: 'about.faultCrash',
    perform: ({ session }) => session.getState().fault('crash'),
  },
  ...LIVE_ACTIONS,
]

export const registry = new ActionRegistry(ACTIONS)
