import { useCallback, useMemo } from 'react'
import { useTranslation } from 'react-i18next'
import { TOPOLOGIES, isArchId } from '../../engine/hv/architectures'
import { instantiateTopology } from '../../engine/hv/topology'
import { useSession } from '../../state/context'
import { DiagramTexts, architectureMessages, fill } from '../diagram/texts'

/** What the diagram says about the live session's architecture and VMs, in the user's language (null: no session). */
export function useSessionTexts(): DiagramTexts | null {
  const { i18n } = useTranslation()
  const arch = useSession((s) => s.live.session?.arch ?? null)
  const vms = useSession((s) => s.live.session?.vms.length ?? 0)
  return useMemo(
    () =>
      arch === null || !isArchId(arch)
        ? null
        : new DiagramTexts(
            architectureMessages(i18n.language),
            arch,
            instantiateTopology(TOPOLOGIES[arch], vms),
          ),
    [i18n.language, arch, vms],
  )
}

/** A VM's name as the session's architecture calls it (DomU 1, child partition 1, …; VM n where it has no such column). */
export function useVmName(): (vm: number) => string {
  const { i18n } = useTranslation()
  const texts = useSessionTexts()
  return useCallback(
    (vm: number) => texts?.vmName(vm) ?? fill(architectureMessages(i18n.language).domains.vm, { n: vm }),
    [texts, i18n.language],
  )
}
