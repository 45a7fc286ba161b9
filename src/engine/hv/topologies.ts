import { HARDWARE_COMPONENTS, HARDWARE_DOMAIN, type ComponentSpec, type EdgeKind, type EdgeSpec, type TopologySpec } from './topology'
import type { SourceId } from './sources'

/**
 * The topology of every architecture (component ids are a contract: tests, the UI and lessons use
 * them). Facts: shared/reference/hypervisor-flows.md; each component cites its source. Placements
 * that the references mark [R] are modelling choices, noted beside them.
 */

function c(
  id: string,
  domain: string,
  row: ComponentSpec['row'],
  kind: ComponentSpec['kind'],
  sources: readonly SourceId[],
  extra: Partial<Pick<ComponentSpec, 'management' | 'perVm' | 'within'>> = {},
): ComponentSpec {
  return { id, domain, row, kind, sources, ...extra }
}

function e(from: string, to: string, kind: EdgeKind): EdgeSpec {
  return { from, to, kind }
}

/** Guest edges every architecture with a guest kernel and guest user space has. */
function guestEdges(kernel = 'guest-kernel', user = 'guest-user'): EdgeSpec[] {
  return [e(user, kernel, 'syscall'), e(kernel, user, 'return')]
}

/** Interrupt and I/O edges between a kernel that owns the hardware and the hardware row. */
function hardwareEdges(owner: string, devices: readonly string[] = ['disk', 'uart', 'nic']): EdgeSpec[] {
  return [
    ...devices.map((d) => e(owner, d, 'io')),
    ...devices.map((d) => e(d, owner, 'signal')),
    e('timer', owner, 'signal'),
    e('cpu', owner, 'trap'),
  ]
}

