import { Irq } from '../../machine/layout'
import type { Vm } from '../../session/vm'
import { EventKind, HopCause, MANAGEMENT_VM } from '../../trace/schema'
import type { ModelHost } from '../model'
import { vmControl } from '../vm-control'
import type { DeviceClass } from '../vtx/device-class'
import { VtxModel } from '../vtx/vtx-model'
import type { XenHvmCostId } from './costs'
import { XlShell } from './xl'

/** Domain id of Dom0 in Schedule events' arguments (VM numbers start at 1). */

/**
 * Xen HVM (hypervisor-flows.md §4.3). Every VM exit lands in Xen (`vmx_vmexit_handler`, VMX root
 * ring 0). Xen emulates the interrupt controllers and the PIT itself (xen/arch/x86/hvm/vpic.c,
 * emul-i8254.c); other port I/O and MMIO goes to the ioreq server — QEMU in Dom0 — through the vCPU's
 * ioreq slot and an event channel while the vCPU waits; Dom0's kernel wakes QEMU, QEMU emulates and
 * notifies back, Xen resumes the guest (xen/common/ioreq.c, QEMU hw/xen/xen-hvm-common.c). HAP tables
 * are populated when the domain is built. Dom0 is a domain Xen schedules on the same physical CPU:
 * running QEMU means switching to Dom0 and back, shown as schedule events.
 */
export class XenHvmModel extends VtxModel<XenHvmCostId> {
  readonly arch = 'xen-hvm' as const
  readonly shell: XlShell
  protected readonly hypervisorId = 'xen'
  protected readonly cpuidSignature = [0x40000004, 'XenVMMXenVMM'] as const

  constructor(host: ModelHost) {
    super(host)
    this.shell = new XlShell(vmControl(host), this.flows, host.topology, 'hvm')
  }

  /** Xen's scheduler switches the physical CPU between the guest's vCPU and Dom0's. */
  private schedule(vm: Vm, toDom0: boolean): void {
    const [prev, next] = toDom0 ? [vm.index, MANAGEMENT_VM] : [MANAGEMENT_VM, vm.index]
    this.host.sink.emit(EventKind.Schedule, 0, prev, next)
    this.work(null, 'xen', 'dom0-schedule')
  }

  protected deviceAccess(vm: Vm, device: DeviceClass, write: boolean): string {
    if (device === 'chipset') {
      this.work(vm, 'xen', 'emulate-kernel-device')
      return 'xen'
    }
    this.schedule(vm, true)
    this.hop(vm, 'xen', 'dom0-kernel', HopCause.Upcall, 'ioreq-notify')
    this.hop(vm, 'dom0-kernel', 'dom0-qemu', HopCause.Signal, 'evtchn-upcall')
    this.work(vm, 'dom0-qemu', 'emulate-user-device')
    if (write && device === 'console')
      this.hop(vm, 'dom0-qemu', 'dom0-kernel', HopCause.Syscall, 'host-syscall')
    this.hop(vm, 'dom0-qemu', 'dom0-kernel', HopCause.Syscall, 'ioreq-complete')
    this.hop(vm, 'dom0-kernel', 'xen', HopCause.Trap, 'evtchn-send')
    this.schedule(vm, false)
    return 'dom0-qemu'
  }

  protected interruptPath(vm: Vm, irq: number, running: boolean): void {
    if (irq === Irq.pit || irq < 0) {
      // Xen's own emulated PIT raises IRQ 0 in the domain's vPIC from a Xen timer.
      this.hop(null, 'timer', 'xen', HopCause.Signal, running ? 'exit' : 'inject')
      this.work(null, 'xen', 'timer-deliver')
      return
    }
    // A device QEMU emulates (console input, a disk completion): QEMU in Dom0 asserts the ISA IRQ with a
    // dm_op hypercall (XEN_DMOP_set_isa_irq_level) and Xen's vPIC latches it.
    const hw = irq === Irq.ata || irq === Irq.virtioBlock ? 'disk' : 'uart'
    this.hop(null, hw, 'xen', HopCause.Signal, running ? 'exit' : 'inject')
    this.schedule(vm, true)
    this.hop(vm, 'xen', 'dom0-kernel', HopCause.Upcall, 'evtchn-upcall')
    this.hop(vm, 'dom0-kernel', 'dom0-qemu', HopCause.Signal, 'evtchn-upcall')
    this.hop(vm, 'dom0-qemu', 'dom0-kernel', HopCause.Syscall, 'ioreq-complete')
    this.hop(vm, 'dom0-kernel', 'xen', HopCause.Trap, 'evtchn-send')
    this.schedule(vm, false)
  }
}
