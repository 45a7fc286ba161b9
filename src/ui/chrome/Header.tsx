import { useTranslation } from 'react-i18next'
import { LANGUAGES, LANGUAGE_NAMES } from '../../i18n/i18n'
import { selectLanguage, selectTheme } from '../../state/app-store'
import { useApp } from '../../state/context'
import { THEMES } from '../../state/settings'
import { ActionButton } from '../actions/ActionButton'
import { usePerform } from '../actions/use-action'

export function Header() {
  const { t } = useTranslation()
  const perform = usePerform()
  const language = useApp(selectLanguage)
  const theme = useApp(selectTheme)
  return (
    <header className="rs-header">
      <div className="rs-brand">
        <h1>{t('app.name')}</h1>
        <p className="rs-tagline">{t('app.tagline')}</p>
      </div>
      <div className="rs-toolbar" role="group" aria-label={t('toolbar.label')}>
        <label className="rs-field">
          <span>{t('toolbar.language')}</span>
          <select
            data-testid="language-select"
            value={language}
            onChange={(e) => perform(`language.${e.target.value}`)}
          >
            {LANGUAGES.map((l) => (
              <option key={l} value={l} lang={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </select>
        </label>
        <label className="rs-field">
          <span>{t('toolbar.theme')}</span>
          <select
            data-testid="theme-select"
            value={theme}
            onChange={(e) => perform(`theme.${e.target.value}`)}
          >
            {THEMES.map((th) => (
              <option key={th} value={th}>
                {t(`theme.${th}`)}
              </option>
            ))}
          </select>
        </label>
        <ActionButton action="about.open" testId="about-open" />
      </div>
    </header>
  )
}
