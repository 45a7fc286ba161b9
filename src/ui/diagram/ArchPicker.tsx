import { useShallow } from 'zustand/react/shallow'
import { ARCH_IDS, isArchId } from '../../engine/hv/architectures'
import type { ArchitectureMessages } from '../../i18n/locales/architectures.zh-CN'
import { selectDiagram } from '../../state/app-store'
import { useApp } from '../../state/context'
import { MAX_VMS } from '../../state/settings'

const VM_COUNTS = Array.from({ length: MAX_VMS }, (_, i) => i + 1)

/** Chooses the architecture the diagram shows and its number of VMs (persisted with the settings). */
export function ArchPicker({ msgs }: { msgs: ArchitectureMessages }) {
  const { arch, vms } = useApp(useShallow(selectDiagram))
  const setDiagram = useApp((s) => s.setDiagram)
  return (
    <>
      <label className="rs-field">
        <span>{msgs.diagram.picker}</span>
        <select
          data-testid="arch-picker"
          value={arch}
          onChange={(e) => {
            if (isArchId(e.target.value)) setDiagram({ arch: e.target.value })
          }}
        >
          {ARCH_IDS.map((id) => (
            <option key={id} value={id}>
              {msgs.names[id]}
            </option>
          ))}
        </select>
      </label>
      <label className="rs-field">
        <span>{msgs.diagram.vms}</span>
        <select
          data-testid="vm-count"
          value={vms}
          onChange={(e) => setDiagram({ vms: Number(e.target.value) })}
        >
          {VM_COUNTS.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </>
  )
}
