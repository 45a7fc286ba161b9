import { Irq, PcLayout } from '../../machine/layout'
import type { Vm } from '../../session/vm'
import { HopCause } from '../../trace/schema'
import type { ModelHost } from '../model'
import { vmControl } from '../vm-control'
import { mmioSlot, type DeviceClass } from '../vtx/device-class'
import { VtxModel } from '../vtx/vtx-model'
import type { KvmCostId } from './costs'
import { VirshShell } from './virsh'

/**
 * KVM + QEMU (hypervisor-flows.md §3). Exits land in kvm.ko (VMX root ring 0, inside the host Linux
 * kernel). CPUID, HLT, EPT violations and the in-kernel interrupt controllers and PIT are finished
 * there (KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2); port and MMIO accesses to devices only QEMU emulates
 * return from KVM_RUN to the VM's QEMU process (KVM_EXIT_IO / KVM_EXIT_MMIO) and re-enter through
 * KVM_RUN; a virtio kick hits a registered ioeventfd, which wakes QEMU's iothread without returning
 * to user space on the vCPU's path, and the completion comes back through an irqfd. KVM maps guest
 * RAM on first touch (EPT violations) and marks MMIO with misconfigured EPT entries (exit 49).
 */
export class KvmModel extends VtxModel<KvmCostId> {
  readonly arch = 'kvm' as const
  readonly shell: VirshShell
  protected readonly hypervisorId = 'kvm'
  protected readonly cpuidSignature = [0x40000001, 'KVMKVMKVM\0\0\0'] as const
  protected override readonly lazyEpt = true
  protected override readonly mmioMisconfigured = true

  constructor(host: ModelHost) {
    super(host)
    this.shell = new VirshShell(vmControl(host), this.flows, host.topology)
  }

  protected deviceAccess(vm: Vm, device: DeviceClass, write: boolean, gpa?: number): string {
    switch (device) {
      case 'chipset':
        this.work(vm, 'kvm', 'emulate-kernel-device')
        return 'kvm'
      case 'notify':
        if (this.host.vhost && gpa !== undefined && mmioSlot(gpa) === PcLayout.virtioBlockSlot) {
          // vhost: the ioeventfd wakes a worker thread in the host kernel that runs the virtqueue and
          // submits the I/O to the host's block layer itself; no trip to QEMU (hypervisor-flows.md §3.3
          // step 3, the vhost-net design applied to the block queue [R: upstream Linux has vhost-net and
          // vhost-scsi; a vhost-blk worker is this modelling choice]).
          this.work(vm, 'kvm', 'ioeventfd')
          this.hop(vm, 'kvm', 'vhost', HopCause.Signal, 'vhost-wake')
          this.hop(vm, 'vhost', 'host-kernel', HopCause.Call, 'emulate-kernel-device')
          this.hop(vm, 'host-kernel', 'vhost', HopCause.Return, 'inject')
          this.hop(vm, 'vhost', 'kvm', HopCause.Signal, 'irqfd')
          return 'vhost'
        }
        // The kick matches a registered ioeventfd: KVM signals it and re-enters at once (api.rst
        // KVM_IOEVENTFD); QEMU's iothread runs the virtqueue, does the host I/O and raises the
        // completion through an irqfd (KVM_IRQFD), injected at a later entry.
        this.work(vm, 'kvm', 'ioeventfd')
        this.hop(vm, 'kvm', 'qemu', HopCause.Signal, 'iothread-wake')
        this.work(vm, 'qemu', 'emulate-user-device')
        this.hop(vm, 'qemu', 'host-kernel', HopCause.Syscall, 'host-syscall')
        this.hop(vm, 'host-kernel', 'qemu', HopCause.Return, 'inject')
        this.hop(vm, 'qemu', 'kvm', HopCause.Signal, 'irqfd')
        return 'kvm'
      default:
        // KVM has no in-kernel device here: KVM_RUN returns to QEMU's vCPU thread.
        this.hop(vm, 'kvm', 'qemu', HopCause.Return, 'user-space-exit')
        this.work(vm, 'qemu', 'emulate-user-device')
        if (write && device === 'console') {
          // The 16550 model writes the byte to its chardev backend: a host system call.
          this.hop(vm, 'qemu', 'host-kernel', HopCause.Syscall, 'host-syscall')
          this.hop(vm, 'host-kernel', 'qemu', HopCause.Return, 'inject')
        }
        this.hop(vm, 'qemu', 'kvm', HopCause.Ioctl, 'user-space-exit')
        return 'qemu'
    }
  }

  protected interruptPath(vm: Vm, irq: number, running: boolean): void {
    if (irq === Irq.pit || irq < 0) {
      // The host's timer interrupt runs the in-kernel PIT's hrtimer, which raises IRQ 0 (kvm-pit, lapic.c).
      this.hop(null, 'timer', 'host-kernel', HopCause.Signal, running ? 'exit' : 'inject')
      this.hop(vm, 'host-kernel', 'kvm', HopCause.Call, 'timer-deliver')
    } else if (irq === Irq.virtioBlock && this.host.vhost) {
      // The block completion reaches the vhost worker, which signals the guest through its irqfd.
      this.hop(null, 'disk', 'host-kernel', HopCause.Signal, running ? 'exit' : 'inject')
      this.hop(vm, 'host-kernel', 'vhost', HopCause.Return, 'host-syscall')
      this.hop(vm, 'vhost', 'kvm', HopCause.Signal, 'irqfd')
    } else if (irq === Irq.ata || irq === Irq.virtioBlock) {
      this.hop(null, 'disk', 'host-kernel', HopCause.Signal, running ? 'exit' : 'inject')
      this.hop(vm, 'host-kernel', 'qemu', HopCause.Return, 'host-syscall')
      this.hop(vm, 'qemu', 'kvm', HopCause.Signal, 'irqfd')
    } else {
      // Console input reaches QEMU's chardev; the 16550 model raises its IRQ (KVM_IRQ_LINE / irqfd).
      this.hop(null, 'uart', 'host-kernel', HopCause.Signal, running ? 'exit' : 'inject')
      this.hop(vm, 'host-kernel', 'qemu', HopCause.Return, 'host-syscall')
      this.hop(vm, 'qemu', 'kvm', HopCause.Signal, 'irqfd')
    }
  }
}
