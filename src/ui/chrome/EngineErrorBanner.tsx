import { useTranslation } from 'react-i18next'
import { useSession } from '../../state/context'
import { usePerform } from '../actions/use-action'

/** An engine failure, said plainly, with the way out: restart (settings are kept). */
export function EngineErrorBanner() {
  const { t } = useTranslation()
  const perform = usePerform()
  const error = useSession((s) => s.engine.error)
  const dismiss = useSession((s) => s.dismissError)
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
      <button
        type="button"
        className="rs-primary"
        data-testid="engine-restart"
        onClick={() => perform('engine.restart')}
      >
        {t('engine.error.restart')}
      </button>
      <button type="button" data-testid="engine-error-dismiss" onClick={dismiss}>
        {t('engine.error.dismiss')}
      </button>
      {error.detail && (
        <details>
          <summary>{t('engine.error.details')}</summary>
          <pre>{error.detail}</pre>
        </details>
      )}
    </div>
  )
}
