import { useTranslation } from 'react-i18next'
import { isArchId } from '../../engine/hv/architectures'
import { useSession } from '../../state/context'
import { ManagementConsole } from '../console/ManagementConsole'
import { VmConsole } from '../console/VmConsole'
import { architectureMessages } from '../diagram/texts'
import '../console/console.css'
import { EmptyState, Panel } from './Panel'

/** One terminal per VM of the session and the architecture's management shell. */
export function ConsolesPanel() {
  const { t, i18n } = useTranslation()
  const session = useSession((s) => s.live.session)
  const shellKey = useSession((s) => `${s.live.serial}:${s.live.status?.epoch ?? 0}`)
  const paused = useSession((s) => s.live.session !== null && !s.live.running)
  const arch =
    session !== null && isArchId(session.arch)
      ? architectureMessages(i18n.language).names[session.arch]
      : (session?.arch ?? '')
  return (
    <Panel region="consoles" title={t('panels.consoles.title')}>
      {session === null ? (
        <EmptyState region="consoles">{t('console.noSession')}</EmptyState>
      ) : (
        <div className="rs-consoles" data-terminals={session.vms.length + 1}>
          {session.vms.map((vm) => (
            <VmConsole key={vm.index} vm={vm.index} paused={paused} />
          ))}
          <ManagementConsole
            key={shellKey}
            label={
              session.shell === null
                ? t('console.management')
                : t('console.managementFor', { arch, tools: session.shell.join(', ') })
            }
            tools={session.shell}
            banner={session.shell === null ? t('console.noManagement', { arch }) : null}
          />
        </div>
      )}
    </Panel>
  )
}
