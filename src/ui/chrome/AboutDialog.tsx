import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { useApp } from '../../state/context'
import { ACTIONS } from '../actions/actions'
import { ActionButton } from '../actions/ActionButton'
import { EngineDiagnostics } from './EngineDiagnostics'

/** What Ringside is and for whom; the key bindings (from the action registry); engine diagnostics. */
export function AboutDialog() {
  const { t } = useTranslation()
  const open = useApp((s) => s.aboutOpen)
  const setOpen = useApp((s) => s.setAboutOpen)
  const ref = useRef<HTMLDialogElement>(null)

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) dialog.showModal()
    if (!open && dialog.open) dialog.close()
  }, [open])

  return (
    <dialog
      ref={ref}
      className="rs-dialog"
      aria-labelledby="about-title"
      data-testid="about"
      onClose={() => setOpen(false)}
    >
      {open && (
        <>
          <div className="rs-dialog-head">
            <h2 id="about-title">{t('about.title')}</h2>
            <ActionButton action="about.close" testId="about-close" />
          </div>
          <div className="rs-dialog-body">
            <p>{t('about.what')}</p>
            <p>{t('about.architectures')}</p>
            <p>{t('about.audience')}</p>
            <p>{t('about.local')}</p>
            <h3>{t('about.shortcuts')}</h3>
            <table className="rs-table">
              <thead>
                <tr>
                  <th scope="col">{t('about.shortcutAction')}</th>
                  <th scope="col">{t('about.shortcutKeys')}</th>
                </tr>
              </thead>
              <tbody>
                {ACTIONS.filter((a) => a.keys?.length).map((a) => (
                  <tr key={a.id}>
                    <td>{t(a.label)}</td>
                    <td>
                      {a.keys?.map((k) => (
                        <kbd key={k}>{k}</kbd>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <EngineDiagnostics />
          </div>
        </>
      )}
    </dialog>
  )
}
