import { useTranslation } from 'react-i18next'
import { registry } from './actions'
import { usePerform } from './use-action'

/** A button for a registered action: its label, its key binding (aria-keyshortcuts) and its perform. */
export function ActionButton({
  action,
  testId,
  primary = false,
  disabled = false,
}: {
  action: string
  testId: string
  primary?: boolean
  disabled?: boolean
}) {
  const { t } = useTranslation()
  const perform = usePerform()
  const a = registry.get(action)
  return (
    <button
      type="button"
      className={primary ? 'rs-primary' : undefined}
      data-testid={testId}
      aria-keyshortcuts={a.keys?.join(' ')}
      disabled={disabled}
      onClick={() => perform(a.id)}
    >
      {t(a.label)}
    </button>
  )
}
