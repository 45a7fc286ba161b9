import type { ArchitectureMessages } from './architectures.zh-CN'

/**
 * English texts for architectures, components, rows and edges (what each is and why control reaches
 * it). Facts: shared/reference/hypervisor-flows.md and x86-virtualization-facts.md; each component's
 * source list is in its topology (src/engine/hv/<arch>/topology.ts).
 */
export const architecturesEn: ArchitectureMessages = {
  names: {
    bare: 'Bare metal',
    kvm: 'KVM + QEMU',
    'xen-hvm': 'Xen HVM',
    esxi: 'VMware ESXi',
    hyperv: 'Hyper-V',
    'trap-emulate': 'Trap-and-emulate',
    'vmware-bt': 'VMware binary translation',
    'xen-pv': 'Xen PV',
    workstation: 'VMware Workstation (hosted)',
    container: 'Containers',
  },
  summaries: {
    bare: 'No hypervisor: the operating system runs directly on the hardware, its kernel in ring 0 and its programs in ring 3. The baseline every other architecture is compared with.',
    kvm: 'The Linux kernel becomes the hypervisor: kvm.ko runs in VMX root ring 0 and handles most VM exits itself; each VM is a QEMU process in host user space that emulates devices; libvirt manages VMs from the host.',
    'xen-hvm':
      'A small hypervisor (Xen) owns the CPU and memory; a privileged domain, Dom0, holds the drivers, the toolstack (xl) and one QEMU device model per unmodified (HVM) guest. Port I/O to emulated devices travels from Xen to QEMU in Dom0 and back.',
    esxi: 'A purpose-built kernel, the VMkernel, is the hypervisor and the only operating system: one VMM per VM handles exits, storage and network go to the VMkernel, and the management agents (hostd, vpxa) are VMkernel user worlds — there is no general-purpose management OS.',
    hyperv:
      'The hypervisor runs beneath everything; even the management OS is a partition (the root partition) running in VMX non-root mode. Intercepts of emulated devices become messages to the root, served by a worker process per VM; enlightened guests use hypercalls and VMBus.',
    'trap-emulate':
      'Classic trap-and-emulate with ring compression and no hardware support: the guest kernel runs in ring 1 and the monitor emulates every privileged instruction that traps. The sensitive-but-unprivileged x86 instructions do not trap — which is why x86 was not classically virtualizable (Popek & Goldberg).',
    'vmware-bt':
      "VMware's answer before VT-x: guest user code runs directly; guest kernel code is translated block by block into a translation cache, with sensitive instructions replaced by calls into the VMM.",
    'xen-pv':
      'Paravirtualization: the guest kernel is modified to run in ring 1 and calls Xen with hypercalls instead of executing privileged instructions; devices are split drivers with frontends in the guest and backends in Dom0.',
    workstation:
      'A hosted (type 2) hypervisor: a host OS owns the hardware; the VMM runs in its own world and reaches the host through a driver and a user-space application, paying a world switch each way.',
    container:
      'No hypervisor and no guest kernel: containers are groups of processes isolated by namespaces and limited by cgroups, all sharing one kernel.',
  },
  rows: {
    r0: 'Ring 0',
    r1: 'Ring 1',
    r2: 'Ring 2',
    r3: 'Ring 3',
    'root-r0': 'Ring −1',
    'root-r1': 'Root ring 1',
    'root-r2': 'Root ring 2',
    'root-r3': 'Root ring 3',
    'nr-r0': 'Non-root ring 0',
    'nr-r1': 'Non-root ring 1',
    'nr-r2': 'Non-root ring 2',
    'nr-r3': 'Non-root ring 3',
    hw: 'Hardware',
  },
  rowNotes: {
    'root-r0': 'VMX root, ring 0 ("ring −1" is the common name, not Intel\'s)',
    'root-r3': 'VMX root operation, ring 3: host user space',
    'nr-r0': 'VMX non-root operation, ring 0: a guest kernel',
    'nr-r3': 'VMX non-root operation, ring 3: guest user space',
    r1: 'A deprivileged kernel (ring compression or paravirtualization)',
  },
  domains: {
    machine: 'Machine',
    host: 'Host',
    vm: 'VM {{n}}',
    xen: 'Xen',
    dom0: 'Dom0',
    domu: 'DomU {{n}}',
    vmkernel: 'VMkernel',
    hv: 'Hypervisor',
    root: 'Root partition',
    child: 'Child partition {{n}}',
    monitor: 'Monitor',
    'vmm-world': 'VMM world',
    container: 'Container {{n}}',
    hardware: 'Hardware',
  },
  management: 'management',
  components: {
    'guest-user': {
      name: 'Guest user programs',
      what: "The guest's processes: the shell and the lab programs, in ring 3.",
    },
    'guest-kernel': {
      name: 'Guest kernel',
      what: "The guest operating system's kernel (ringos): scheduler, system calls, drivers.",
    },
    cpu: { name: 'CPU', what: 'The physical processor. Exceptions and VM exits start here.' },
    memory: { name: 'Memory', what: 'Physical RAM.' },
    disk: { name: 'Disk', what: 'The physical disk controller.' },
    nic: { name: 'NIC', what: 'The physical network card.' },
    uart: { name: 'UART', what: 'The physical serial port (16550A).' },
    timer: { name: 'Timer', what: 'The physical timer that drives scheduling ticks.' },
    qemu: {
      name: 'QEMU',
      what: 'One process per VM in host user space: device models (serial, IDE, virtio backends) and one thread per vCPU that loops on ioctl(KVM_RUN).',
    },
    libvirtd: {
      name: 'libvirtd',
      what: 'The management daemon: turns a domain definition into a QEMU command line, starts and supervises QEMU.',
    },
    virsh: { name: 'virsh', what: "libvirt's command-line shell." },
    'host-kernel': {
      name: 'Host kernel',
      what: "The host operating system's kernel: it owns the hardware and its drivers.",
    },
    kvm: {
      name: 'kvm.ko + kvm-intel',
      what: 'The hypervisor inside the Linux kernel: handles VM exits, the MMU (EPT or shadow), in-kernel interrupt controllers and timers, ioeventfd and irqfd.',
    },
    vhost: {
      name: 'vhost worker',
      what: 'A host kernel thread that runs the virtio data plane in the kernel, so a request does not need QEMU.',
    },
    xl: {
      name: 'xl',
      what: "Xen's toolstack command (xl → libxl → libxc) in Dom0 user space; it creates and destroys domains with domctl hypercalls.",
    },
    xenstored: {
      name: 'xenstored',
      what: 'A small key/value store with watches in Dom0 where frontends and backends meet.',
    },
    'dom0-qemu': {
      name: 'QEMU (Dom0)',
      what: 'The device model of an HVM guest, running in Dom0 user space as an ioreq server.',
    },
    'dom0-kernel': {
      name: 'Dom0 kernel',
      what: "The privileged domain's kernel: real device drivers, backend drivers, the event-channel and privcmd devices.",
    },
    xen: {
      name: 'Xen',
      what: 'The hypervisor: CPU scheduling, memory, interrupts, event channels and grant tables, HVM exit handling; no device drivers.',
    },
    'vim-cmd': {
      name: 'ESXi shell (vim-cmd, esxcli)',
      what: "The host's command-line management tools; they talk to hostd.",
    },
    hostd: {
      name: 'hostd',
      what: 'The host agent, a VMkernel user world: every management call reaches the VMkernel through it.',
    },
    vpxa: {
      name: 'vpxa',
      what: 'The vCenter agent, a VMkernel user world that relays vCenter (vpxd) to hostd.',
    },
    vmx: {
      name: 'VMX process',
      what: "One user world per VM: devices the VMM does not handle (such as the serial port), the console, the VM's configuration.",
    },
    vmkernel: {
      name: 'VMkernel',
      what: "ESXi's own kernel: schedules worlds, runs the storage and network stacks and the drivers.",
    },
    vmm: {
      name: 'VMM',
      what: 'The virtual machine monitor of one VM: it virtualizes the CPU and memory and handles exits or traps.',
    },
    powershell: {
      name: 'PowerShell',
      what: 'Management cmdlets (Get-VM, Start-VM) in the root partition; they call VMMS through WMI.',
    },
    vmms: {
      name: 'VMMS',
      what: 'The Virtual Machine Management Service in the root partition: it manages all VMs and starts a worker process for each.',
    },
    vmwp: {
      name: 'VM worker process',
      what: "vmwp.exe, one per running VM in the root partition's user space: VM state and emulated (legacy) devices.",
    },
    'root-kernel': {
      name: 'Root partition kernel',
      what: 'The management OS kernel: drivers for the real devices, the VID driver, VMBus and the virtualization service providers (VSPs).',
    },
    hypervisor: {
      name: 'Hyper-V hypervisor',
      what: 'Partitions, virtual processors, second-level address translation, the synthetic interrupt controller, intercepts and hypercalls.',
    },
    monitor: {
      name: 'Monitor',
      what: 'A trap-and-emulate VMM: it owns ring 0 and the real IDT, emulates trapping privileged instructions and keeps shadow page tables.',
    },
    bt: {
      name: 'Binary translator',
      what: 'The guest kernel as it really runs: translated blocks in the translation cache, executed in ring 1, with sensitive instructions rewritten into calls to the VMM.',
    },
    'domU-user': { name: 'DomU user programs', what: "The paravirtualized guest's processes, in ring 3." },
    'domU-kernel': {
      name: 'DomU kernel',
      what: 'A paravirtualized guest kernel in ring 1: it uses hypercalls and frontend drivers.',
    },
    blkback: {
      name: 'blkback',
      what: 'The block backend in the Dom0 kernel: takes requests from the shared ring and does the real disk I/O.',
    },
    consoleback: {
      name: 'Console backend',
      what: "The console backend in Dom0: moves console bytes between the guest's ring and the real console.",
    },
    vmrun: { name: 'vmrun', what: "Workstation's command-line control tool on the host." },
    vmapp: {
      name: 'VMware application',
      what: 'The host process of one VM: emulates devices by issuing ordinary host system calls.',
    },
    vmmon: {
      name: 'vmmon driver',
      what: 'The host kernel module that switches between the host world and the VMM world.',
    },
    'container-user': {
      name: 'Container processes',
      what: 'Ordinary processes in their own PID, mount and network namespaces, limited by a cgroup.',
    },
    'host-user': {
      name: 'Host processes',
      what: "The host's own programs (its init and shell, and runc when it runs): processes in the host's namespaces, in no container.",
    },
    runc: {
      name: 'runc',
      what: "The OCI runtime: creates namespaces and cgroups, then starts the container's first process.",
    },
  },
  why: {
    bare: {
      'guest-kernel':
        'Every system call, exception and interrupt goes straight to the kernel through the IDT: there is nothing beneath it.',
      'guest-user': 'User programs run until they make a system call or are interrupted.',
    },
    kvm: {
      kvm: 'Every VM exit lands here first (VMX root ring 0). CPUID, HLT, EPT violations, interrupt-controller and timer work are finished here; only what the kernel has no device for returns to QEMU.',
      qemu: 'Reached when KVM_RUN returns with KVM_EXIT_IO or KVM_EXIT_MMIO: an access to a device that only QEMU emulates (the serial port, the IDE disk), or a virtio kick signalled through an ioeventfd.',
      'host-kernel':
        "QEMU's device models do their I/O with ordinary host system calls; physical interrupts are taken by the host kernel.",
      libvirtd: 'Management commands (virsh start/destroy) are served here; it starts and stops QEMU.',
      virsh: 'Where the user types management commands.',
      vhost:
        'With vhost, a virtio kick wakes this kernel thread instead of QEMU, avoiding the trip to user space.',
      'guest-kernel':
        'Runs in VMX non-root ring 0 — the ring it was written for; most of its instructions run natively without any exit.',
      'guest-user': 'Runs in non-root ring 3; its system calls go to the guest kernel without a VM exit.',
    },
    'xen-hvm': {
      xen: 'Every VM exit lands in Xen. Xen emulates the interrupt controllers and timers itself; other port I/O is posted to an ioreq server and the vCPU waits.',
      'dom0-qemu':
        'Reached through the ioreq page and an event channel when the guest touches a device only QEMU emulates; its answer travels back the same way.',
      'dom0-kernel':
        'Event channels from Xen arrive here as upcalls and wake QEMU; Dom0 also owns the real drivers.',
      xl: 'Management commands (xl create/destroy) start here and reach Xen as domctl hypercalls through the privcmd driver.',
      xenstored: 'Device setup is negotiated through xenstore entries.',
      'guest-kernel': 'An unmodified kernel in VMX non-root ring 0.',
      'guest-user': 'Guest processes; their system calls never leave the guest.',
    },
    esxi: {
      vmm: 'Every VM exit of this VM is handled by its VMM inside the VMkernel.',
      vmkernel: "The VMM passes storage and network I/O to the VMkernel's own stacks.",
      vmx: "Device accesses the VMM does not handle itself (for example the serial port) are passed to this VM's VMX user world.",
      hostd: 'Management calls (vim-cmd, esxcli, vCenter through vpxa) all reach the VMkernel through hostd.',
      vpxa: "Relays vCenter's requests to hostd.",
      'vim-cmd': 'Where the user types management commands.',
      'guest-kernel': 'An unmodified kernel in VMX non-root ring 0.',
      'guest-user': 'Guest processes; their system calls never leave the guest.',
    },
    hyperv: {
      hypervisor:
        'Every VM exit lands in the hypervisor. It handles CPUID, MSRs and hypercalls itself; for an intercept the root partition registered, it suspends the virtual processor and sends the root a message.',
      'root-kernel':
        'The intercept message arrives here (VID driver); VMBus signals from enlightened guests reach the VSPs here.',
      vmwp: "The VM's worker process emulates the legacy device (serial port, IDE) and then resumes the virtual processor through the hypervisor.",
      vmms: "Start-VM and Stop-VM reach VMMS, which starts or stops the VM's worker process.",
      powershell: 'Where the user types management commands.',
      'guest-kernel': 'An unmodified or enlightened kernel in a child partition, VMX non-root ring 0.',
      'guest-user': 'Guest processes; their system calls never leave the guest.',
    },
    'trap-emulate': {
      monitor:
        'The monitor owns the real IDT, so every exception, interrupt and system call reaches it first. Privileged instructions of the ring-1 guest kernel raise #GP and are emulated here; sensitive-but-unprivileged ones (POPF, SGDT, …) never arrive — they silently behave differently.',
      'guest-kernel':
        'Deprivileged to ring 1: its privileged instructions trap to the monitor, which reflects interrupts and system calls back to it.',
      'guest-user': 'Runs directly in ring 3.',
    },
    'vmware-bt': {
      vmm: 'Owns ring 0: translates guest kernel code, emulates what translated code calls out for (port I/O, CPUID, page-table writes) and enters translated code on every guest kernel entry — a system call costs about 2,000 extra cycles.',
      bt: 'Whenever the guest kernel runs, it runs as translated code from the translation cache; a block is translated on first use and reused afterwards.',
      'guest-user': 'Guest user code runs directly in ring 3 (direct execution).',
      vmkernel: 'Owns the physical devices.',
      hostd: 'Management calls reach the VMkernel through the host agent.',
      'vim-cmd': 'Where the user types management commands.',
    },
    'xen-pv': {
      xen: "Hypercalls (int 0x82 or the hypercall page), page faults and events go through Xen in ring 0; system calls from ring 3 bounce straight to the guest kernel's handler.",
      'domU-kernel':
        'A ported kernel in ring 1: it never executes privileged instructions, it asks Xen (mmu_update, mmuext_op, sched_op, event_channel_op).',
      'domU-user': 'Guest processes in ring 3.',
      'dom0-kernel': 'Event channels wake it; it runs the backends and the real drivers.',
      blkback:
        'Disk requests from DomU arrive on a shared ring with grant references and an event-channel notification.',
      consoleback: 'Console output from DomU arrives on a shared ring.',
      xl: 'Management commands start here and reach Xen as domctl hypercalls.',
      xenstored: 'Frontends and backends find each other through xenstore.',
    },
    workstation: {
      vmm: 'Guest exits are handled by the VMM in its own world; simple devices are emulated here.',
      vmmon:
        'A world switch brings control from the VMM world back into the host kernel through this driver.',
      vmapp:
        'Device I/O the VMM cannot finish becomes work for the VMware application, which issues ordinary host system calls (a guest disk read becomes a host read()).',
      'host-kernel': "The host OS owns the hardware and serves vmapp's system calls.",
      vmrun: 'Where the user types management commands.',
      'guest-kernel': 'The guest kernel, VMX non-root ring 0.',
      'guest-user': 'Guest processes.',
    },
    container: {
      'host-kernel':
        "The one kernel: every system call of every container comes straight here, answered within the caller's namespaces.",
      'container-user': 'Ordinary ring-3 processes; there is no guest kernel and no ring −1.',
      runc: "Creates the namespaces and cgroup and starts the container's process.",
      'host-user':
        "The host's own processes: the same kernel answers them, with the whole machine in view (every process, with host PIDs).",
    },
  },
  edges: {
    bare: {
      'guest-user>guest-kernel':
        "A system call: INT 0x80 from ring 3 goes through the kernel's own IDT gate straight into ring 0. Nothing intercepts it — the baseline cost every other architecture is compared with.",
      'guest-kernel>guest-user':
        "The kernel's IRET back to the program after a system call or interrupt. Not drawn by Ringside's model: a flow ends when the kernel has taken over.",
      'guest-kernel>disk':
        "The kernel's disk driver programs the IDE controller's ports (0x1F0–0x1F7) or the virtio block device's registers itself: nothing stands in between.",
      'guest-kernel>uart':
        "The serial driver writes each byte to the 16550's transmit register (port 0x3F8) and reads its status register: the IN/OUT reaches the chip itself.",
      'guest-kernel>nic':
        "Not used by Ringside's model: the emulated PC has no network card. On a real machine the kernel's network driver programs the NIC's registers and rings here.",
      'disk>guest-kernel':
        "The disk's completion interrupt (IRQ 14, or the virtio block device's) arrives through the 8259A and the IDT straight into the kernel's handler.",
      'uart>guest-kernel':
        "The serial port's interrupt (IRQ 4) when a key is typed: the kernel's handler reads the byte from the receive register.",
      'nic>guest-kernel':
        "Not used by Ringside's model: the emulated PC has no network card. On a real machine a received packet interrupts the kernel here.",
      'guest-kernel>timer': 'The kernel programs the 8254 timer (ports 0x40–0x43) for its scheduling tick.',
      'timer>guest-kernel':
        "The timer's tick (IRQ 0) interrupts whatever runs and enters the kernel's timer handler, which may switch to another process.",
      'guest-kernel>cpu':
        'Port I/O to the 8259A interrupt controller (end of interrupt, masks) and the debug-exit port, drawn as part of the CPU box (a modelling choice: the diagram has no chipset box).',
      'cpu>guest-kernel':
        "A CPU exception — page fault, general protection, divide error — delivered through the kernel's IDT: on bare metal the kernel is the first and only handler.",
    },
    kvm: {
      'guest-user>guest-kernel':
        "A system call inside the guest: INT 0x80 goes through the guest's own IDT from non-root ring 3 to non-root ring 0. No VM exit — KVM never sees it.",
      'cpu>guest-kernel':
        "A CPU exception in the guest — a page fault, #GP, divide error (try fault) — delivered through the guest's own IDT in non-root mode: the exception bitmap does not select it, so there is no VM exit and KVM never sees it (with shadow paging a page fault does exit).",
      'guest-kernel>guest-user':
        "The guest kernel's IRET back to its program, inside non-root mode without an exit. Not drawn by Ringside's model: a flow ends in the guest kernel.",
      'guest-kernel>kvm':
        "A VM exit from non-root ring 0 — CPUID (10), HLT (12), an I/O instruction (30), an EPT violation or misconfiguration (48, 49): the CPU saves the guest's state in the VMCS and jumps to kvm-intel's exit handler in VMX root ring 0.",
      'guest-user>kvm':
        "A VM exit while a guest program runs: mostly an external interrupt (exit 1) such as the timer's tick, or an EPT violation the first time a page is touched. A system call does not exit.",
      'kvm>guest-kernel':
        'VM entry (VMRESUME; VMLAUNCH the first time): KVM has finished the exit — emulated the instruction and advanced RIP, perhaps injected a pending interrupt through the VM-entry interruption-information field — and the guest kernel continues in non-root ring 0.',
      'kvm>guest-user':
        'VM entry back into the guest program the exit interrupted (for example after the timer tick that struck while it ran).',
      'kvm>qemu':
        "KVM_RUN returns to QEMU's vCPU thread with KVM_EXIT_IO or KVM_EXIT_MMIO: the port or MMIO address belongs to a device only QEMU emulates (the 16550 UART, the IDE disk). A virtio kick also wakes QEMU's iothread this way, through an ioeventfd, while the vCPU re-enters at once.",
      'qemu>kvm':
        "ioctl(KVM_RUN) again: QEMU has emulated the access (for an IN, its data goes into the guest's register) and the guest re-enters. A virtio completion comes back as an irqfd, and starting a VM issues KVM_CREATE_VM, KVM_SET_USER_MEMORY_REGION and KVM_CREATE_VCPU here.",
      'kvm>vhost':
        'With vhost on, a virtio-blk kick matches an ioeventfd that wakes the vhost worker kernel thread instead of QEMU: no trip to user space (a modelling choice: upstream Linux has vhost-net and vhost-scsi, not a block worker).',
      'vhost>kvm':
        "The vhost worker signals the request's completion through an irqfd; KVM injects the guest's interrupt at the next VM entry.",
      'qemu>host-kernel':
        "QEMU's device models do real I/O with ordinary host system calls: the 16550 model write()s the byte to its character device, the disk model reads the disk image file.",
      'host-kernel>qemu':
        "The host system call returns to QEMU, or the host kernel wakes QEMU because console input or a disk-image read has arrived, so its device model can raise the guest's interrupt.",
      'vhost>host-kernel':
        "The vhost worker submits the virtqueue's requests to the host's block layer without leaving the kernel (a modelling choice: a vhost block worker).",
      'host-kernel>vhost':
        'The host block layer completes the request to the vhost worker, which writes the used ring (the vhost block worker is a modelling choice).',
      'host-kernel>kvm':
        "The host's timer interrupt runs the hrtimer of KVM's in-kernel PIT, which raises the guest's IRQ 0 in the in-kernel PIC; KVM injects it at the next entry.",
      'virsh>libvirtd':
        'virsh sends each command (list, start, destroy) to the libvirt daemon over its local socket.',
      'libvirtd>virsh': 'libvirtd\'s reply — the domain list, or "Domain started" — goes back to virsh.',
      'libvirtd>qemu':
        'libvirtd starts a VM by turning the domain XML into a QEMU command line and executing it; it stops one by telling QEMU to quit over QMP.',
      'libvirtd>host-kernel':
        "Not used by Ringside's model: libvirtd's own host system calls (sockets, starting QEMU's process) are not drawn.",
      'host-kernel>disk':
        "Not used by Ringside's model: the host's disk driver is not modelled; QEMU's read of the disk image ends at its system call. On a real host the block driver programs the controller here.",
      'host-kernel>uart':
        "Not used by Ringside's model: QEMU's console write ends at its system call; the host's own serial driver is not drawn.",
      'host-kernel>nic':
        "Not used by Ringside's model: the emulated PC has no network card. On a real host the NIC driver (and vhost-net behind it) works here.",
      'disk>host-kernel':
        "Not used by Ringside's model: the emulated disk completes at once, so its interrupt is already pending at the VM entry that ends the access and is injected there. On a real host the disk's completion interrupt arrives here; the host kernel wakes QEMU (or the vhost worker), which raises the guest's disk interrupt.",
      'uart>host-kernel':
        "Console input: the host kernel takes the interrupt of the terminal the user types into and hands the bytes to QEMU's character device; the 16550 model then raises the guest's IRQ 4.",
      'nic>host-kernel':
        "Not used by Ringside's model: the emulated PC has no network card. On a real host a received packet interrupts the host kernel here.",
      'host-kernel>timer':
        "Not used by Ringside's model: the host programs its own timer for its hrtimers, but only the tick's arrival is drawn.",
      'timer>host-kernel':
        "The host's timer interrupt. If the guest was running it first causes VM exit 1 (external interrupt); the host kernel handles it and expires the hrtimer of the guest's virtual PIT.",
      'host-kernel>cpu':
        "Not used by Ringside's model: the host's own interrupt-controller programming is not drawn (the guest's 8259A is emulated inside kvm.ko).",
      'cpu>host-kernel':
        "Not used by Ringside's model: a guest's exceptions go through the guest's own IDT without an exit; on a real host the host kernel's own faults arrive here.",
    },
    'xen-hvm': {
      'guest-user>guest-kernel':
        "A system call inside the guest: through the guest's own IDT, from non-root ring 3 to non-root ring 0, with no VM exit — Xen never sees it.",
      'cpu>guest-kernel':
        "A CPU exception in the guest — a page fault, #GP, divide error (try fault) — delivered through the guest's own IDT in non-root mode: the exception bitmap does not select it, so there is no VM exit and Xen never sees it (with shadow paging a page fault does exit).",
      'guest-kernel>guest-user':
        "The guest kernel's IRET back to its program, without an exit. Not drawn by Ringside's model: a flow ends in the guest kernel.",
      'guest-kernel>xen':
        "A VM exit into Xen's vmx_vmexit_handler (VMX root ring 0): CPUID (10), HLT (12), an I/O instruction (30), an EPT violation (48). Xen finishes most itself; port I/O to a device it does not emulate goes on to QEMU in Dom0.",
      'guest-user>xen':
        "A VM exit while a guest program runs: mostly an external interrupt (exit 1) such as the timer's tick. A system call does not exit.",
      'xen>guest-kernel':
        "VM entry: Xen completes the instruction (for an IN, with QEMU's answer), injects a pending interrupt from its vPIC or vLAPIC and resumes the guest kernel.",
      'xen>guest-user': 'VM entry back into the guest program the exit interrupted.',
      'xen>dom0-kernel':
        "An event-channel upcall into Dom0: Xen has filled the vCPU's ioreq slot (port, size, direction, data) and notifies QEMU's event channel while the guest's vCPU waits. Physical interrupts of devices Dom0 owns arrive the same way, as events.",
      'dom0-kernel>xen':
        "A hypercall from Dom0's kernel: EVTCHNOP_send once QEMU has answered an ioreq (Xen wakes the guest's vCPU), or xl's domctl hypercalls, passed on by the privcmd driver, that create, unpause and destroy domains.",
      'dom0-kernel>dom0-qemu':
        "Dom0's event-channel driver wakes QEMU: an emulated port access is waiting in the ioreq page, or input has arrived for an emulated device.",
      'dom0-qemu>dom0-kernel':
        "QEMU calls Dom0's kernel: the 16550 model write()s the byte to its console, then QEMU marks the ioreq answered and notifies its event channel; for a device interrupt it asserts the guest's IRQ with a dm_op hypercall (XEN_DMOP_set_isa_irq_level).",
      'xl>dom0-kernel':
        'xl (through libxl and libxc) issues domctl hypercalls as IOCTL_PRIVCMD_HYPERCALL on /dev/xen/privcmd: create the domain, populate its memory, unpause, destroy, and the queries behind xl list.',
      'xl>xenstored':
        "xl writes the new domain's entries (backend and frontend directories) under /local/domain/<id> in xenstore, and removes them on destroy.",
      'xenstored>xl': "Not drawn by Ringside's model: xenstored's acknowledgement of xl's write.",
      'dom0-kernel>xl':
        "Not drawn by Ringside's model: the privcmd ioctl returning the hypercall's result to xl.",
      'xenstored>dom0-kernel':
        "Not used by Ringside's model for HVM guests (its Xen PV model uses it): xenstore watches tell Dom0's backend drivers that a new frontend needs attaching.",
      'xl>dom0-qemu':
        "xl create starts the guest's device model: libxl launches QEMU with -xen-domid, and QEMU registers as the domain's ioreq server.",
      'timer>xen':
        "The timer interrupt is Xen's (exit 1 if the guest was running): Xen's own emulated PIT raises the guest's IRQ 0 in its vPIC, with no trip to Dom0.",
      'cpu>xen':
        "Not used by Ringside's model: a guest's exceptions go through its own IDT without an exit; Xen's own faults would arrive here.",
      'dom0-kernel>disk':
        "Not used by Ringside's model: QEMU's read of the disk image ends at its system call. On a real system Dom0, the hardware domain, drives the disk controller here.",
      'dom0-kernel>uart':
        "Not used by Ringside's model: QEMU's console write ends at its system call. On a real system Dom0's serial driver programs the UART here.",
      'dom0-kernel>nic':
        "Not used by Ringside's model: the emulated PC has no network card. On a real system Dom0 holds the NIC driver, with netback behind it.",
      'disk>xen':
        "Not used by Ringside's model: the emulated disk completes at once, so its interrupt is already pending at the VM entry that ends the access and is injected there. On a real system the physical disk interrupt reaches Xen first (Xen owns the interrupt controllers) and, the disk being Dom0's, goes on to Dom0 as an event.",
      'nic>xen':
        "Not used by Ringside's model: the emulated PC has no network card. On a real system Xen forwards the NIC's interrupt to Dom0 as an event.",
      'uart>xen':
        "The serial interrupt (a key typed into the guest's console) reaches Xen, which forwards it to Dom0 as an event; QEMU's 16550 model then raises the guest's IRQ.",
    },
    esxi: {
      'guest-user>guest-kernel':
        "A system call inside the guest, through the guest's own IDT from non-root ring 3 to non-root ring 0: in hardware-assisted mode there is no exit.",
      'cpu>guest-kernel':
        "A CPU exception in the guest — a page fault, #GP, divide error (try fault) — delivered through the guest's own IDT in non-root mode: the exception bitmap does not select it, so there is no VM exit and the VMM never sees it.",
      'guest-kernel>guest-user':
        "The guest kernel's IRET back to its program, without an exit. Not drawn by Ringside's model: a flow ends in the guest kernel.",
      'guest-kernel>vmm':
        "A VM exit to this VM's VMM (root ring 0, inside the VMkernel): CPUID, HLT, port I/O, EPT violations. The VMM handles every exit of its VM.",
      'guest-user>vmm':
        "A VM exit while a guest program runs: mostly an external interrupt (exit 1) such as the timer's tick.",
      'vmm>guest-kernel':
        'VM entry: the VMM has handled the exit (and injects any virtual interrupt it posted) and resumes the guest kernel.',
      'vmm>guest-user': 'VM entry back into the guest program the exit interrupted.',
      'vmm>vmkernel':
        "Storage (and network) emulation is the VMkernel's: the VMM passes the virtual disk's request, or a paravirtual device's doorbell, to the VMkernel's storage stack (the doorbell path is a modelling choice; it is proprietary).",
      'vmkernel>vmm':
        "The VMkernel's stack returns to the VMM; it also hands the VMM a physical interrupt for its VM, and the VMM posts the virtual interrupt to the guest (a modelling choice), and creates the VMM's worlds at power-on.",
      'vmm>vmx':
        "A device the VMM leaves to user level — here the serial port — goes to its VM's VMX user world (a modelling choice: the exact VMM/VMX device split is proprietary).",
      'vmx>vmm': 'VMX has emulated the device access and returns to the VMM, which resumes the guest.',
      'vmx>vmkernel':
        "VMX makes VMkernel system calls: it writes the serial port's byte to its backing (a file, a pipe), creates the VM's VMM worlds at power-on and tears them down at power-off (a modelling choice).",
      'vmkernel>vmx': "Not drawn by Ringside's model: the VMkernel system call's return to VMX.",
      'vim-cmd>hostd':
        'vim-cmd (or esxcli) sends the management call to hostd: every local management request reaches the VMkernel through the host agent.',
      'hostd>vim-cmd': "hostd's answer (the VM list, a power state) returns to vim-cmd.",
      'vpxa>hostd':
        "Not used by Ringside's model (there is no vCenter): when the host is joined to vCenter, vpxa relays vpxd's requests to hostd.",
      'hostd>vmkernel':
        "hostd asks the VMkernel to create the VM's VMX user world at power-on (a VMkernel system call).",
      'hostd>vmx':
        "hostd tells the VM's VMX process to start the VM or to power it off (a modelling choice: VMX starts the VMM).",
      'vmkernel>disk':
        "Not used by Ringside's model: the VMM's disk request ends in the VMkernel's storage stack. On a real host its driver programs the controller here.",
      'vmkernel>uart':
        "Not used by Ringside's model: the serial port's output ends at VMX's system call; the VMkernel's serial driver is not drawn.",
      'vmkernel>nic':
        "Not used by Ringside's model: the emulated PC has no network card. On a real host the VMkernel's network stack drives the NIC here.",
      'disk>vmkernel':
        "Not used by Ringside's model: the emulated disk completes at once, so its interrupt is already pending at the VM entry that ends the access and is injected there. On a real host the VMkernel's driver takes the disk interrupt and the VMM posts the guest's virtual interrupt (a modelling choice).",
      'uart>vmkernel':
        "Console input: the VMkernel takes the serial interrupt and hands it to the VMM, which posts the guest's virtual IRQ 4 (a modelling choice).",
      'nic>vmkernel':
        "Not used by Ringside's model: the emulated PC has no network card. On a real host the VMkernel's driver takes the NIC's interrupt here.",
      'vmkernel>timer':
        "Not used by Ringside's model: the VMkernel programs its own timer, but only the tick's arrival is drawn.",
      'timer>vmkernel':
        "The timer interrupt is the VMkernel's (exit 1 if the guest was running); the VMkernel hands it to the VMM, which posts the guest's timer interrupt (a modelling choice).",
      'vmkernel>cpu':
        "Not used by Ringside's model: the VMkernel's interrupt-controller programming is not drawn (the guest's is emulated by its VMM).",
      'cpu>vmkernel':
        "Not used by Ringside's model: a guest's exceptions go through its own IDT without an exit; the VMkernel's own faults would arrive here.",
    },
    hyperv: {
      'guest-user>guest-kernel':
        "A system call inside the child partition, through the guest's own IDT from non-root ring 3 to non-root ring 0: no exit.",
      'cpu>guest-kernel':
        "A CPU exception in the guest — a page fault, #GP, divide error (try fault) — delivered through the guest's own IDT in non-root mode: the exception bitmap does not select it, so there is no VM exit and the hypervisor never sees it.",
      'guest-kernel>guest-user':
        "The guest kernel's IRET back to its program, without an exit. Not drawn by Ringside's model: a flow ends in the guest kernel.",
      'guest-kernel>hypervisor':
        'A VM exit into the hypervisor: CPUID, MSR accesses, HLT, port I/O, and VMCALL through the hypercall page (HvCallSignalEvent, HvCallPostMessage from an enlightened kernel).',
      'guest-user>hypervisor':
        "A VM exit while a guest program runs: mostly an external interrupt (exit 1) such as the timer's tick.",
      'hypervisor>guest-kernel':
        "The hypervisor resumes the child's virtual processor — after handling the exit itself, or once the root has completed an intercept — delivering pending virtual interrupts through its virtual APIC and SynIC.",
      'hypervisor>guest-user': "The hypervisor resumes the child's program that the exit interrupted.",
      'hypervisor>root-kernel':
        "A message to the root: for a port the root intercepts (HvCallInstallIntercept) the hypervisor suspends the child's virtual processor and posts an intercept message into the root's SynIC message page, with a SINT interrupt. The child's HvCallSignalEvent for VMBus arrives the same way, as a SynIC event.",
      'root-kernel>hypervisor':
        'A hypercall from the root: HvCallSetVpRegisters to complete the emulated access and clear the intercept suspension, HvCallSignalEvent when a VSP answers over VMBus, HvCallCreatePartition and HvCallCreateVp when a VM starts.',
      'root-kernel>vmwp':
        "The VID driver hands the intercept to the VM's worker process, whose user-mode device emulator handles the legacy serial port or IDE disk (a modelling choice: the VID-to-VMWP hand-off is inferred from public descriptions).",
      'vmwp>root-kernel':
        'VMWP calls the root kernel: for the host I/O of an emulated device (a console write, a disk read) and, through the VID driver, to complete the access so the virtual processor can resume; at Start-VM it sets the partition up.',
      'powershell>vmms':
        'Get-VM, Start-VM and Stop-VM reach the Virtual Machine Management Service through WMI.',
      'vmms>powershell': "VMMS's answer (the VM list, the result of a start or stop) returns to PowerShell.",
      'vmms>vmwp': "VMMS starts the VM's worker process at Start-VM and tells it to stop the VM at Stop-VM.",
      'vmms>root-kernel':
        "Not used by Ringside's model: a VM's partition is set up by its worker process through the VID driver; VMMS's own calls into the root kernel are not drawn.",
      'timer>hypervisor':
        "The hypervisor owns the timer: it delivers the child's synthetic-timer and SynIC interrupts itself, without a trip through the root.",
      'cpu>hypervisor':
        "Not used by Ringside's model: a guest's exceptions go through its own IDT without an exit; the hypervisor's own faults would arrive here.",
      'root-kernel>disk':
        "A VSP in the root kernel issues the child's VMBus storage request to the real disk through the root's driver stack: the root partition owns the physical devices.",
      'root-kernel>uart':
        "Not used by Ringside's model: the emulated serial port's output ends at VMWP's system call. On a real host the root's serial driver programs the UART here.",
      'root-kernel>nic':
        "Not used by Ringside's model: the emulated PC has no network card. On a real host the root's NIC driver, behind the virtual switch, works here.",
      'disk>root-kernel':
        "The disk's answer returns to the root's storage stack; the VSP writes the reply into the channel's \"in\" ring and signals the child.",
      'disk>hypervisor':
        "Not used by Ringside's model: the emulated disk completes at once, so its interrupt is already pending at the VM entry that ends the access and is injected there. On a real host the hypervisor takes the physical interrupt and redirects it to the root partition, which owns the disk.",
      'nic>hypervisor':
        "Not used by Ringside's model: the emulated PC has no network card. On a real host the hypervisor redirects the NIC's interrupt to the root partition.",
      'uart>hypervisor':
        "Console input: the hypervisor takes the serial interrupt and redirects it to the root, where VMWP's emulated 16550 asserts the child's virtual IRQ 4 (a modelling choice on the exact path).",
    },
    'trap-emulate': {
      'guest-kernel>monitor':
        'A trap from the deprivileged guest kernel in ring 1: a privileged instruction (CLI, HLT, IN/OUT, MOV to CR3, LGDT) raises #GP, or a page fault hits the shadow page tables. Sensitive but unprivileged instructions (POPF, SGDT) never come here.',
      'guest-user>monitor':
        'Every system call (INT 0x80), exception and interrupt from a guest program lands in the monitor first, because the monitor — not the guest kernel — owns the real IDT.',
      'monitor>guest-kernel':
        "The monitor reflects an event into the ring-1 guest kernel: it builds the exception frame and jumps to the handler in the guest's virtual IDT (a system call, the guest's own page fault, a virtual interrupt), or resumes the kernel after emulating its privileged instruction.",
      'monitor>guest-user':
        "The monitor resumes the guest program directly after a fault that was its own business: a hidden page fault, filled from the guest's page tables into the shadow.",
      'guest-kernel>guest-user':
        "The guest kernel's IRET back to ring 3: IRET in ring 1 does not trap, so the monitor never sees it. Not drawn by Ringside's model, which shows only what traps.",
      'monitor>disk':
        "The monitor has decoded the guest kernel's trapped IN/OUT to the IDE ports and performs it on the disk controller's model.",
      'monitor>uart':
        "The monitor has decoded the guest kernel's trapped IN/OUT to the serial port (0x3F8) and performs it on the 16550's model.",
      'monitor>nic':
        "Not used by Ringside's model: the emulated PC has no network card; a trapped access to a NIC would be emulated here.",
      'disk>monitor':
        "The disk controller's answer, or its completion interrupt, which arrives through the real IDT in the monitor; the monitor makes it a virtual interrupt for the guest kernel.",
      'uart>monitor':
        "The serial port's answer, or its interrupt when a key is typed; the monitor delivers it to the guest kernel once its virtual interrupt flag allows.",
      'nic>monitor':
        "Not used by Ringside's model: the emulated PC has no network card. A NIC's interrupt would arrive here through the real IDT.",
      'monitor>timer':
        "The guest kernel's trapped OUT to the 8254's ports (0x40–0x43), performed by the monitor on the timer's model.",
      'timer>monitor':
        "The timer's tick interrupts into the monitor (it owns the real IDT); the monitor reflects it to the guest kernel when the guest's virtual interrupt flag allows.",
      'monitor>cpu':
        "The guest kernel's trapped access to the 8259A interrupt controller (end of interrupt, masks), drawn as part of the CPU box (a modelling choice: the diagram has no chipset box).",
      'cpu>monitor':
        "The 8259A's answer to the access the monitor performed, returning to the monitor (the chipset is drawn as part of the CPU: a modelling choice).",
    },
    'vmware-bt': {
      'guest-user>vmm':
        'Guest programs run directly in ring 3, but their system calls, faults and interrupts go to the VMM, which owns the real IDT; the VMM must then enter translated kernel code — about 2,000 more cycles than a native system call.',
      'vmm>guest-user':
        "The VMM returns to direct execution of the guest program: after the translated kernel's return to user mode, or after a fault the VMM handled itself.",
      'vmm>bt':
        "The VMM enters the translation cache: it translates the guest kernel's next basic blocks on first use and jumps into translated code, which runs deprivileged in ring 1 (ring 1 is a modelling choice, after VMware's 2007 white paper as summarised).",
      'bt>vmm':
        'Translated code calls out to the VMM: a sensitive instruction was rewritten into a call (IN/OUT into the virtual chipset, CPUID, a write to a traced page table), the next block is not translated yet, or a write hit translated code.',
      'bt>guest-user':
        "Not used by Ringside's model: the translated kernel's return to user mode is drawn through the VMM (VMM → guest programs).",
      'vmm>vmkernel':
        "Disk I/O: the VMM's virtual IDE controller passes the request to the VMkernel's storage stack (a modelling choice: this classic VMM runs on an ESXi-like VMkernel).",
      'vmkernel>vmm':
        "The VMkernel returns the disk request's result to the VMM and hands it the disk's interrupt; at power-on it creates the VMM (a modelling choice).",
      'vim-cmd>hostd': 'vim-cmd sends the management call to hostd, the host agent.',
      'hostd>vim-cmd': "hostd's answer (the VM list, a power state) returns to vim-cmd.",
      'hostd>vmkernel':
        "hostd asks the VMkernel to create or tear down the VM's worlds at power-on and power-off.",
      'vmkernel>disk':
        "The VMkernel's storage stack performs the VMM's disk request on the physical controller.",
      'vmkernel>uart':
        "Not used by Ringside's model: the serial port is emulated by the VMM's virtual chipset (VMM → UART).",
      'vmkernel>nic':
        "Not used by Ringside's model: the emulated PC has no network card. On a real host the VMkernel's network stack drives the NIC here.",
      'disk>vmkernel':
        "The disk's answer and its completion interrupt come back to the VMkernel, which hands them to the VMM.",
      'uart>vmkernel':
        "Not used by Ringside's model: the serial port's interrupts go to the VMM's virtual chipset (UART → VMM).",
      'nic>vmkernel':
        "Not used by Ringside's model: the emulated PC has no network card. On a real host the VMkernel takes the NIC's interrupt here.",
      'vmkernel>timer':
        "Not used by Ringside's model: the guest's timer is the VMM's virtual chipset (VMM → timer).",
      'timer>vmkernel':
        "Not used by Ringside's model: the timer's tick is drawn going to the VMM (timer → VMM).",
      'vmkernel>cpu':
        "Not used by Ringside's model: the guest's interrupt controller is emulated inside the VMM.",
      'cpu>vmkernel':
        "Not used by Ringside's model: the guest's faults are drawn from the translated code or guest program to the VMM.",
      'vmm>uart':
        "IN/OUT to the serial port, translated into a call into the VMM's virtual chipset — far cheaper than a trap (Adams & Agesen measured BT's IN about 15 times faster than native).",
      'uart>vmm':
        "The serial port's answer or interrupt reaches the VMM, which makes a virtual interrupt pending for the guest kernel (a modelling choice: the VMM's chipset owns the device).",
      'vmm>timer':
        "The guest kernel's programming of the 8254 timer, translated into a call into the VMM's virtual chipset.",
      'timer>vmm':
        "The timer's tick reaches the VMM, which delivers the guest's timer interrupt by entering translated kernel code at its handler (a modelling choice: the VMM's chipset owns the timer).",
    },
    'xen-pv': {
      'domU-user>xen':
        "A trap from PV user space into Xen (ring 0): a page fault or another exception, or a system call when the direct INT 0x80 gate is not installed. Xen bounces it to the guest kernel's registered handler.",
      'domU-user>domU-kernel':
        "The 32-bit PV fast system call: INT 0x80 is a DPL-3 gate that bounces straight to the guest kernel's registered handler in ring 1, skipping Xen's emulation (drawn as a direct hop; Xen's 2003 design let the CPU call the handler directly).",
      'xen>domU-kernel':
        "Xen enters the ring-1 guest kernel: a bounce frame to its registered event callback (an event channel: VIRQ_TIMER, a backend's notification) or to its handler for a fault, and the first entry of a new domain.",
      'domU-kernel>xen':
        'A hypercall — INT 0x82 through the hypercall page: mmu_update, mmuext_op, sched_op, event_channel_op, iret — or a trap (#GP from a privileged instruction, a page fault). The PV kernel asks Xen instead of executing privileged instructions.',
      'xen>domU-user':
        'Xen returns to the guest program: after a fault it fixed itself, after a switch between domains, or through HYPERVISOR_iret when the kernel returns to ring 3 with an event pending.',
      'domU-kernel>domU-user':
        "The PV kernel's return to its program: with no event pending, ringos's kernel executes a plain IRET from ring 1 to ring 3, which does not trap, so nothing is reported — not drawn by Ringside's model. With an event pending it goes through Xen (HYPERVISOR_iret).",
      'xen>dom0-kernel':
        "An event-channel upcall into Dom0: a DomU frontend's EVTCHNOP_send (a disk request or console output on a shared ring), or a physical interrupt of a device Dom0 owns, forwarded as an event; Dom0's own hypercalls return this way too.",
      'dom0-kernel>xen':
        "Dom0's kernel calls Xen: EVTCHNOP_send to tell a domain that xenstored has answered on its ring; sched_op to block once its event work is done, so Xen switches back to the DomU; and the domctl hypercalls xl issues through the privcmd driver.",
      'dom0-kernel>blkback':
        "Dom0's event-channel handler runs blkback: requests are waiting on a DomU's shared block ring, or a disk completion arrived.",
      'dom0-kernel>consoleback':
        "Dom0's event-channel handler runs the console backend: a DomU put output on its console ring, or input arrived for it.",
      'blkback>xen':
        "blkback calls Xen: GNTTABOP_map_grant_ref maps the pages a request's grant references name (and the ring itself at connection), then EVTCHNOP_send tells blkfront its response is ready.",
      'consoleback>xen':
        'The console backend notifies the DomU with EVTCHNOP_send once it has consumed the output or queued input.',
      'xen>blkback': 'The grant-table or event-channel hypercall returns to blkback.',
      'xen>consoleback': 'The event-channel hypercall returns to the console backend.',
      'blkback>disk':
        'blkback submits the request to the real disk through Dom0’s block driver: Dom0 is the hardware domain.',
      'consoleback>uart':
        "The console backend writes the DomU's bytes to the real serial port through Dom0's driver.",
      'xl>dom0-kernel':
        'xl (through libxl and libxc) issues domctl hypercalls as IOCTL_PRIVCMD_HYPERCALL on /dev/xen/privcmd: create the domain, populate its memory, unpause, destroy, list.',
      'dom0-kernel>xl':
        "Not drawn by Ringside's model: the privcmd ioctl returning the hypercall's result to xl.",
      'xl>xenstored':
        "xl writes the new domain's frontend and backend directories under /local/domain/<id> in xenstore, and removes them on destroy.",
      'xenstored>xl': "Not drawn by Ringside's model: xenstored's acknowledgement of xl's write.",
      'xenstored>dom0-kernel':
        "xenstored's watches fire: Dom0's backend drivers learn that a new frontend is waiting (the XenBus state machine) and attach blkback and the console backend.",
      'dom0-kernel>xenstored':
        "Dom0's kernel wakes xenstored through its event channel: a domain has put a request on its xenstore ring.",
      'timer>xen':
        "The timer interrupt is Xen's: it runs the expired timers and delivers VIRQ_TIMER to the guest as an event-channel upcall — a PV guest has no virtual APIC.",
      'cpu>xen':
        "Not used by Ringside's model: exceptions are drawn from the guest component that raised them to Xen.",
      'disk>xen':
        'The physical disk interrupt reaches Xen, which forwards it to Dom0 as an event channel: guests never see hardware vectors.',
      'uart>xen':
        "Serial input: Xen takes the interrupt and forwards it to Dom0 as an event; the console backend puts the bytes on the DomU's console ring.",
      'nic>xen':
        "Not used by Ringside's model: the emulated PC has no network card. On a real system Xen forwards the NIC's interrupt to Dom0, where netback serves the guests.",
    },
    workstation: {
      'guest-user>guest-kernel':
        "A system call inside the guest, through the guest's own IDT from non-root ring 3 to non-root ring 0: with VT-x there is no exit.",
      'cpu>guest-kernel':
        "A CPU exception in the guest — a page fault, #GP, divide error (try fault) — delivered through the guest's own IDT in non-root mode: the exception bitmap does not select it, so there is no VM exit and the VMM never sees it.",
      'guest-kernel>guest-user':
        "The guest kernel's IRET back to its program, without an exit. Not drawn by Ringside's model: a flow ends in the guest kernel.",
      'guest-kernel>vmm':
        'A VM exit to the VMM, which runs in its own world (root ring 0), not in the host kernel: CPUID, HLT, port I/O. Simple device registers (the virtual PIC and timer) are emulated right here.',
      'guest-user>vmm':
        "A VM exit while a guest program runs: mostly an external interrupt such as the timer's tick.",
      'vmm>guest-kernel':
        'VM entry: the VMM resumes the guest kernel, injecting a pending virtual interrupt.',
      'vmm>guest-user': 'VM entry back into the guest program the exit interrupted.',
      'vmm>vmmon':
        'A world switch to the host: the VMM cannot finish this device access (the serial port, the disk) itself, so it saves all CPU state and switches to the host world through the vmmon driver — heavier than a process switch.',
      'vmmon>vmm':
        "The world switch back into the VMM world: after VMApp's emulation, to deliver an interrupt, or to start the VM.",
      'vmmon>vmapp':
        'vmmon returns from the VMware application’s ioctl: the host process now emulates the device access (the hosted I/O path).',
      'vmapp>vmmon':
        "VMApp's ioctl on vmmon: the emulation is done, run the VM again; at power-on, load the VMM; at power-off, tear it down.",
      'vmapp>host-kernel':
        'VMApp issues ordinary host system calls: a guest disk read becomes a host read() of the disk file, a serial write a write().',
      'host-kernel>vmapp': 'The host system call returns to VMApp with the data or the result.',
      'vmrun>vmapp':
        "vmrun start and stop reach the VM's VMware application, which starts the VM or powers it off (a modelling choice on the exact path).",
      'vmapp>vmrun': 'The answer returns to vmrun (a modelling choice).',
      'host-kernel>vmmon':
        "The host took an interrupt for the VM (if the VMM world was running, the VMM yields to the host and re-asserts it there); vmmon then switches the VMM world back in to deliver the guest's virtual interrupt.",
      'host-kernel>disk':
        "Not used by Ringside's model: VMApp's read() ends at the host kernel; the host's own disk driver is not drawn.",
      'host-kernel>uart':
        "Not used by Ringside's model: VMApp's write() ends at the host kernel; the host's own serial driver is not drawn.",
      'host-kernel>nic':
        "Not used by Ringside's model: the emulated PC has no network card. On a real host a guest's transmit becomes a write() to the VMNet driver, which drives the NIC here.",
      'disk>host-kernel':
        "Not used by Ringside's model: the emulated disk completes at once, so its interrupt is already pending at the VM entry that ends the access and is injected there. On a real host the disk interrupt is the host OS's; the VMM world is then switched back in to raise the guest's virtual disk interrupt.",
      'uart>host-kernel':
        "Console input is the host's: the host takes the interrupt, and the VMM world is switched back in to raise the guest's virtual IRQ 4.",
      'nic>host-kernel':
        "Not used by Ringside's model: the emulated PC has no network card. On a real host the NIC interrupts the host kernel here.",
      'host-kernel>timer':
        "Not used by Ringside's model: the host programs its own timer, but only the tick's arrival is drawn.",
      'timer>host-kernel':
        "The timer's tick is the host's: if the VMM world was running, the VMM yields and the host handles the interrupt; then the VMM world returns to deliver the guest's tick.",
      'host-kernel>cpu':
        "Not used by Ringside's model: the host's interrupt-controller programming is not drawn.",
      'cpu>host-kernel':
        "Not used by Ringside's model: a guest's exceptions go through its own IDT without an exit; the host's own faults would arrive here.",
    },
    container: {
      'container-user>host-kernel':
        "A container process's system call goes straight into the one shared kernel — no guest kernel, no exit. The kernel answers within the caller's namespaces (getpid returns the PID in its PID namespace).",
      'host-kernel>container-user':
        "Not drawn by Ringside's model: the system call's return to the container process.",
      'runc>host-kernel':
        "runc's system calls create the container: clone with CLONE_NEW* flags, the cgroup, pivot_root and execve — each drawn as a step of the management flow.",
      'host-kernel>runc': "Not drawn by Ringside's model: the system call's return to runc.",
      'host-user>host-kernel':
        "A system call from the host's own processes (init, the shell): the same kernel, answering with the whole machine in view.",
      'host-kernel>host-user': "Not drawn by Ringside's model: the system call's return to the host process.",
      'host-kernel>disk':
        "The one kernel's disk driver programs the controller itself, for every container's file reads.",
      'host-kernel>uart':
        "The one kernel's serial driver writes every container's console output to the 16550 (port 0x3F8).",
      'host-kernel>nic':
        "Not used by Ringside's model: the emulated PC has no network card. On a real host containers reach the network through the same kernel (veth pair → bridge → NIC).",
      'disk>host-kernel':
        "The disk's completion interrupt is the host kernel's: containers see only that their process was woken.",
      'uart>host-kernel':
        'The serial interrupt when a key is typed: the host kernel reads the byte and wakes the reader.',
      'nic>host-kernel':
        "Not used by Ringside's model: the emulated PC has no network card. On a real host packets arrive here and the kernel routes them into the right network namespace.",
      'host-kernel>timer':
        'The kernel programs the 8254 timer for the scheduling tick that all containers share.',
      'timer>host-kernel':
        "The timer's tick enters the one kernel, whose scheduler runs every container's processes (cgroups limit their share).",
      'host-kernel>cpu':
        'Port I/O to the 8259A interrupt controller (end of interrupt, masks), drawn as part of the CPU box (a modelling choice: the diagram has no chipset box).',
      'cpu>host-kernel':
        'A CPU exception — a page fault, or #GP from a privileged instruction such as CLI or HLT in a container process — handled by the one kernel, which kills the process (SIGSEGV on Linux).',
    },
  },
  edgeKinds: {
    trap: 'Trap: an exception, VM exit or hypercall moves control from {{from}} to {{to}}.',
    call: 'Call: {{from}} calls into {{to}}.',
    return: 'Return: control goes back from {{from}} to {{to}} (a VM entry, IRET or return).',
    signal: 'Signal: {{from}} notifies {{to}} (an interrupt, event or eventfd).',
    message: 'Message: {{from}} posts a message to {{to}}.',
    dma: 'DMA: {{from}} moves data to {{to}} without the CPU.',
    'world-switch': 'World switch: all CPU state is switched between {{from}} and {{to}}.',
    ioctl: 'ioctl: {{from}} asks {{to}} through a device file.',
    syscall: 'System call: {{from}} asks {{to}}.',
    upcall: 'Upcall: {{from}} delivers an event into {{to}}.',
    rpc: 'Request: {{from}} asks {{to}} over a local API.',
    io: 'I/O: {{from}} programs the device {{to}}.',
  },
  diagram: {
    label: 'Architecture diagram of {{arch}}',
    picker: 'Architecture',
    vms: 'VMs',
    components: 'Components (arrow keys move, Enter shows details)',
    edges: 'Edges (arrow keys move, Enter shows details)',
    modeRoot: 'VMX root',
    mark: '▣ {{label}}',
    details: 'Details',
    close: 'Close',
    what: 'What it is',
    why: 'Why control reaches it',
    whyEdge: 'What this edge is',
    row: 'Privilege level',
    domain: 'Domain',
    sources: 'Sources',
    runsHere: 'The CPU runs here now',
    cpuHere: 'CPU',
    instance: '{{name}} ({{domain}})',
    edgeName: '{{kind}}: {{from}} → {{to}}',
    animation: 'Animation',
    speed: 'Speed',
    speeds: {
      slow: 'Slow motion',
      normal: 'Normal',
      fast: 'Fast',
      full: 'Full speed (heat)',
    },
    pause: 'Pause',
    resume: 'Resume',
    about: 'About {{arch}}',
    hops: 'Hops of the current flow',
    noFlow: 'No flow yet.',
    cycles: '{{count}} cycles',
    rate: '{{rate}}/s',
    heat: 'Heat: how often per second each component and edge is passed',
    skipped: '{{count}} flows skipped to keep the pace readable',
    causes: {
      trap: 'trap',
      call: 'call',
      return: 'return',
      signal: 'signal',
      message: 'message',
      dma: 'DMA',
      'world-switch': 'world switch',
      ioctl: 'ioctl',
      syscall: 'system call',
      upcall: 'upcall',
      rpc: 'request',
      io: 'I/O',
    },
    flowKinds: {
      'vm-exit': 'VM exit {{detail}}',
      hypercall: 'Hypercall {{detail}}',
      interrupt: 'Interrupt, vector {{detail}}',
      syscall: 'System call {{detail}}',
      exception: 'Exception, vector {{detail}}',
      'device-notify': 'Device notification',
      management: 'Management command',
      'page-table-update': 'Page-table update',
      schedule: 'Schedule',
      'binary-translation': 'Binary translation',
      'device-access': 'Device access',
    },
    demo: {
      button: 'Demo: port I/O',
      note: 'Demonstration of the documented path ({{ref}}), not a running machine; costs come with the engine.',
      exit: 'OUT 0x3F8 → VM exit 30 (I/O instruction)',
    },
  },
}
