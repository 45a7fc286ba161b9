import type { ArchId } from './architectures'
import { BARE_COSTS } from './bare/costs'
import { BareModel } from './bare/model'
import type { CostTable } from './costs'
import type { HypervisorModel, ModelHost } from './model'
import type { PagingMode } from '../session/config'
import type { SchedulerPolicy } from './scheduler'
import { KVM_COSTS, KVM_VTX_2006_COSTS } from './kvm/costs'
import { KvmModel } from './kvm/model'
import { XEN_HVM_COSTS } from './xen-hvm/costs'
import { XenHvmModel } from './xen-hvm/model'
import { ESXI_COSTS } from './esxi/costs'
import { EsxiModel } from './esxi/model'
import { HYPERV_COSTS } from './hyperv/costs'
import { HypervModel } from './hyperv/model'
import { VtxModel } from './vtx/vtx-model'
import { WORKSTATION_COSTS } from './workstation/costs'
import { WorkstationModel } from './workstation/model'
import { XEN_PV_COSTS } from './xen-pv/costs'
import { XEN_RESERVED_BYTES, MAX_DOMUS } from './xen-pv/memory-layout'
import { XenPvModel } from './xen-pv/model'
import { TRAP_EMULATE_COSTS } from './trap-emulate/costs'
import { TrapEmulateModel } from './trap-emulate/model'
import { MONITOR_REGION_BYTES } from './trap-emulate/ring-compression'
import { VMWARE_BT_COSTS } from './vmware-bt/costs'
import { VmwareBtModel } from './vmware-bt/model'
import { CONTAINER_COSTS } from './container/costs'
import { ContainerModel } from './container/model'

/** How to build an architecture's model, and what it needs before it exists (its cost table, its memory). */
export interface ModelFactory {
  readonly costs: CostTable
  /** Host memory for the hypervisor itself besides the VMs' RAM (EPT tables, monitor structures), in bytes. */
  reservedBytes(vms: number): number
  /** The most VMs the model runs. */
  readonly maxVms: number
  /** Memory-virtualization choices (`--paging`), the first the default; empty where there is no choice. */
  readonly paging?: readonly PagingMode[]
  /** The model can serve virtio queues from an in-kernel vhost worker (`--vhost`). */
  readonly vhost?: boolean
  /** Alternative cost tables by name (`--cost-profile`), e.g. another CPU generation's figures. */
  readonly profiles?: Readonly<Record<string, CostTable>>
  /** The scheduler whose spirit the architecture's vCPU scheduling follows (none: bare metal, containers). */
  readonly scheduler?: SchedulerPolicy
  /** Builds the model; it must not touch `host.hostMemory` or `host.vms` until a VM starts. */
  create(host: ModelHost): HypervisorModel
}

/** The architectures whose models exist, by id. */
export const MODELS: Partial<Record<ArchId, ModelFactory>> = {
  bare: {
    costs: BARE_COSTS,
    reservedBytes: () => 0,
    maxVms: 1,
    create: (host) => new BareModel(host),
  },
  kvm: {
    costs: KVM_COSTS,
    profiles: { 'vtx-2006': KVM_VTX_2006_COSTS },
    vhost: true,
    reservedBytes: VtxModel.reservedBytes,
    maxVms: 4,
    scheduler: 'cfs',
    paging: ['ept', 'shadow'],
    create: (host) => new KvmModel(host),
  },
  'xen-hvm': {
    costs: XEN_HVM_COSTS,
    reservedBytes: VtxModel.reservedBytes,
    maxVms: 4,
    scheduler: 'credit',
    paging: ['ept', 'shadow'],
    create: (host) => new XenHvmModel(host),
  },
  esxi: {
    costs: ESXI_COSTS,
    reservedBytes: VtxModel.reservedBytes,
    maxVms: 4,
    scheduler: 'proportional',
    paging: ['ept'],
    create: (host) => new EsxiModel(host),
  },
  hyperv: {
    costs: HYPERV_COSTS,
    reservedBytes: VtxModel.reservedBytes,
    maxVms: 4,
    scheduler: 'round-robin',
    paging: ['ept'],
    create: (host) => new HypervModel(host),
  },
  workstation: {
    costs: WORKSTATION_COSTS,
    reservedBytes: VtxModel.reservedBytes,
    maxVms: 4,
    scheduler: 'cfs',
    paging: ['ept'],
    create: (host) => new WorkstationModel(host),
  },
  'xen-pv': {
    costs: XEN_PV_COSTS,
    reservedBytes: () => XEN_RESERVED_BYTES,
    maxVms: MAX_DOMUS,
    create: (host) => new XenPvModel(host),
  },
  'trap-emulate': {
    costs: TRAP_EMULATE_COSTS,
    reservedBytes: (vms) => vms * MONITOR_REGION_BYTES,
    maxVms: 4,
    create: (host) => new TrapEmulateModel(host),
  },
  'vmware-bt': {
    costs: VMWARE_BT_COSTS,
    reservedBytes: (vms) => vms * MONITOR_REGION_BYTES,
    maxVms: 4,
    create: (host) => new VmwareBtModel(host),
  },
  container: {
    costs: CONTAINER_COSTS,
    reservedBytes: () => 0,
    maxVms: 1,
    create: (host) => new ContainerModel(host),
  },
}
