import type { EdgeTexts } from './architectures.edges'

/**
 * 架构、组件、特权级行与边的说明（源语言）。术语依照 shared/reference/glossary-zh-en.md；
 * 事实依据 shared/reference/hypervisor-flows.md 与 x86-virtualization-facts.md。
 */
export const architecturesZhCN = {
  names: {
    bare: '裸机',
    kvm: 'KVM + QEMU',
    'xen-hvm': 'Xen HVM',
    esxi: 'VMware ESXi',
    hyperv: 'Hyper-V',
    'trap-emulate': '陷入与模拟',
    'vmware-bt': 'VMware 二进制翻译',
    'xen-pv': 'Xen 半虚拟化（PV）',
    workstation: 'VMware Workstation（寄宿虚拟化）',
    container: '容器',
  },
  summaries: {
    bare: '没有 Hypervisor：操作系统直接运行在硬件之上，内核在 Ring 0，程序在 Ring 3。它是与其他架构比较的基准。',
    kvm: 'Linux 内核本身成为虚拟机监控器：kvm.ko 运行在根模式 Ring 0，自己处理大多数虚拟机退出（VM Exit）；每台虚拟机是宿主机用户态的一个 QEMU 进程，负责设备模拟；libvirt 在宿主机上管理虚拟机。',
    'xen-hvm':
      '一个小型 Hypervisor（Xen）掌管 CPU 和内存；特权域 Dom0 持有设备驱动、管理工具栈（xl）以及为每个未修改的（HVM）客户机运行的 QEMU 设备模型。对模拟设备的端口 I/O 从 Xen 转到 Dom0 中的 QEMU，再返回。',
    esxi: '专门构建的内核 VMkernel 就是 Hypervisor，也是唯一的操作系统：每台虚拟机一个 VMM 处理虚拟机退出，存储和网络交给 VMkernel，管理代理（hostd、vpxa）是 VMkernel 的用户世界——没有通用的管理操作系统。',
    hyperv:
      'Hypervisor 位于一切之下；连管理操作系统也是一个分区（根分区），运行在非根模式。对模拟设备的拦截变成发给根分区的消息，由每台虚拟机的工作进程处理；经过启蒙（enlightened）的客户机使用超级调用（Hypercall）和 VMBus。',
    'trap-emulate':
      '经典的陷入与模拟（陷入-模拟），采用特权级压缩，没有硬件支持：客户机内核运行在 Ring 1，监控器模拟每一条陷入的特权指令。x86 的敏感但非特权指令不会陷入——这就是 x86 不能被经典方法虚拟化的原因（Popek 与 Goldberg）。',
    'vmware-bt':
      'VT-x 出现之前 VMware 的方案：客户机用户代码直接运行；客户机内核代码按基本块翻译进翻译缓存，敏感指令被替换为对 VMM 的调用。',
    'xen-pv':
      '半虚拟化：客户机内核经过修改，运行在 Ring 1，用超级调用代替特权指令；设备采用分离驱动模型，前端驱动在客户机，后端驱动在 Dom0。',
    workstation:
      '寄宿虚拟化（宿主型）Hypervisor：宿主机操作系统掌管硬件；VMM 运行在自己的“世界”里，通过驱动和用户态应用访问宿主机，每个方向都要付出一次世界切换的代价。',
    container:
      '没有 Hypervisor，也没有客户机内核：容器是一组进程，用命名空间隔离、用控制组（cgroup）限制资源，所有容器共享同一个内核。',
  },
  rows: {
    r0: 'Ring 0',
    r1: 'Ring 1',
    r2: 'Ring 2',
    r3: 'Ring 3',
    'root-r0': 'Ring -1',
    'root-r1': '根模式 Ring 1',
    'root-r2': '根模式 Ring 2',
    'root-r3': '根模式 Ring 3',
    'nr-r0': '非根模式 Ring 0',
    'nr-r1': '非根模式 Ring 1',
    'nr-r2': '非根模式 Ring 2',
    'nr-r3': '非根模式 Ring 3',
    hw: '硬件',
  },
  rowNotes: {
    'root-r0': '根模式（VMX root）Ring 0（“Ring -1”是通俗叫法，不是 Intel 的术语）',
    'root-r3': '根模式 Ring 3：宿主机用户态',
    'nr-r0': '非根模式（VMX non-root）Ring 0：客户机内核',
    'nr-r3': '非根模式 Ring 3：客户机用户态',
    r1: '降权运行的内核（特权级压缩或半虚拟化）',
  },
  domains: {
    machine: '机器',
    host: '宿主机',
    vm: '虚拟机 {{n}}',
    xen: 'Xen',
    dom0: 'Dom0（特权域）',
    domu: 'DomU {{n}}（客户域）',
    vmkernel: 'VMkernel',
    hv: 'Hypervisor',
    root: '根分区',
    child: '子分区 {{n}}',
    monitor: '监控器',
    'vmm-world': 'VMM 世界',
    container: '容器 {{n}}',
    hardware: '硬件',
  },
  management: '管理平面',
  components: {
    'guest-user': { name: '客户机用户程序', what: '客户机的进程：shell 和实验程序，运行在 Ring 3。' },
    'guest-kernel': { name: '客户机内核', what: '客户操作系统（ringos）的内核：调度、系统调用、驱动。' },
    cpu: { name: 'CPU', what: '物理处理器。异常和虚拟机退出都从这里开始。' },
    memory: { name: '内存', what: '物理内存。' },
    disk: { name: '磁盘', what: '物理磁盘控制器。' },
    nic: { name: '网卡', what: '物理网卡。' },
    uart: { name: '串口', what: '物理串口（16550A）。' },
    timer: { name: '定时器', what: '驱动调度时钟中断的物理定时器。' },
    qemu: {
      name: 'QEMU',
      what: '每台虚拟机一个宿主机用户态进程：设备模拟（串口、IDE、virtio 后端），每个 vCPU 一个线程循环调用 ioctl(KVM_RUN)。',
    },
    libvirtd: { name: 'libvirtd', what: '管理守护进程：把虚拟机定义转换成 QEMU 命令行，启动并监管 QEMU。' },
    virsh: { name: 'virsh', what: 'libvirt 的命令行管理工具。' },
    'host-kernel': { name: '宿主机内核', what: '宿主机操作系统的内核：掌管硬件及其驱动。' },
    kvm: {
      name: 'kvm.ko + kvm-intel',
      what: 'Linux 内核中的 Hypervisor：处理虚拟机退出、内存虚拟化（EPT 或影子页表）、内核中的中断控制器和定时器、ioeventfd 和 irqfd。',
    },
    vhost: {
      name: 'vhost 工作线程',
      what: '宿主机内核线程，在内核中运行 virtio 数据通路，请求无需经过 QEMU。',
    },
    xl: {
      name: 'xl',
      what: 'Xen 的管理工具栈命令（xl → libxl → libxc），运行在 Dom0 用户态，通过 domctl 超级调用创建和销毁域。',
    },
    xenstored: {
      name: 'xenstored',
      what: 'Dom0 中带监视（watch）功能的小型键值存储，前端驱动和后端驱动在这里会合。',
    },
    'dom0-qemu': {
      name: 'QEMU（Dom0）',
      what: 'HVM 客户机的设备模型，作为 ioreq 服务器运行在 Dom0 用户态。',
    },
    'dom0-kernel': {
      name: 'Dom0 内核',
      what: '特权域的内核：真实设备驱动、后端驱动、事件通道和 privcmd 设备。',
    },
    xen: {
      name: 'Xen',
      what: 'Hypervisor：CPU 调度、内存、中断、事件通道和授权表、HVM 虚拟机退出处理；不含设备驱动。',
    },
    'vim-cmd': { name: 'ESXi 命令行（vim-cmd、esxcli）', what: '宿主机的命令行管理工具，与 hostd 通信。' },
    hostd: { name: 'hostd', what: '主机代理，VMkernel 的一个用户世界：所有管理调用都经它到达 VMkernel。' },
    vpxa: { name: 'vpxa', what: 'vCenter 代理，VMkernel 的用户世界，把 vCenter（vpxd）的请求转给 hostd。' },
    vmx: {
      name: 'VMX 进程',
      what: '每台虚拟机一个用户世界：处理 VMM 不处理的设备（如串口）、控制台和虚拟机配置。',
    },
    vmkernel: { name: 'VMkernel', what: 'ESXi 自己的内核：调度各个世界，运行存储栈、网络栈和驱动。' },
    vmm: { name: 'VMM', what: '一台虚拟机的虚拟机监控器：虚拟化 CPU 和内存，处理虚拟机退出或陷入。' },
    powershell: { name: 'PowerShell', what: '根分区中的管理命令（Get-VM、Start-VM），通过 WMI 调用 VMMS。' },
    vmms: {
      name: 'VMMS',
      what: '根分区中的虚拟机管理服务：管理所有虚拟机，并为每台虚拟机启动一个工作进程。',
    },
    vmwp: {
      name: '虚拟机工作进程',
      what: 'vmwp.exe，每台运行中的虚拟机一个，位于根分区用户态：虚拟机状态和模拟（传统）设备。',
    },
    'root-kernel': {
      name: '根分区内核',
      what: '管理操作系统的内核：真实设备驱动、VID 驱动、VMBus 和虚拟化服务提供者（VSP）。',
    },
    hypervisor: {
      name: 'Hyper-V Hypervisor',
      what: '分区、虚拟处理器、二级地址转换、合成中断控制器（SynIC）、拦截和超级调用。',
    },
    monitor: {
      name: '监控器',
      what: '陷入与模拟式 VMM：掌管 Ring 0 和真实的 IDT，模拟陷入的特权指令，维护影子页表。',
    },
    bt: {
      name: '二进制翻译器',
      what: '客户机内核真正运行的样子：翻译缓存中的翻译块，在 Ring 1 执行，敏感指令被改写为对 VMM 的调用。',
    },
    'domU-user': { name: 'DomU 用户程序', what: '半虚拟化客户机的进程，运行在 Ring 3。' },
    'domU-kernel': {
      name: 'DomU 内核',
      what: '运行在 Ring 1 的半虚拟化客户机内核：使用超级调用和前端驱动。',
    },
    blkback: {
      name: 'blkback（块设备后端）',
      what: 'Dom0 内核中的块设备后端驱动：从共享环中取请求，执行真实的磁盘 I/O。',
    },
    consoleback: { name: '控制台后端', what: 'Dom0 中的控制台后端：在客户机的环和真实控制台之间搬运字符。' },
    vmrun: { name: 'vmrun', what: 'Workstation 在宿主机上的命令行控制工具。' },
    vmapp: {
      name: 'VMware 应用程序',
      what: '一台虚拟机在宿主机上的进程：通过普通的宿主机系统调用完成设备模拟。',
    },
    vmmon: { name: 'vmmon 驱动', what: '宿主机内核模块，在宿主机世界和 VMM 世界之间切换。' },
    'container-user': {
      name: '容器进程',
      what: '普通进程，拥有自己的 PID、挂载和网络命名空间，并受控制组限制。',
    },
    'host-user': {
      name: '宿主机进程',
      what: '宿主机自己的程序（它的 init 和 shell，以及运行中的 runc）：位于宿主机命名空间中的进程，不属于任何容器。',
    },
    runc: { name: 'runc', what: 'OCI 运行时：创建命名空间和控制组，然后启动容器的第一个进程。' },
  },
  why: {
    bare: {
      'guest-kernel': '每次系统调用、异常和中断都经 IDT 直接进入内核：它下面再没有别的东西。',
      'guest-user': '用户程序一直运行，直到发起系统调用或被中断。',
    },
    kvm: {
      kvm: '每次虚拟机退出都首先到达这里（根模式 Ring 0）。CPUID、HLT、EPT 违例、中断控制器和定时器的工作都在这里完成；只有内核没有对应设备的访问才返回给 QEMU。',
      qemu: '当 KVM_RUN 以 KVM_EXIT_IO 或 KVM_EXIT_MMIO 返回时到达这里：访问只有 QEMU 模拟的设备（串口、IDE 磁盘），或经 ioeventfd 通知的 virtio 通知（kick）。',
      'host-kernel': 'QEMU 的设备模型用普通的宿主机系统调用完成 I/O；物理中断由宿主机内核接收。',
      libvirtd: '管理命令（virsh start/destroy）在这里处理；它启动和停止 QEMU。',
      virsh: '用户输入管理命令的地方。',
      vhost: '启用 vhost 时，virtio 通知唤醒这个内核线程而不是 QEMU，省去了一次到用户态的往返。',
      'guest-kernel':
        '运行在非根模式 Ring 0——它本来就为之编写的特权级；它的大多数指令直接执行，不会引起虚拟机退出。',
      'guest-user': '运行在非根模式 Ring 3；它的系统调用直接进入客户机内核，不会引起虚拟机退出。',
    },
    'xen-hvm': {
      xen: '每次虚拟机退出都到达 Xen。Xen 自己模拟中断控制器和定时器；其他端口 I/O 投递给 ioreq 服务器，vCPU 等待结果。',
      'dom0-qemu': '当客户机访问只有 QEMU 模拟的设备时，经 ioreq 页和事件通道到达这里；结果沿原路返回。',
      'dom0-kernel': '来自 Xen 的事件通道以 upcall 的形式到达这里并唤醒 QEMU；Dom0 也持有真实的驱动。',
      xl: '管理命令（xl create/destroy）从这里开始，经 privcmd 驱动以 domctl 超级调用到达 Xen。',
      xenstored: '设备的建立通过 xenstore 中的条目协商。',
      'guest-kernel': '未经修改的内核，运行在非根模式 Ring 0。',
      'guest-user': '客户机进程；它们的系统调用不会离开客户机。',
    },
    esxi: {
      vmm: '这台虚拟机的每次虚拟机退出都由 VMkernel 中它自己的 VMM 处理。',
      vmkernel: 'VMM 把存储和网络 I/O 交给 VMkernel 自己的协议栈。',
      vmx: 'VMM 自己不处理的设备访问（例如串口）交给这台虚拟机的 VMX 用户世界。',
      hostd: '所有管理调用（vim-cmd、esxcli，以及经 vpxa 转来的 vCenter 请求）都经 hostd 到达 VMkernel。',
      vpxa: '把 vCenter 的请求转给 hostd。',
      'vim-cmd': '用户输入管理命令的地方。',
      'guest-kernel': '未经修改的内核，运行在非根模式 Ring 0。',
      'guest-user': '客户机进程；它们的系统调用不会离开客户机。',
    },
    hyperv: {
      hypervisor:
        '每次虚拟机退出都到达 Hypervisor。它自己处理 CPUID、MSR 和超级调用；对于根分区注册过的拦截，它挂起虚拟处理器并给根分区发送消息。',
      'root-kernel': '拦截消息到达这里（VID 驱动）；启蒙客户机的 VMBus 信号也在这里到达 VSP。',
      vmwp: '虚拟机工作进程模拟传统设备（串口、IDE），然后通过 Hypervisor 恢复虚拟处理器的运行。',
      vmms: 'Start-VM 和 Stop-VM 到达 VMMS，由它启动或停止虚拟机的工作进程。',
      powershell: '用户输入管理命令的地方。',
      'guest-kernel': '子分区中未经修改或经过启蒙的内核，运行在非根模式 Ring 0。',
      'guest-user': '客户机进程；它们的系统调用不会离开客户机。',
    },
    'trap-emulate': {
      monitor:
        '监控器掌管真实的 IDT，所以每个异常、中断和系统调用都先到达这里。Ring 1 中客户机内核的特权指令引发 #GP，在这里被模拟；敏感但非特权的指令（POPF、SGDT……）根本不会到达——它们悄悄地表现得不一样。',
      'guest-kernel': '被降到 Ring 1：它的特权指令陷入监控器，监控器再把中断和系统调用反射回它。',
      'guest-user': '直接运行在 Ring 3。',
    },
    'vmware-bt': {
      vmm: '掌管 Ring 0：翻译客户机内核代码，模拟翻译后代码调出（call-out）请求的操作（端口 I/O、CPUID、页表写），并在每次进入客户机内核时切入翻译后的代码——一次系统调用大约多花 2,000 个周期。',
      bt: '客户机内核运行时，运行的总是翻译缓存中的翻译后代码；一个基本块第一次使用时被翻译，之后重复使用。',
      'guest-user': '客户机用户代码直接在 Ring 3 运行（直接执行）。',
      vmkernel: '掌管物理设备。',
      hostd: '管理调用经主机代理到达 VMkernel。',
      'vim-cmd': '用户输入管理命令的地方。',
    },
    'xen-pv': {
      xen: '超级调用（int 0x82 或超级调用页）、缺页和事件都经过 Ring 0 的 Xen；来自 Ring 3 的系统调用直接弹回客户机内核的处理程序。',
      'domU-kernel':
        '移植过的内核，运行在 Ring 1：它从不执行特权指令，而是请求 Xen（mmu_update、mmuext_op、sched_op、event_channel_op）。',
      'domU-user': '客户机进程，运行在 Ring 3。',
      'dom0-kernel': '事件通道唤醒它；它运行后端驱动和真实驱动。',
      blkback: '来自 DomU 的磁盘请求经共享环到达，带有授权引用和事件通道通知。',
      consoleback: '来自 DomU 的控制台输出经共享环到达。',
      xl: '管理命令从这里开始，以 domctl 超级调用到达 Xen。',
      xenstored: '前端驱动和后端驱动通过 xenstore 找到彼此。',
    },
    workstation: {
      vmm: '客户机的虚拟机退出由 VMM 在它自己的世界中处理；简单设备在这里模拟。',
      vmmon: '世界切换经这个驱动把控制从 VMM 世界带回宿主机内核。',
      vmapp:
        'VMM 无法完成的设备 I/O 变成 VMware 应用程序的工作，它发出普通的宿主机系统调用（客户机的磁盘读变成宿主机的 read()）。',
      'host-kernel': '宿主机操作系统掌管硬件，并处理 vmapp 的系统调用。',
      vmrun: '用户输入管理命令的地方。',
      'guest-kernel': '客户机内核，运行在非根模式 Ring 0。',
      'guest-user': '客户机进程。',
    },
    container: {
      'host-kernel': '唯一的内核：每个容器的每次系统调用都直接到达这里，并在调用者的命名空间内得到回答。',
      'container-user': '普通的 Ring 3 进程；没有客户机内核，也没有 Ring -1。',
      runc: '创建命名空间和控制组，并启动容器的进程。',
      'host-user': '宿主机自己的进程：由同一个内核处理，能看到整台机器（所有进程，使用宿主机的 PID）。',
    },
  },
  edges: {
    bare: {
      'guest-user>guest-kernel':
        '系统调用：Ring 3 的 INT 0x80 经内核自己的 IDT 门直接进入 Ring 0，没有任何东西拦截它——这是其他所有架构用来比较的基准开销。',
      'guest-kernel>guest-user':
        '系统调用或中断之后，内核用 IRET 回到程序。Ringside 的模型不画出这一步：内核接手后一个流就结束了。',
      'guest-kernel>disk':
        '内核的磁盘驱动直接对 IDE 控制器的端口（0x1F0–0x1F7）或 virtio 块设备的寄存器编程，中间没有任何一层。',
      'guest-kernel>uart':
        '串口驱动把每个字节写入 16550 的发送寄存器（端口 0x3F8）并读取状态寄存器：IN/OUT 直接到达芯片本身。',
      'guest-kernel>nic':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实机器上，内核的网卡驱动在这里对网卡的寄存器和收发环编程。',
      'disk>guest-kernel':
        '磁盘的完成中断（IRQ 14，或 virtio 块设备的中断）经 8259A 和 IDT 直接进入内核的中断处理程序。',
      'uart>guest-kernel': '键入字符时串口发出中断（IRQ 4）：内核的处理程序从接收寄存器读出这个字节。',
      'nic>guest-kernel':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实机器上，收到的数据包在这里中断内核。',
      'guest-kernel>timer': '内核对 8254 定时器（端口 0x40–0x43）编程，产生调度用的时钟节拍。',
      'timer>guest-kernel':
        '时钟节拍（IRQ 0）打断正在运行的代码，进入内核的时钟中断处理程序，后者可能切换到另一个进程。',
      'guest-kernel>cpu':
        '对 8259A 中断控制器（结束中断、屏蔽）和调试退出端口的端口 I/O，画在 CPU 方框里（建模选择：图中没有单独的芯片组方框）。',
      'cpu>guest-kernel':
        'CPU 异常——缺页、一般保护错误、除法错误——经内核的 IDT 送达：在裸机上内核是第一个也是唯一的处理者。',
    },
    kvm: {
      'guest-user>guest-kernel':
        '客户机内的系统调用：INT 0x80 经客户机自己的 IDT 从非根模式 Ring 3 进入非根模式 Ring 0。没有虚拟机退出（VM Exit）——KVM 根本看不到它。',
      'cpu>guest-kernel':
        '客户机中的 CPU 异常——缺页、#GP、除法错误（试试 fault）——在非根模式下经客户机自己的 IDT 递送：异常位图没有选中它，所以没有虚拟机退出，KVM 看不到它（使用影子页表时，缺页会引起退出）。',
      'guest-kernel>guest-user':
        '客户机内核用 IRET 回到它的程序，在非根模式内完成，没有退出。Ringside 的模型不画出这一步：流在客户机内核处结束。',
      'guest-kernel>kvm':
        '来自非根模式 Ring 0 的虚拟机退出——CPUID（10）、HLT（12）、I/O 指令（30）、EPT 违例或 EPT 配置错误（48、49）：CPU 把客户机状态保存到 VMCS，跳到根模式 Ring 0 中 kvm-intel 的退出处理程序。',
      'guest-user>kvm':
        '客户机程序运行时发生的虚拟机退出：多数是外部中断（退出原因 1），例如时钟节拍；或者第一次访问某页时的 EPT 违例。系统调用不会引起退出。',
      'kvm>guest-kernel':
        '虚拟机进入（VMRESUME；第一次是 VMLAUNCH）：KVM 已处理完这次退出——模拟了指令并推进 RIP，可能还通过 VM-entry 中断信息字段注入了一个待处理的中断——客户机内核在非根模式 Ring 0 继续运行。',
      'kvm>guest-user':
        '虚拟机进入，回到被这次退出打断的客户机程序（例如程序运行时到来的时钟节拍处理完之后）。',
      'kvm>qemu':
        'KVM_RUN 以 KVM_EXIT_IO 或 KVM_EXIT_MMIO 返回到 QEMU 的 vCPU 线程：这个端口或 MMIO 地址属于只有 QEMU 模拟的设备（16550 串口、IDE 磁盘）。virtio 通知（kick）也沿这条边经 ioeventfd 唤醒 QEMU 的 I/O 线程，而 vCPU 立即重新进入客户机。',
      'qemu>kvm':
        '再次调用 ioctl(KVM_RUN)：QEMU 已完成设备模拟（对于 IN，数据写入客户机寄存器），客户机重新进入。virtio 请求的完成经 irqfd 从这里返回；启动虚拟机时也在这里发出 KVM_CREATE_VM、KVM_SET_USER_MEMORY_REGION 和 KVM_CREATE_VCPU。',
      'kvm>vhost':
        '启用 vhost 时，virtio-blk 的通知命中一个 ioeventfd，唤醒 vhost 工作内核线程而不是 QEMU：不必回到用户态（建模选择：上游 Linux 有 vhost-net 和 vhost-scsi，没有块设备的 vhost 线程）。',
      'vhost>kvm': 'vhost 工作线程经 irqfd 通知请求完成；KVM 在下一次虚拟机进入时向客户机注入中断。',
      'qemu>host-kernel':
        'QEMU 的设备模型用普通的宿主机系统调用完成真实 I/O：16550 模型用 write() 把字节写到字符设备，磁盘模型读取磁盘镜像文件。',
      'host-kernel>qemu':
        '宿主机系统调用返回 QEMU；或者控制台输入、磁盘镜像的读取结果到达，宿主机内核唤醒 QEMU，由它的设备模型向客户机发出中断。',
      'vhost>host-kernel':
        'vhost 工作线程不离开内核，直接把虚拟队列中的请求提交给宿主机的块设备层（建模选择：块设备的 vhost 线程）。',
      'host-kernel>vhost':
        '宿主机块设备层把完成的请求交还 vhost 工作线程，由它写入已用环（used ring）；块设备的 vhost 线程是建模选择。',
      'host-kernel>kvm':
        '宿主机的时钟中断触发 KVM 内核态 PIT 的 hrtimer，它在内核态 PIC 中提出客户机的 IRQ 0；KVM 在下一次进入时注入。',
      'virsh>libvirtd': 'virsh 通过本地套接字把每条命令（list、start、destroy）发给 libvirt 守护进程。',
      'libvirtd>virsh': 'libvirtd 的回答——域列表，或 “Domain started”——回到 virsh。',
      'libvirtd>qemu':
        'libvirtd 启动虚拟机时把域 XML 变成 QEMU 命令行并执行它；停止虚拟机时通过 QMP 让 QEMU 退出。',
      'libvirtd>host-kernel':
        'Ringside 的模型不使用这条边：libvirtd 自己的宿主机系统调用（套接字、启动 QEMU 进程）不画出。',
      'host-kernel>disk':
        'Ringside 的模型不使用这条边：宿主机的磁盘驱动不在模型中，QEMU 读磁盘镜像止于它的系统调用。在真实宿主机上，块设备驱动在这里对控制器编程。',
      'host-kernel>uart':
        'Ringside 的模型不使用这条边：QEMU 的控制台写止于它的系统调用，宿主机自己的串口驱动不画出。',
      'host-kernel>nic':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实宿主机上，网卡驱动（及其后的 vhost-net）在这里工作。',
      'disk>host-kernel':
        'Ringside 的模型不使用这条边：模拟磁盘立即完成，它的中断在结束这次访问的虚拟机进入时已经待处理，并在那里注入。在真实宿主机上，磁盘的完成中断到达这里；宿主机内核唤醒 QEMU（或 vhost 工作线程），由它向客户机发出磁盘中断。',
      'uart>host-kernel':
        '控制台输入：宿主机内核接收用户打字的终端的中断，把字节交给 QEMU 的字符设备；16550 模型随后向客户机发出 IRQ 4。',
      'nic>host-kernel':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实宿主机上，收到的数据包在这里中断宿主机内核。',
      'host-kernel>timer':
        'Ringside 的模型不使用这条边：宿主机为自己的 hrtimer 对定时器编程，但图中只画出时钟节拍的到达。',
      'timer>host-kernel':
        '宿主机的时钟中断。如果客户机正在运行，它先引起虚拟机退出 1（外部中断）；宿主机内核处理中断，并让客户机虚拟 PIT 的 hrtimer 到期。',
      'host-kernel>cpu':
        'Ringside 的模型不使用这条边：宿主机自己对中断控制器的编程不画出（客户机的 8259A 在 kvm.ko 内模拟）。',
      'cpu>host-kernel':
        'Ringside 的模型不使用这条边：客户机的异常经它自己的 IDT 处理，不引起退出；在真实宿主机上，宿主机内核自己的异常到达这里。',
    },
    'xen-hvm': {
      'guest-user>guest-kernel':
        '客户机内的系统调用：经客户机自己的 IDT 从非根模式 Ring 3 进入非根模式 Ring 0，没有虚拟机退出——Xen 看不到它。',
      'cpu>guest-kernel':
        '客户机中的 CPU 异常——缺页、#GP、除法错误（试试 fault）——在非根模式下经客户机自己的 IDT 递送：异常位图没有选中它，所以没有虚拟机退出，Xen 看不到它（使用影子页表时，缺页会引起退出）。',
      'guest-kernel>guest-user':
        '客户机内核用 IRET 回到它的程序，没有退出。Ringside 的模型不画出这一步：流在客户机内核处结束。',
      'guest-kernel>xen':
        '进入 Xen 的 vmx_vmexit_handler（根模式 Ring 0）的虚拟机退出：CPUID（10）、HLT（12）、I/O 指令（30）、EPT 违例（48）。大多数由 Xen 自己完成；对它不模拟的设备的端口 I/O 继续交给 Dom0 中的 QEMU。',
      'guest-user>xen':
        '客户机程序运行时发生的虚拟机退出：多数是外部中断（退出原因 1），例如时钟节拍。系统调用不会引起退出。',
      'xen>guest-kernel':
        '虚拟机进入：Xen 完成这条指令（对于 IN，使用 QEMU 的回答），从它的 vPIC 或 vLAPIC 注入待处理的中断，恢复客户机内核运行。',
      'xen>guest-user': '虚拟机进入，回到被这次退出打断的客户机程序。',
      'xen>dom0-kernel':
        '进入 Dom0 的事件通道 upcall：Xen 已填好该 vCPU 的 ioreq 槽（端口、大小、方向、数据），通知 QEMU 的事件通道，客户机的 vCPU 等待结果。Dom0 所拥有设备的物理中断也以事件的形式沿这条边到达。',
      'dom0-kernel>xen':
        '来自 Dom0 内核的超级调用：QEMU 回答 ioreq 之后的 EVTCHNOP_send（Xen 唤醒客户机的 vCPU），或 xl 经 privcmd 驱动发出的 domctl 超级调用，用来创建、解除暂停和销毁域。',
      'dom0-kernel>dom0-qemu':
        'Dom0 的事件通道驱动唤醒 QEMU：ioreq 页中有一次等待模拟的端口访问，或有输入到达某个模拟设备。',
      'dom0-qemu>dom0-kernel':
        'QEMU 调用 Dom0 内核：16550 模型用 write() 把字节写到控制台，然后 QEMU 把 ioreq 标记为已回答并通知它的事件通道；对于设备中断，它用 dm_op 超级调用（XEN_DMOP_set_isa_irq_level）提出客户机的 IRQ。',
      'xl>dom0-kernel':
        'xl（经 libxl 和 libxc）在 /dev/xen/privcmd 上以 IOCTL_PRIVCMD_HYPERCALL 发出 domctl 超级调用：创建域、填充内存、解除暂停、销毁，以及 xl list 背后的查询。',
      'xl>xenstored':
        'xl 在 xenstore 的 /local/domain/<id> 下写入新域的条目（后端和前端目录），销毁时删除它们。',
      'xenstored>xl': 'Ringside 的模型不画出这一步：xenstored 对 xl 写操作的确认。',
      'dom0-kernel>xl': 'Ringside 的模型不画出这一步：privcmd 的 ioctl 把超级调用的结果返回给 xl。',
      'xenstored>dom0-kernel':
        'Ringside 的模型不使用这条边（HVM 客户机不用；它的 Xen PV 模型使用）：xenstore 的 watch 告诉 Dom0 的后端驱动有新的前端驱动需要连接。',
      'xl>dom0-qemu':
        'xl create 启动客户机的设备模型：libxl 以 -xen-domid 启动 QEMU，QEMU 注册为该域的 ioreq 服务器。',
      'timer>xen':
        '时钟中断属于 Xen（客户机正在运行时引起退出 1）：Xen 自己模拟的 PIT 在它的 vPIC 中提出客户机的 IRQ 0，不经过 Dom0。',
      'cpu>xen':
        'Ringside 的模型不使用这条边：客户机的异常经它自己的 IDT 处理，不引起退出；Xen 自己的异常会到达这里。',
      'dom0-kernel>disk':
        'Ringside 的模型不使用这条边：QEMU 读磁盘镜像止于它的系统调用。在真实系统上，作为硬件域的 Dom0 在这里驱动磁盘控制器。',
      'dom0-kernel>uart':
        'Ringside 的模型不使用这条边：QEMU 的控制台写止于它的系统调用。在真实系统上，Dom0 的串口驱动在这里对 UART 编程。',
      'dom0-kernel>nic':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实系统上，Dom0 持有网卡驱动，其后是 netback。',
      'disk>xen':
        'Ringside 的模型不使用这条边：模拟磁盘立即完成，它的中断在结束这次访问的虚拟机进入时已经待处理，并在那里注入。在真实系统上，物理磁盘中断先到达 Xen（Xen 掌管中断控制器）；磁盘属于 Dom0，于是以事件的形式转给 Dom0。',
      'nic>xen':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实系统上，Xen 把网卡中断以事件的形式转给 Dom0。',
      'uart>xen':
        '串口中断（在客户机控制台中键入字符）到达 Xen，Xen 以事件的形式转给 Dom0；随后 QEMU 的 16550 模型向客户机发出 IRQ。',
    },
    esxi: {
      'guest-user>guest-kernel':
        '客户机内的系统调用，经客户机自己的 IDT 从非根模式 Ring 3 进入非根模式 Ring 0：在硬件辅助虚拟化模式下没有退出。',
      'cpu>guest-kernel':
        '客户机中的 CPU 异常——缺页、#GP、除法错误（试试 fault）——在非根模式下经客户机自己的 IDT 递送：异常位图没有选中它，所以没有虚拟机退出，VMM 看不到它。',
      'guest-kernel>guest-user':
        '客户机内核用 IRET 回到它的程序，没有退出。Ringside 的模型不画出这一步：流在客户机内核处结束。',
      'guest-kernel>vmm':
        '虚拟机退出到这台虚拟机的 VMM（根模式 Ring 0，位于 VMkernel 内）：CPUID、HLT、端口 I/O、EPT 违例。VMM 处理它所属虚拟机的每一次退出。',
      'guest-user>vmm': '客户机程序运行时发生的虚拟机退出：多数是外部中断（退出原因 1），例如时钟节拍。',
      'vmm>guest-kernel': '虚拟机进入：VMM 已处理完退出（并注入它投递的虚拟中断），恢复客户机内核运行。',
      'vmm>guest-user': '虚拟机进入，回到被这次退出打断的客户机程序。',
      'vmm>vmkernel':
        '存储（和网络）的模拟归 VMkernel：VMM 把虚拟磁盘的请求或半虚拟化设备的门铃（doorbell）交给 VMkernel 的存储栈（门铃路径是建模选择：它是专有的）。',
      'vmkernel>vmm':
        'VMkernel 的协议栈返回 VMM；它也把属于这台虚拟机的物理中断交给 VMM，由 VMM 向客户机投递虚拟中断（建模选择），并在开机时创建 VMM 的世界。',
      'vmm>vmx':
        'VMM 留给用户级处理的设备——这里是串口——交给本虚拟机的 VMX 用户世界（建模选择：VMM 与 VMX 之间确切的设备划分是专有的）。',
      'vmx>vmm': 'VMX 已完成设备模拟，返回 VMM，由 VMM 恢复客户机运行。',
      'vmx>vmkernel':
        'VMX 发出 VMkernel 系统调用：把串口的字节写到它的后端（文件、管道），开机时创建虚拟机的 VMM 世界，关机时拆除它们（建模选择）。',
      'vmkernel>vmx': 'Ringside 的模型不画出这一步：VMkernel 系统调用返回 VMX。',
      'vim-cmd>hostd':
        'vim-cmd（或 esxcli）把管理调用发给 hostd：每个本地管理请求都经这个主机代理到达 VMkernel。',
      'hostd>vim-cmd': 'hostd 的回答（虚拟机列表、电源状态）回到 vim-cmd。',
      'vpxa>hostd':
        'Ringside 的模型不使用这条边（没有 vCenter）：主机加入 vCenter 后，vpxa 把 vpxd 的请求转给 hostd。',
      'hostd>vmkernel': '开机时 hostd 请 VMkernel 创建虚拟机的 VMX 用户世界（一次 VMkernel 系统调用）。',
      'hostd>vmx': 'hostd 让虚拟机的 VMX 进程启动虚拟机或关机（建模选择：由 VMX 启动 VMM）。',
      'vmkernel>disk':
        'Ringside 的模型不使用这条边：VMM 的磁盘请求止于 VMkernel 的存储栈。在真实主机上，它的驱动在这里对控制器编程。',
      'vmkernel>uart':
        'Ringside 的模型不使用这条边：串口输出止于 VMX 的系统调用，VMkernel 的串口驱动不画出。',
      'vmkernel>nic':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实主机上，VMkernel 的网络栈在这里驱动网卡。',
      'disk>vmkernel':
        'Ringside 的模型不使用这条边：模拟磁盘立即完成，它的中断在结束这次访问的虚拟机进入时已经待处理，并在那里注入。在真实主机上，VMkernel 的驱动接收磁盘中断，由 VMM 向客户机投递虚拟中断（建模选择）。',
      'uart>vmkernel':
        '控制台输入：VMkernel 接收串口中断并交给 VMM，由 VMM 向客户机投递虚拟 IRQ 4（建模选择）。',
      'nic>vmkernel':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实主机上，VMkernel 的驱动在这里接收网卡中断。',
      'vmkernel>timer':
        'Ringside 的模型不使用这条边：VMkernel 对自己的定时器编程，但图中只画出时钟节拍的到达。',
      'timer>vmkernel':
        '时钟中断属于 VMkernel（客户机正在运行时引起退出 1）；VMkernel 把它交给 VMM，由 VMM 向客户机投递时钟中断（建模选择）。',
      'vmkernel>cpu':
        'Ringside 的模型不使用这条边：VMkernel 对中断控制器的编程不画出（客户机的中断控制器由它的 VMM 模拟）。',
      'cpu>vmkernel':
        'Ringside 的模型不使用这条边：客户机的异常经它自己的 IDT 处理，不引起退出；VMkernel 自己的异常会到达这里。',
    },
    hyperv: {
      'guest-user>guest-kernel':
        '子分区内的系统调用，经客户机自己的 IDT 从非根模式 Ring 3 进入非根模式 Ring 0：没有退出。',
      'cpu>guest-kernel':
        '客户机中的 CPU 异常——缺页、#GP、除法错误（试试 fault）——在非根模式下经客户机自己的 IDT 递送：异常位图没有选中它，所以没有虚拟机退出，Hypervisor 看不到它。',
      'guest-kernel>guest-user':
        '客户机内核用 IRET 回到它的程序，没有退出。Ringside 的模型不画出这一步：流在客户机内核处结束。',
      'guest-kernel>hypervisor':
        '进入 Hypervisor 的虚拟机退出：CPUID、MSR 访问、HLT、端口 I/O，以及启蒙内核经超级调用页执行 VMCALL 发出的超级调用（HvCallSignalEvent、HvCallPostMessage）。',
      'guest-user>hypervisor':
        '客户机程序运行时发生的虚拟机退出：多数是外部中断（退出原因 1），例如时钟节拍。',
      'hypervisor>guest-kernel':
        'Hypervisor 恢复子分区的虚拟处理器——在自己处理完退出之后，或在根分区完成一次拦截之后——并经虚拟 APIC 和 SynIC 递送待处理的虚拟中断。',
      'hypervisor>guest-user': 'Hypervisor 恢复被这次退出打断的子分区程序。',
      'hypervisor>root-kernel':
        '发给根分区的消息：对于根分区拦截的端口（HvCallInstallIntercept），Hypervisor 挂起子分区的虚拟处理器，把拦截消息放进根分区的 SynIC 消息页并发出 SINT 中断。子分区为 VMBus 发出的 HvCallSignalEvent 也以 SynIC 事件的形式沿这条边到达。',
      'root-kernel>hypervisor':
        '来自根分区的超级调用：HvCallSetVpRegisters 完成模拟的访问并解除拦截挂起；VSP 经 VMBus 回答时的 HvCallSignalEvent；虚拟机启动时的 HvCallCreatePartition 和 HvCallCreateVp。',
      'root-kernel>vmwp':
        'VID 驱动把拦截交给该虚拟机的工作进程，由它的用户态设备模拟器处理传统串口或 IDE 磁盘（建模选择：VID 到 VMWP 的交接是根据公开资料推断的）。',
      'vmwp>root-kernel':
        'VMWP 调用根分区内核：为模拟设备做宿主 I/O（控制台写、磁盘读），并经 VID 驱动完成这次访问，使虚拟处理器得以恢复；Start-VM 时由它建立分区。',
      'powershell>vmms': 'Get-VM、Start-VM 和 Stop-VM 经 WMI 到达虚拟机管理服务（VMMS）。',
      'vmms>powershell': 'VMMS 的回答（虚拟机列表、启动或停止的结果）回到 PowerShell。',
      'vmms>vmwp': 'Start-VM 时 VMMS 启动虚拟机的工作进程，Stop-VM 时让它停止虚拟机。',
      'vmms>root-kernel':
        'Ringside 的模型不使用这条边：虚拟机的分区由它的工作进程经 VID 驱动建立；VMMS 自己对根分区内核的调用不画出。',
      'timer>hypervisor': 'Hypervisor 掌管定时器：它自己向子分区递送合成定时器和 SynIC 中断，不经过根分区。',
      'cpu>hypervisor':
        'Ringside 的模型不使用这条边：客户机的异常经它自己的 IDT 处理，不引起退出；Hypervisor 自己的异常会到达这里。',
      'root-kernel>disk':
        '根分区内核中的 VSP 经根分区的驱动栈把子分区的 VMBus 存储请求发给真实磁盘：根分区拥有物理设备。',
      'root-kernel>uart':
        'Ringside 的模型不使用这条边：模拟串口的输出止于 VMWP 的系统调用。在真实主机上，根分区的串口驱动在这里对 UART 编程。',
      'root-kernel>nic':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实主机上，根分区在虚拟交换机之后的网卡驱动在这里工作。',
      'disk>root-kernel': '磁盘的回答回到根分区的存储栈；VSP 把回复写入通道的 “in” 环并通知子分区。',
      'disk>hypervisor':
        'Ringside 的模型不使用这条边：模拟磁盘立即完成，它的中断在结束这次访问的虚拟机进入时已经待处理，并在那里注入。在真实主机上，Hypervisor 接收物理中断并转给拥有磁盘的根分区。',
      'nic>hypervisor':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实主机上，Hypervisor 把网卡中断转给根分区。',
      'uart>hypervisor':
        '控制台输入：Hypervisor 接收串口中断并转给根分区，由 VMWP 模拟的 16550 向子分区提出虚拟 IRQ 4（确切路径是建模选择）。',
    },
    'trap-emulate': {
      'guest-kernel>monitor':
        '被降到 Ring 1 的客户机内核发生陷入：特权指令（CLI、HLT、IN/OUT、MOV 到 CR3、LGDT）引发 #GP，或者缺页落在影子页表上。敏感但非特权的指令（POPF、SGDT）从不到达这里。',
      'guest-user>monitor':
        '客户机程序的每次系统调用（INT 0x80）、异常和中断都先到达监控器，因为掌管真实 IDT 的是监控器，而不是客户机内核。',
      'monitor>guest-kernel':
        '监控器把事件反射给 Ring 1 的客户机内核：构造异常帧，跳到客户机虚拟 IDT 中的处理程序（系统调用、客户机自己的缺页、虚拟中断）；或在模拟完特权指令后恢复内核运行。',
      'monitor>guest-user':
        '对于只与监控器自己有关的异常——隐藏缺页，从客户机页表填入影子页表——监控器直接恢复客户机程序。',
      'guest-kernel>guest-user':
        '客户机内核用 IRET 回到 Ring 3：Ring 1 中的 IRET 不会陷入，所以监控器看不到它。Ringside 的模型不画出这一步：它只显示会陷入的操作。',
      'monitor>disk': '监控器已解码客户机内核陷入的、对 IDE 端口的 IN/OUT，并在磁盘控制器模型上执行它。',
      'monitor>uart': '监控器已解码客户机内核陷入的、对串口（0x3F8）的 IN/OUT，并在 16550 模型上执行它。',
      'monitor>nic': 'Ringside 的模型不使用这条边：模拟的 PC 没有网卡；陷入的网卡访问会在这里被模拟。',
      'disk>monitor':
        '磁盘控制器的回答，或它的完成中断——经真实 IDT 到达监控器；监控器把它变成客户机内核的虚拟中断。',
      'uart>monitor':
        '串口的回答，或键入字符时的中断；一旦客户机的虚拟中断标志允许，监控器就把它递送给客户机内核。',
      'nic>monitor': 'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。网卡中断会经真实 IDT 到达这里。',
      'monitor>timer': '客户机内核陷入的、对 8254 端口（0x40–0x43）的 OUT，由监控器在定时器模型上执行。',
      'timer>monitor':
        '时钟节拍中断进入监控器（它掌管真实 IDT）；客户机的虚拟中断标志允许时，监控器把它反射给客户机内核。',
      'monitor>cpu':
        '客户机内核陷入的、对 8259A 中断控制器的访问（结束中断、屏蔽），画在 CPU 方框里（建模选择：图中没有单独的芯片组方框）。',
      'cpu>monitor': '8259A 对监控器所执行访问的回答，返回监控器（芯片组画在 CPU 方框里：建模选择）。',
    },
    'vmware-bt': {
      'guest-user>vmm':
        '客户机程序直接在 Ring 3 运行，但它的系统调用、异常和中断都到达掌管真实 IDT 的 VMM；VMM 随后必须进入翻译后的内核代码——比原生系统调用多约 2,000 个周期。',
      'vmm>guest-user':
        'VMM 回到客户机程序的直接执行：翻译后的内核返回用户态之后，或 VMM 自己处理完一次异常之后。',
      'vmm>bt':
        'VMM 进入翻译缓存：第一次用到时翻译客户机内核接下来的基本块，然后跳入翻译后的代码，这些代码被降到 Ring 1 运行（Ring 1 是建模选择，依据二手资料对 VMware 2007 年白皮书的概述）。',
      'bt>vmm':
        '翻译后的代码调出（call-out）到 VMM：一条敏感指令被改写成了调用（IN/OUT 进入虚拟芯片组、CPUID、写被跟踪的页表），下一个基本块尚未翻译，或者一次写操作命中了已翻译的代码。',
      'bt>guest-user':
        'Ringside 的模型不使用这条边：翻译后的内核返回用户态画作经过 VMM（VMM → 客户机程序）。',
      'vmm>vmkernel':
        '磁盘 I/O：VMM 的虚拟 IDE 控制器把请求交给 VMkernel 的存储栈（建模选择：这个经典 VMM 运行在类似 ESXi 的 VMkernel 上）。',
      'vmkernel>vmm':
        'VMkernel 把磁盘请求的结果返回 VMM，并把磁盘中断交给它；开机时由它创建 VMM（建模选择）。',
      'vim-cmd>hostd': 'vim-cmd 把管理调用发给主机代理 hostd。',
      'hostd>vim-cmd': 'hostd 的回答（虚拟机列表、电源状态）回到 vim-cmd。',
      'hostd>vmkernel': '开机和关机时，hostd 请 VMkernel 创建或拆除虚拟机的世界。',
      'vmkernel>disk': 'VMkernel 的存储栈在物理控制器上执行 VMM 的磁盘请求。',
      'vmkernel>uart': 'Ringside 的模型不使用这条边：串口由 VMM 的虚拟芯片组模拟（VMM → UART）。',
      'vmkernel>nic':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实主机上，VMkernel 的网络栈在这里驱动网卡。',
      'disk>vmkernel': '磁盘的回答和完成中断回到 VMkernel，由它交给 VMM。',
      'uart>vmkernel': 'Ringside 的模型不使用这条边：串口中断到达 VMM 的虚拟芯片组（UART → VMM）。',
      'nic>vmkernel':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实主机上，VMkernel 在这里接收网卡中断。',
      'vmkernel>timer': 'Ringside 的模型不使用这条边：客户机的定时器属于 VMM 的虚拟芯片组（VMM → 定时器）。',
      'timer>vmkernel': 'Ringside 的模型不使用这条边：时钟节拍画作到达 VMM（定时器 → VMM）。',
      'vmkernel>cpu': 'Ringside 的模型不使用这条边：客户机的中断控制器在 VMM 内模拟。',
      'cpu>vmkernel': 'Ringside 的模型不使用这条边：客户机的异常画作从翻译后的代码或客户机程序到达 VMM。',
      'vmm>uart':
        '对串口的 IN/OUT 被翻译成对 VMM 虚拟芯片组的调用——比陷入便宜得多（Adams 与 Agesen 测得二进制翻译下的 IN 比原生快约 15 倍）。',
      'uart>vmm':
        '串口的回答或中断到达 VMM，VMM 为客户机内核挂起一个虚拟中断（建模选择：设备属于 VMM 的芯片组）。',
      'vmm>timer': '客户机内核对 8254 定时器的编程，被翻译成对 VMM 虚拟芯片组的调用。',
      'timer>vmm':
        '时钟节拍到达 VMM，VMM 从客户机的时钟中断处理程序处进入翻译后的内核代码，递送这次中断（建模选择：定时器属于 VMM 的芯片组）。',
    },
    'xen-pv': {
      'domU-user>xen':
        '半虚拟化用户态陷入 Xen（Ring 0）：缺页或其他异常，或者未安装 INT 0x80 直通门时的系统调用。Xen 把它弹回（bounce）客户机内核注册的处理程序。',
      'domU-user>domU-kernel':
        '32 位半虚拟化的快速系统调用：INT 0x80 是一个 DPL 3 的门，直接弹到客户机内核在 Ring 1 注册的处理程序，跳过 Xen 的模拟（图中画作一步直达；Xen 2003 年的设计允许 CPU 直接调用该处理程序）。',
      'xen>domU-kernel':
        'Xen 进入 Ring 1 的客户机内核：以弹回帧（bounce frame）跳到它注册的事件回调（事件通道：VIRQ_TIMER、后端驱动的通知）或异常处理程序；新域的第一次进入也走这里。',
      'domU-kernel>xen':
        '超级调用——经超级调用页执行 INT 0x82：mmu_update、mmuext_op、sched_op、event_channel_op、iret——或陷入（特权指令的 #GP、缺页）。半虚拟化内核不执行特权指令，而是请求 Xen。',
      'xen>domU-user':
        'Xen 回到客户机程序：在它自己修复一次异常之后、在域之间切换之后，或者内核在有待处理事件时经 HYPERVISOR_iret 返回 Ring 3。',
      'domU-kernel>domU-user':
        '半虚拟化内核返回它的程序：没有待处理事件时，ringos 的内核从 Ring 1 直接执行 IRET 回到 Ring 3，不会陷入，因此没有任何报告——Ringside 的模型不画出这一步。有待处理事件时则经 Xen 返回（HYPERVISOR_iret）。',
      'xen>dom0-kernel':
        '进入 Dom0 的事件通道 upcall：DomU 前端驱动的 EVTCHNOP_send（共享环上的磁盘请求或控制台输出），或 Dom0 所拥有设备的物理中断，以事件的形式转来；Dom0 自己的超级调用也经这里返回。',
      'dom0-kernel>xen':
        'Dom0 内核调用 Xen：用 EVTCHNOP_send 告诉某个域 xenstored 已在它的环上作答；事件处理完后用 sched_op 阻塞，Xen 随即切回 DomU；以及 xl 经 privcmd 驱动发出的 domctl 超级调用。',
      'dom0-kernel>blkback':
        'Dom0 的事件通道处理程序运行 blkback：某个 DomU 的共享块设备环上有请求等待，或磁盘完成中断到来。',
      'dom0-kernel>consoleback':
        'Dom0 的事件通道处理程序运行控制台后端驱动：某个 DomU 在控制台环上放了输出，或有给它的输入到达。',
      'blkback>xen':
        'blkback 调用 Xen：用 GNTTABOP_map_grant_ref 映射请求中授权引用所指的页（连接时也映射共享环本身），再用 EVTCHNOP_send 告诉 blkfront 回复已就绪。',
      'consoleback>xen': '控制台后端驱动取走输出或放入输入后，用 EVTCHNOP_send 通知 DomU。',
      'xen>blkback': '授权表或事件通道超级调用返回 blkback。',
      'xen>consoleback': '事件通道超级调用返回控制台后端驱动。',
      'blkback>disk': 'blkback 经 Dom0 的块设备驱动把请求提交给真实磁盘：Dom0 是硬件域。',
      'consoleback>uart': '控制台后端驱动经 Dom0 的驱动把 DomU 的字节写到真实串口。',
      'xl>dom0-kernel':
        'xl（经 libxl 和 libxc）在 /dev/xen/privcmd 上以 IOCTL_PRIVCMD_HYPERCALL 发出 domctl 超级调用：创建域、填充内存、解除暂停、销毁、列出。',
      'dom0-kernel>xl': 'Ringside 的模型不画出这一步：privcmd 的 ioctl 把超级调用的结果返回给 xl。',
      'xl>xenstored': 'xl 在 xenstore 的 /local/domain/<id> 下写入新域的前端和后端目录，销毁时删除它们。',
      'xenstored>xl': 'Ringside 的模型不画出这一步：xenstored 对 xl 写操作的确认。',
      'xenstored>dom0-kernel':
        'xenstored 的 watch 触发：Dom0 的后端驱动得知有新的前端驱动在等待（XenBus 状态机），于是连接 blkback 和控制台后端驱动。',
      'dom0-kernel>xenstored': 'Dom0 内核经事件通道唤醒 xenstored：某个域在它的 xenstore 环上放了一个请求。',
      'timer>xen':
        '时钟中断属于 Xen：它运行到期的定时器，并以事件通道 upcall 向客户机递送 VIRQ_TIMER——半虚拟化客户机没有虚拟 APIC。',
      'cpu>xen': 'Ringside 的模型不使用这条边：异常画作从引发它的客户机组件到达 Xen。',
      'disk>xen': '物理磁盘中断到达 Xen，Xen 把它以事件通道的形式转给 Dom0：客户机从不看到硬件中断向量。',
      'uart>xen':
        '串口输入：Xen 接收中断并以事件的形式转给 Dom0；控制台后端驱动把字节放到 DomU 的控制台环上。',
      'nic>xen':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实系统上，Xen 把网卡中断转给 Dom0，由 netback 为客户机服务。',
    },
    workstation: {
      'guest-user>guest-kernel':
        '客户机内的系统调用，经客户机自己的 IDT 从非根模式 Ring 3 进入非根模式 Ring 0：使用 VT-x 时没有退出。',
      'cpu>guest-kernel':
        '客户机中的 CPU 异常——缺页、#GP、除法错误（试试 fault）——在非根模式下经客户机自己的 IDT 递送：异常位图没有选中它，所以没有虚拟机退出，VMM 看不到它。',
      'guest-kernel>guest-user':
        '客户机内核用 IRET 回到它的程序，没有退出。Ringside 的模型不画出这一步：流在客户机内核处结束。',
      'guest-kernel>vmm':
        '虚拟机退出到 VMM，VMM 运行在它自己的世界（根模式 Ring 0），而不在宿主机内核中：CPUID、HLT、端口 I/O。简单的设备寄存器（虚拟 PIC 和定时器）就在这里模拟。',
      'guest-user>vmm': '客户机程序运行时发生的虚拟机退出：多数是外部中断，例如时钟节拍。',
      'vmm>guest-kernel': '虚拟机进入：VMM 恢复客户机内核运行，并注入待处理的虚拟中断。',
      'vmm>guest-user': '虚拟机进入，回到被这次退出打断的客户机程序。',
      'vmm>vmmon':
        '切换到宿主机的世界切换：VMM 自己无法完成这次设备访问（串口、磁盘），于是保存全部 CPU 状态，经 vmmon 驱动切换到宿主机世界——比一次进程切换更重。',
      'vmmon>vmm': '切回 VMM 世界的世界切换：在 VMApp 完成模拟之后、为了递送中断，或为了启动虚拟机。',
      'vmmon>vmapp':
        'vmmon 从 VMware 应用程序的 ioctl 返回：由这个宿主机进程模拟设备访问（寄宿架构的 I/O 路径）。',
      'vmapp>vmmon':
        'VMApp 在 vmmon 上调用 ioctl：模拟已完成，再次运行虚拟机；开机时装载 VMM，关机时拆除它。',
      'vmapp>host-kernel':
        'VMApp 发出普通的宿主机系统调用：客户机的磁盘读变成对磁盘文件的 read()，串口写变成 write()。',
      'host-kernel>vmapp': '宿主机系统调用带着数据或结果返回 VMApp。',
      'vmrun>vmapp':
        'vmrun start 和 stop 到达虚拟机的 VMware 应用程序，由它启动虚拟机或关机（确切路径是建模选择）。',
      'vmapp>vmrun': '回答返回 vmrun（建模选择）。',
      'host-kernel>vmmon':
        '宿主机接收了属于虚拟机的中断（如果 VMM 世界正在运行，VMM 先让出 CPU 并在宿主机世界重新提出中断）；随后 vmmon 切回 VMM 世界，递送客户机的虚拟中断。',
      'host-kernel>disk':
        'Ringside 的模型不使用这条边：VMApp 的 read() 止于宿主机内核，宿主机自己的磁盘驱动不画出。',
      'host-kernel>uart':
        'Ringside 的模型不使用这条边：VMApp 的 write() 止于宿主机内核，宿主机自己的串口驱动不画出。',
      'host-kernel>nic':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实宿主机上，客户机发送的数据变成对 VMNet 驱动的 write()，由它在这里驱动网卡。',
      'disk>host-kernel':
        'Ringside 的模型不使用这条边：模拟磁盘立即完成，它的中断在结束这次访问的虚拟机进入时已经待处理，并在那里注入。在真实宿主机上，磁盘中断属于宿主机操作系统；随后切回 VMM 世界，向客户机发出虚拟磁盘中断。',
      'uart>host-kernel': '控制台输入属于宿主机：宿主机接收中断，再切回 VMM 世界，向客户机发出虚拟 IRQ 4。',
      'nic>host-kernel':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实宿主机上，网卡在这里中断宿主机内核。',
      'host-kernel>timer':
        'Ringside 的模型不使用这条边：宿主机对自己的定时器编程，但图中只画出时钟节拍的到达。',
      'timer>host-kernel':
        '时钟节拍属于宿主机：如果 VMM 世界正在运行，VMM 让出 CPU，由宿主机处理中断；然后切回 VMM 世界，递送客户机的时钟节拍。',
      'host-kernel>cpu': 'Ringside 的模型不使用这条边：宿主机对中断控制器的编程不画出。',
      'cpu>host-kernel':
        'Ringside 的模型不使用这条边：客户机的异常经它自己的 IDT 处理，不引起退出；宿主机自己的异常会到达这里。',
    },
    container: {
      'container-user>host-kernel':
        '容器进程的系统调用直接进入唯一的共享内核——没有客户机内核，也没有退出。内核在调用者的命名空间内回答（getpid 返回它在 PID 命名空间中的 PID）。',
      'host-kernel>container-user': 'Ringside 的模型不画出这一步：系统调用返回容器进程。',
      'runc>host-kernel':
        'runc 的系统调用创建容器：带 CLONE_NEW* 标志的 clone、控制组（cgroup）、pivot_root 和 execve——每一步都画作管理流中的一步。',
      'host-kernel>runc': 'Ringside 的模型不画出这一步：系统调用返回 runc。',
      'host-user>host-kernel':
        '宿主机自己的进程（init、shell）的系统调用：同一个内核，以整台机器的视野回答。',
      'host-kernel>host-user': 'Ringside 的模型不画出这一步：系统调用返回宿主机进程。',
      'host-kernel>disk': '唯一的内核的磁盘驱动直接对控制器编程，为所有容器读文件。',
      'host-kernel>uart': '唯一的内核的串口驱动把所有容器的控制台输出写到 16550（端口 0x3F8）。',
      'host-kernel>nic':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实宿主机上，容器经同一个内核访问网络（veth 设备对 → 网桥 → 网卡）。',
      'disk>host-kernel': '磁盘的完成中断属于宿主机内核：容器只看到自己的进程被唤醒。',
      'uart>host-kernel': '键入字符时的串口中断：宿主机内核读出字节并唤醒读取者。',
      'nic>host-kernel':
        'Ringside 的模型不使用这条边：模拟的 PC 没有网卡。在真实宿主机上，数据包到达这里，内核把它们送进正确的网络命名空间。',
      'host-kernel>timer': '内核对 8254 定时器编程，产生所有容器共用的调度时钟节拍。',
      'timer>host-kernel': '时钟节拍进入唯一的内核，它的调度器运行所有容器的进程（控制组限制它们的份额）。',
      'host-kernel>cpu':
        '对 8259A 中断控制器的端口 I/O（结束中断、屏蔽），画在 CPU 方框里（建模选择：图中没有单独的芯片组方框）。',
      'cpu>host-kernel':
        'CPU 异常——缺页，或容器进程执行 CLI、HLT 之类特权指令引发的 #GP——由唯一的内核处理，它杀死该进程（在 Linux 上是 SIGSEGV）。',
    },
  } satisfies EdgeTexts,
  edgeKinds: {
    trap: '陷入：异常、虚拟机退出或超级调用把控制从{{from}}转到{{to}}。',
    call: '调用：{{from}}调用{{to}}。',
    return: '返回：控制从{{from}}回到{{to}}（虚拟机进入、IRET 或返回）。',
    signal: '通知：{{from}}通知{{to}}（中断、事件或 eventfd）。',
    message: '消息：{{from}}向{{to}}投递一条消息。',
    dma: 'DMA：{{from}}不经 CPU 把数据送到{{to}}。',
    'world-switch': '世界切换：全部 CPU 状态在{{from}}和{{to}}之间切换。',
    ioctl: 'ioctl：{{from}}通过设备文件请求{{to}}。',
    syscall: '系统调用：{{from}}请求{{to}}。',
    upcall: 'Upcall：{{from}}把事件送进{{to}}。',
    rpc: '请求：{{from}}通过本地接口请求{{to}}。',
    io: 'I/O：{{from}}对设备{{to}}编程。',
  },
  diagram: {
    label: '{{arch}} 的架构图',
    picker: '架构',
    vms: '虚拟机数',
    components: '组件（方向键移动，回车查看详情）',
    edges: '边（方向键移动，回车查看详情）',
    modeRoot: '根模式（VMX root）',
    mark: '▣ {{label}}',
    details: '详情',
    close: '关闭',
    what: '是什么',
    why: '控制为什么到达这里',
    whyEdge: '这条边表示什么',
    row: '特权级',
    domain: '所在域',
    sources: '出处',
    runsHere: 'CPU 现在运行于此',
    cpuHere: 'CPU',
    instance: '{{name}}（{{domain}}）',
    edgeName: '{{kind}}：{{from}} → {{to}}',
    animation: '动画',
    speed: '速度',
    speeds: {
      slow: '慢动作',
      normal: '正常',
      fast: '快速',
      full: '全速（热度图）',
    },
    pause: '暂停',
    resume: '继续',
    about: '关于 {{arch}}',
    hops: '当前流程的各跳',
    noFlow: '还没有流程。',
    cycles: '{{count}} 个周期',
    rate: '{{rate}} 次/秒',
    heat: '热度：每个组件和每条边每秒经过的次数',
    skipped: '为保持可读，已跳过 {{count}} 个流程',
    causes: {
      trap: '陷入',
      call: '调用',
      return: '返回',
      signal: '通知',
      message: '消息',
      dma: 'DMA',
      'world-switch': '世界切换',
      ioctl: 'ioctl',
      syscall: '系统调用',
      upcall: 'Upcall',
      rpc: '请求',
      io: 'I/O',
    },
    flowKinds: {
      'vm-exit': '虚拟机退出 {{detail}}',
      hypercall: '超级调用 {{detail}}',
      interrupt: '中断，向量 {{detail}}',
      syscall: '系统调用 {{detail}}',
      exception: '异常，向量 {{detail}}',
      'device-notify': '设备通知',
      management: '管理命令',
      'page-table-update': '页表更新',
      schedule: '调度',
      'binary-translation': '二进制翻译',
      'device-access': '设备访问',
    },
    demo: {
      button: '演示：端口 I/O',
      note: '演示参考资料记载的路径（{{ref}}），并非正在运行的机器；开销由引擎给出。',
      exit: 'OUT 0x3F8 → 虚拟机退出 30（I/O 指令）',
    },
  },
}

type DeepStrings<T> = { readonly [K in keyof T]: T[K] extends string ? string : DeepStrings<T[K]> }

/** The shape every locale's architecture texts must have: zh-CN's keys with string values. */
export type ArchitectureMessages = DeepStrings<typeof architecturesZhCN>
