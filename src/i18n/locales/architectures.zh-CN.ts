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
    },
  },
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
}

type DeepStrings<T> = { readonly [K in keyof T]: T[K] extends string ? string : DeepStrings<T[K]> }

/** The shape every locale's architecture texts must have: zh-CN's keys with string values. */
export type ArchitectureMessages = DeepStrings<typeof architecturesZhCN>
