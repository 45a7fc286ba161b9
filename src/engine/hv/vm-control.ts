import type { VmControl } from './management'
import type { ModelHost } from './model'

/** The management shells' view of the session's VMs. */
export function vmControl(host: ModelHost): VmControl {
  return {
    list: () => host.vms,
    start: (index) => host.startVm(index),
    destroy: (index) => host.stopVm(index),
    now: () => host.clock.cycles,
  }
}
