import type { Cpu } from '../../cpu/cpu'
import type { Vm } from '../../session/vm'
import type { TrapEmulateCostId } from './costs'
import type { ModelHost } from '../model'
import { RingCompressionModel } from './ring-compression-model'

/**
 * Classic trap-and-emulate with ring compression and no hardware support (x86-virtualization-facts.md
 * §2; the structure of VirtualBox's raw mode without its code patching, hypervisor-flows.md §7.2): the
 * guest kernel runs in ring 1, the monitor in ring 0 owns the real IDT, GDT, TSS and page tables
 * (ring-compression.ts, ../shadow-mmu.ts). Every privileged instruction of the guest kernel raises #GP
 * and is emulated; every exception, interrupt and system call reaches the monitor first and is
 * reflected to the guest kernel through its virtual IDT; port I/O goes to the VM's emulated devices;
 * a write to a traced guest page table unsyncs it until the guest flushes its TLB. The
 * sensitive-but-unprivileged instructions are not caught: the CPU reports each as a `SensitiveNoTrap`
 * event, and the ringos `popf` and `sgdt` lab programs show what goes wrong.
 */
export class TrapEmulateModel extends RingCompressionModel<TrapEmulateCostId> {
  readonly arch = 'trap-emulate' as const
  readonly shell = null

  constructor(host: ModelHost) {
    super(
      host,
      { kernel: 'guest-kernel', monitor: 'monitor' },
      {
        trap: 'monitor-trap',
        resume: 'resume',
        reflect: 'reflect',
        guestSyscall: 'guest-syscall',
        syscallReflect: 'syscall-reflect',
        shadowFill: 'shadow-fill',
        emulate: {
          cpu: 'emulate-privileged',
          halt: 'emulate-privileged',
          mmu: 'emulate-mmu',
          io: 'emulate-device',
        },
      },
    )
  }

  protected attach(_vm: Vm, cpu: Cpu): void {
    cpu.sensitiveWatch = true
  }
}