/** Bare metal: the guest OS is the OS; its drivers reach the devices directly (no hypervisor). */
export const BARE: TopologySpec = {
  arch: 'bare',
  domains: [{ id: 'machine', kind: 'host' }, HARDWARE_DOMAIN],
  components: [
    c('guest-user', 'machine', 'r3', 'user-process', ['intel-sdm-vmx']),
    c('guest-kernel', 'machine', 'r0', 'kernel', ['intel-sdm-vmx']),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [...guestEdges(), ...hardwareEdges('guest-kernel')],
}

/** KVM + QEMU + libvirt (hypervisor-flows.md §3). The host Linux kernel with kvm.ko is the hypervisor, in VMX root ring 0. */
export const KVM: TopologySpec = {
  arch: 'kvm',
  domains: [{ id: 'host', kind: 'host' }, { id: 'vm', kind: 'guest', perVm: true }, HARDWARE_DOMAIN],
  components: [
    c('guest-user', 'vm', 'nr-r3', 'user-process', ['intel-sdm-vmx']),
    c('guest-kernel', 'vm', 'nr-r0', 'kernel', ['intel-sdm-vmx']),
    c('qemu', 'host', 'root-r3', 'device-model', ['kvm-api'], { perVm: true }),
    c('libvirtd', 'host', 'root-r3', 'management', ['kvm-api'], { management: true }),
    c('virsh', 'host', 'root-r3', 'shell', ['kvm-api'], { management: true }),
    c('host-kernel', 'host', 'root-r0', 'kernel', ['kvm-api']),
    c('kvm', 'host', 'root-r0', 'hypervisor', ['kvm-api'], { within: 'host-kernel' }),
    c('vhost', 'host', 'root-r0', 'driver', ['kvm-api'], { within: 'host-kernel', perVm: true }),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    ...guestEdges(),
    e('guest-kernel', 'kvm', 'trap'),
    e('guest-user', 'kvm', 'trap'),
    e('kvm', 'guest-kernel', 'return'),
    e('kvm', 'guest-user', 'return'),
    e('kvm', 'qemu', 'return'),
    e('qemu', 'kvm', 'ioctl'),
    e('kvm', 'vhost', 'signal'),
    e('vhost', 'kvm', 'signal'),
    e('qemu', 'host-kernel', 'syscall'),
    e('host-kernel', 'qemu', 'return'),
    e('vhost', 'host-kernel', 'call'),
    e('host-kernel', 'kvm', 'call'),
    e('virsh', 'libvirtd', 'rpc'),
    e('libvirtd', 'virsh', 'return'),
    e('libvirtd', 'qemu', 'rpc'),
    e('libvirtd', 'host-kernel', 'syscall'),
    ...hardwareEdges('host-kernel'),
  ],
}

/**
 * Xen HVM (hypervisor-flows.md §4.1, §4.3). Dom0 is modelled as a 32-bit PV domain, so its kernel runs
 * in ring 1 — in VMX root operation, because Xen executes VMXON at boot (§0, §11.3) [R: a 64-bit PV Dom0
 * would be root-r3 and a PVH Dom0 nr-r0; Ringside's guests are 32-bit].
 */
export const XEN_HVM: TopologySpec = {
  arch: 'xen-hvm',
  domains: [
    { id: 'xen', kind: 'hypervisor' },
    { id: 'dom0', kind: 'management' },
    { id: 'domu', kind: 'guest', perVm: true },
    HARDWARE_DOMAIN,
  ],
  components: [
    c('guest-user', 'domu', 'nr-r3', 'user-process', ['intel-sdm-vmx']),
    c('guest-kernel', 'domu', 'nr-r0', 'kernel', ['intel-sdm-vmx']),
    c('xl', 'dom0', 'root-r3', 'shell', ['xen-pv-abi'], { management: true }),
    c('xenstored', 'dom0', 'root-r3', 'management', ['xen-pv-abi'], { management: true }),
    c('dom0-qemu', 'dom0', 'root-r3', 'device-model', ['xen-hvm-ioreq'], { perVm: true }),
    c('dom0-kernel', 'dom0', 'root-r1', 'kernel', ['xen-pv-abi']),
    c('xen', 'xen', 'root-r0', 'hypervisor', ['xen-pv-abi', 'xen-hvm-ioreq']),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    ...guestEdges(),
    e('guest-kernel', 'xen', 'trap'),
    e('guest-user', 'xen', 'trap'),
    e('xen', 'guest-kernel', 'return'),
    e('xen', 'guest-user', 'return'),
    e('xen', 'dom0-kernel', 'upcall'),
    e('dom0-kernel', 'xen', 'trap'),
    e('dom0-kernel', 'dom0-qemu', 'signal'),
    e('dom0-qemu', 'dom0-kernel', 'syscall'),
    e('xl', 'dom0-kernel', 'syscall'),
    e('xl', 'xenstored', 'rpc'),
    e('xenstored', 'xl', 'return'),
    e('dom0-kernel', 'xl', 'return'),
    e('xenstored', 'dom0-kernel', 'syscall'),
    e('xl', 'dom0-qemu', 'rpc'),
    e('timer', 'xen', 'signal'),
    e('cpu', 'xen', 'trap'),
    e('dom0-kernel', 'disk', 'io'),
    e('dom0-kernel', 'uart', 'io'),
    e('dom0-kernel', 'nic', 'io'),
    e('disk', 'xen', 'signal'),
    e('nic', 'xen', 'signal'),
    e('uart', 'xen', 'signal'),
  ],
}

/**
 * VMware ESXi in hardware-assisted mode (hypervisor-flows.md §6.1–6.2): no management OS; hostd and
 * vpxa are VMkernel user worlds; one VMM per VM inside the VMkernel and one VMX user world per VM.
 * The VMM/VMX device split is proprietary [R]: storage and network go to the VMkernel, the rest to VMX.
 */
export const ESXI: TopologySpec = {
  arch: 'esxi',
  domains: [{ id: 'vmkernel', kind: 'hypervisor' }, { id: 'vm', kind: 'guest', perVm: true }, HARDWARE_DOMAIN],
  components: [
    c('guest-user', 'vm', 'nr-r3', 'user-process', ['intel-sdm-vmx']),
    c('guest-kernel', 'vm', 'nr-r0', 'kernel', ['intel-sdm-vmx']),
    c('vim-cmd', 'vmkernel', 'root-r3', 'shell', ['esxi-architecture'], { management: true }),
    c('hostd', 'vmkernel', 'root-r3', 'management', ['esxi-architecture'], { management: true }),
    c('vpxa', 'vmkernel', 'root-r3', 'management', ['esxi-architecture'], { management: true }),
    c('vmx', 'vmkernel', 'root-r3', 'device-model', ['esxi-architecture'], { perVm: true }),
    c('vmkernel', 'vmkernel', 'root-r0', 'hypervisor', ['esxi-architecture']),
    c('vmm', 'vmkernel', 'root-r0', 'monitor', ['esxi-architecture'], { perVm: true, within: 'vmkernel' }),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    ...guestEdges(),
    e('guest-kernel', 'vmm', 'trap'),
    e('guest-user', 'vmm', 'trap'),
    e('vmm', 'guest-kernel', 'return'),
    e('vmm', 'guest-user', 'return'),
    e('vmm', 'vmkernel', 'call'),
    e('vmkernel', 'vmm', 'return'),
    e('vmm', 'vmx', 'message'),
    e('vmx', 'vmm', 'return'),
    e('vmx', 'vmkernel', 'syscall'),
    e('vmkernel', 'vmx', 'return'),
    e('vim-cmd', 'hostd', 'rpc'),
    e('hostd', 'vim-cmd', 'return'),
    e('vpxa', 'hostd', 'rpc'),
    e('hostd', 'vmkernel', 'syscall'),
    e('hostd', 'vmx', 'rpc'),
    ...hardwareEdges('vmkernel'),
  ],
}

/**
 * Microsoft Hyper-V (hypervisor-flows.md §5): the root partition is itself a partition — its kernel
 * runs in VMX non-root ring 0 (§11.1), with the VID driver and the VSPs; VMMS and one VMWP per VM are
 * root user processes. Child partitions run the guests.
 */
export const HYPERV: TopologySpec = {
  arch: 'hyperv',
  domains: [
    { id: 'hv', kind: 'hypervisor' },
    { id: 'root', kind: 'management' },
    { id: 'child', kind: 'guest', perVm: true },
    HARDWARE_DOMAIN,
  ],
  components: [
    c('guest-user', 'child', 'nr-r3', 'user-process', ['intel-sdm-vmx']),
    c('guest-kernel', 'child', 'nr-r0', 'kernel', ['hyperv-tlfs']),
    c('powershell', 'root', 'nr-r3', 'shell', ['hyperv-tlfs'], { management: true }),
    c('vmms', 'root', 'nr-r3', 'management', ['hyperv-tlfs'], { management: true }),
    c('vmwp', 'root', 'nr-r3', 'device-model', ['hyperv-tlfs'], { perVm: true }),
    c('root-kernel', 'root', 'nr-r0', 'kernel', ['hyperv-tlfs']),
    c('hypervisor', 'hv', 'root-r0', 'hypervisor', ['hyperv-tlfs']),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    ...guestEdges(),
    e('guest-kernel', 'hypervisor', 'trap'),
    e('guest-user', 'hypervisor', 'trap'),
    e('hypervisor', 'guest-kernel', 'return'),
    e('hypervisor', 'guest-user', 'return'),
    e('hypervisor', 'root-kernel', 'message'),
    e('root-kernel', 'hypervisor', 'trap'),
    e('root-kernel', 'vmwp', 'signal'),
    e('vmwp', 'root-kernel', 'syscall'),
    e('powershell', 'vmms', 'rpc'),
    e('vmms', 'powershell', 'return'),
    e('vmms', 'vmwp', 'rpc'),
    e('vmms', 'root-kernel', 'syscall'),
    e('timer', 'hypervisor', 'signal'),
    e('cpu', 'hypervisor', 'trap'),
    e('root-kernel', 'disk', 'io'),
    e('root-kernel', 'uart', 'io'),
    e('root-kernel', 'nic', 'io'),
    e('disk', 'hypervisor', 'signal'),
    e('nic', 'hypervisor', 'signal'),
    e('uart', 'hypervisor', 'signal'),
  ],
}

/**
 * Classic trap-and-emulate with ring compression (x86-virtualization-facts.md §2; hypervisor-flows.md
 * §7.2 "raw mode"): the guest kernel runs deprivileged in ring 1, the monitor owns ring 0 and the real
 * IDT, so every trap reaches the monitor first.
 */
export const TRAP_EMULATE: TopologySpec = {
  arch: 'trap-emulate',
  domains: [{ id: 'monitor', kind: 'hypervisor' }, { id: 'vm', kind: 'guest', perVm: true }, HARDWARE_DOMAIN],
  components: [
    c('guest-user', 'vm', 'r3', 'user-process', ['popek-goldberg-1974']),
    c('guest-kernel', 'vm', 'r1', 'kernel', ['popek-goldberg-1974']),
    c('monitor', 'monitor', 'r0', 'monitor', ['popek-goldberg-1974']),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    e('guest-kernel', 'monitor', 'trap'),
    e('guest-user', 'monitor', 'trap'),
    e('monitor', 'guest-kernel', 'upcall'),
    e('monitor', 'guest-user', 'return'),
    e('guest-kernel', 'guest-user', 'return'),
    ...hardwareEdges('monitor'),
  ],
}

/**
 * Classic VMware binary translation (hypervisor-flows.md §6.3): guest user code runs directly in
 * ring 3; guest kernel code runs only as translated code from the translation cache, deprivileged
 * in ring 1 [R: ring 1 per VMware's 2007 white paper as summarised]; the VMM with the translator in ring 0.
 */
export const VMWARE_BT: TopologySpec = {
  arch: 'vmware-bt',
  domains: [{ id: 'vmkernel', kind: 'hypervisor' }, { id: 'vm', kind: 'guest', perVm: true }, HARDWARE_DOMAIN],
  components: [
    c('guest-user', 'vm', 'r3', 'user-process', ['vmware-bt']),
    c('bt', 'vm', 'r1', 'translator', ['vmware-bt']),
    c('vim-cmd', 'vmkernel', 'r3', 'shell', ['esxi-architecture'], { management: true }),
    c('hostd', 'vmkernel', 'r3', 'management', ['esxi-architecture'], { management: true }),
    c('vmkernel', 'vmkernel', 'r0', 'hypervisor', ['esxi-architecture']),
    c('vmm', 'vmkernel', 'r0', 'monitor', ['vmware-bt'], { perVm: true, within: 'vmkernel' }),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    e('guest-user', 'vmm', 'trap'),
    e('vmm', 'guest-user', 'return'),
    e('vmm', 'bt', 'call'),
    e('bt', 'vmm', 'call'),
    e('bt', 'guest-user', 'return'),
    e('vmm', 'vmkernel', 'call'),
    e('vmkernel', 'vmm', 'return'),
    e('vim-cmd', 'hostd', 'rpc'),
    e('hostd', 'vim-cmd', 'return'),
    e('hostd', 'vmkernel', 'syscall'),
    ...hardwareEdges('vmkernel'),
  ],
}

/**
 * 32-bit Xen PV (hypervisor-flows.md §4.2; Barham et al. 2003): Xen in ring 0, PV kernels (Dom0 and
 * DomU) in ring 1, user space in ring 3; split drivers with backends in Dom0. No VT-x is used by this
 * model, so the rows are plain rings [R: on VT-capable hardware Xen would have executed VMXON and
 * these would be root-mode rings, §11.3].
 */
export const XEN_PV: TopologySpec = {
  arch: 'xen-pv',
  domains: [
    { id: 'xen', kind: 'hypervisor' },
    { id: 'dom0', kind: 'management' },
    { id: 'domu', kind: 'guest', perVm: true },
    HARDWARE_DOMAIN,
  ],
  components: [
    c('domU-user', 'domu', 'r3', 'user-process', ['xen-pv-abi']),
    c('domU-kernel', 'domu', 'r1', 'kernel', ['xen-pv-abi']),
    c('xl', 'dom0', 'r3', 'shell', ['xen-pv-abi'], { management: true }),
    c('xenstored', 'dom0', 'r3', 'management', ['xen-pv-abi'], { management: true }),
    c('dom0-kernel', 'dom0', 'r1', 'kernel', ['xen-pv-abi']),
    c('blkback', 'dom0', 'r1', 'driver', ['xen-pv-abi'], { within: 'dom0-kernel' }),
    c('consoleback', 'dom0', 'r1', 'driver', ['xen-pv-abi'], { within: 'dom0-kernel' }),
    c('xen', 'xen', 'r0', 'hypervisor', ['xen-pv-abi', 'barham-2003']),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    e('domU-user', 'xen', 'trap'),
    e('xen', 'domU-kernel', 'upcall'),
    e('domU-kernel', 'xen', 'trap'),
    e('xen', 'domU-user', 'return'),
    e('domU-kernel', 'domU-user', 'return'),
    e('xen', 'dom0-kernel', 'upcall'),
    e('dom0-kernel', 'xen', 'trap'),
    e('dom0-kernel', 'blkback', 'call'),
    e('dom0-kernel', 'consoleback', 'call'),
    e('blkback', 'xen', 'trap'),
    e('consoleback', 'xen', 'trap'),
    e('blkback', 'disk', 'io'),
    e('consoleback', 'uart', 'io'),
    e('xl', 'dom0-kernel', 'syscall'),
    e('dom0-kernel', 'xl', 'return'),
    e('xl', 'xenstored', 'rpc'),
    e('xenstored', 'xl', 'return'),
    e('xenstored', 'dom0-kernel', 'syscall'),
    e('timer', 'xen', 'signal'),
    e('cpu', 'xen', 'trap'),
    e('disk', 'xen', 'signal'),
    e('uart', 'xen', 'signal'),
    e('nic', 'xen', 'signal'),
  ],
}

/**
 * Hosted (type 2) VMware Workstation (hypervisor-flows.md §7.1, Sugerman et al. 2001): the host OS owns
 * the hardware; VMApp is a host process, VMDriver (vmmon) a host kernel module, and the VMM runs in its
 * own world, entered and left by a world switch. The guest runs with VT-x here [R: the 2001 paper
 * describes the BT-era VMM; the hosted I/O path is the same].
 */
export const WORKSTATION: TopologySpec = {
  arch: 'workstation',
  domains: [
    { id: 'host', kind: 'host' },
    { id: 'vmm-world', kind: 'world' },
    { id: 'vm', kind: 'guest', perVm: true },
    HARDWARE_DOMAIN,
  ],
  components: [
    c('guest-user', 'vm', 'nr-r3', 'user-process', ['intel-sdm-vmx']),
    c('guest-kernel', 'vm', 'nr-r0', 'kernel', ['intel-sdm-vmx']),
    c('vmrun', 'host', 'root-r3', 'shell', ['sugerman-2001'], { management: true }),
    c('vmapp', 'host', 'root-r3', 'device-model', ['sugerman-2001'], { perVm: true }),
    c('host-kernel', 'host', 'root-r0', 'kernel', ['sugerman-2001']),
    c('vmmon', 'host', 'root-r0', 'driver', ['sugerman-2001'], { within: 'host-kernel' }),
    c('vmm', 'vmm-world', 'root-r0', 'monitor', ['sugerman-2001'], { perVm: true }),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    ...guestEdges(),
    e('guest-kernel', 'vmm', 'trap'),
    e('guest-user', 'vmm', 'trap'),
    e('vmm', 'guest-kernel', 'return'),
    e('vmm', 'guest-user', 'return'),
    e('vmm', 'vmmon', 'world-switch'),
    e('vmmon', 'vmm', 'world-switch'),
    e('vmmon', 'vmapp', 'return'),
    e('vmapp', 'vmmon', 'ioctl'),
    e('vmapp', 'host-kernel', 'syscall'),
    e('host-kernel', 'vmapp', 'return'),
    e('vmrun', 'vmapp', 'rpc'),
    e('vmapp', 'vmrun', 'return'),
    e('host-kernel', 'vmmon', 'call'),
    ...hardwareEdges('host-kernel'),
  ],
}

/** Containers (hypervisor-flows.md §8): no hypervisor, one shared kernel, isolation by namespaces and cgroups. */
export const CONTAINER: TopologySpec = {
  arch: 'container',
  domains: [{ id: 'host', kind: 'host' }, { id: 'container', kind: 'guest', perVm: true }, HARDWARE_DOMAIN],
  components: [
    c('container-user', 'container', 'r3', 'user-process', ['containers-namespaces']),
    c('runc', 'host', 'r3', 'shell', ['containers-namespaces'], { management: true }),
    c('host-kernel', 'host', 'r0', 'kernel', ['containers-namespaces']),
    ...HARDWARE_COMPONENTS,
  ],
  edges: [
    e('container-user', 'host-kernel', 'syscall'),
    e('host-kernel', 'container-user', 'return'),
    e('runc', 'host-kernel', 'syscall'),
    e('host-kernel', 'runc', 'return'),
    ...hardwareEdges('host-kernel'),
  ],
}

export const TOPOLOGIES = {
  bare: BARE,
  kvm: KVM,
  'xen-hvm': XEN_HVM,
  esxi: ESXI,
  hyperv: HYPERV,
  'trap-emulate': TRAP_EMULATE,
  'vmware-bt': VMWARE_BT,
  'xen-pv': XEN_PV,
  workstation: WORKSTATION,
  container: CONTAINER,
} as const satisfies Record<string, TopologySpec>

export type ArchId = keyof typeof TOPOLOGIES
export const ARCH_IDS = Object.keys(TOPOLOGIES) as ArchId[]

export function isArchId(s: string): s is ArchId {
  return Object.prototype.hasOwnProperty.call(TOPOLOGIES, s)
}
