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
