import { useTranslation } from 'react-i18next'
import { useSession } from '../../state/context'
import { ActionButton } from '../actions/ActionButton'

/** An engine failure, said plainly, with the way out: restart (settings are kept). */
export function EngineErrorBanner() {
  const { t } = useTranslation()
  const error = useSession((s) => s.engine.error)
  if (error === null) return null
  const dead = error.code === 'crashed' || error.code === 'timeout' || error.code === 'protocol'
  const message = dead
    ? t('engine.error.crashed', { message: error.message })
    : error.command
      ? t('engine.error.command', { command: error.command, message: error.message })
      : t('engine.error.other', { message: error.message })
  return (
    <div className="rs-alert" role="alert" data-testid="engine-error" data-code={error.code}>
      <p>
        <strong>{message}</strong> {t('engine.error.keepsSettings')}
      </p>
      <ActionButton action="engine.restart" testId="engine-restart" primary />
      <ActionButton action="engine.dismissError" testId="engine-error-dismiss" />
      {error.detail && (
        <details>
          <summary>{t('engine.error.details')}</summary>
          <pre>{error.detail}</pre>
        </details>
      )}
    </div>
  )
}
