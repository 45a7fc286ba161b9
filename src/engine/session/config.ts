import { ARCH_IDS, isArchId, type ArchId } from '../hv/architectures'

/**
 * What a session runs (DESIGN §4): an architecture, its VMs and the options that change how the
 * hypervisor virtualizes them. Everything here may come from an untrusted source (URL state, a saved
 * file, a worker message), so {@link parseSessionConfig} validates and bounds it.
 */

export type Platform = 'native' | 'virtio' | 'hyperv' | 'xen-pv'
export const PLATFORMS: readonly Platform[] = ['native', 'virtio', 'hyperv', 'xen-pv']

export interface VmSpec {
  /** Shown by the management tools (default vm1, vm2, …). */
  readonly name?: string
  /** ELF32 or flat guest image. */
  readonly image: Uint8Array
  /** Raw disk image (the VM gets its own copy). */
  readonly disk?: Uint8Array
  /** The guest's platform layer: which console and disk it drives. */
  readonly platform: Platform
  readonly memMiB?: number
  readonly cmdline?: string
  readonly loadAddr?: number
  readonly entry?: number
}

export type PagingMode = 'ept' | 'shadow'

export interface SessionConfig {
  readonly arch: ArchId
  readonly vms: readonly VmSpec[]
  /** Memory virtualization for the VT-x models (`ept=0` / `hap=0` select shadow paging on real systems). */
  readonly paging?: PagingMode
  /** Management commands run before the guests start. */
  readonly manage?: readonly string[]
  /** An alternative cost table of the model (e.g. `vtx-2006` for KVM: first-generation VT-x). */
  readonly costProfile?: string
  /** KVM: the virtio block queue served by an in-kernel vhost worker instead of QEMU. */
  readonly vhost?: boolean
}

export const MAX_VMS = 4
export const MAX_MEM_MIB = 256
export const DEFAULT_VM_MEM_MIB = 64
const MAX_IMAGE_BYTES = 64 << 20
const MAX_DISK_BYTES = 256 << 20

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

function fail(msg: string): never {
  throw new ConfigError(msg)
}

function bytes(v: unknown, what: string, max: number): Uint8Array {
  if (!(v instanceof Uint8Array)) fail(`${what}: expected bytes`)
  if (v.length === 0) fail(`${what} is empty`)
  if (v.length > max) fail(`${what} is ${v.length} bytes; the limit is ${max}`)
  return v
}

function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(`${what}: expected an integer in [${min}, ${max}]`)
  return v
}

/** Validates a session configuration from any source; throws {@link ConfigError} with a clear message. */
export function parseSessionConfig(raw: unknown): SessionConfig {
  if (typeof raw !== 'object' || raw === null) fail('session: expected an object')
  const r = raw as Record<string, unknown>
  if (typeof r.arch !== 'string' || !isArchId(r.arch)) fail(`arch: expected one of ${ARCH_IDS.join(', ')}`)
  if (!Array.isArray(r.vms) || r.vms.length < 1 || r.vms.length > MAX_VMS)
    fail(`vms: expected 1 to ${MAX_VMS} VMs`)
  const names = new Set<string>()
  const vms = r.vms.map((v: unknown, i: number): VmSpec => {
    if (typeof v !== 'object' || v === null) fail(`vms[${i}]: expected an object`)
    const o = v as Record<string, unknown>
    const name = o.name === undefined ? `vm${i + 1}` : o.name
    if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_.-]{0,31}$/.test(name))
      fail(`vms[${i}].name: letters, digits, _ . - (at most 32)`)
    if (names.has(name)) fail(`vms[${i}].name: ${name} is used twice`)
    names.add(name)
    if (typeof o.platform !== 'string' || !(PLATFORMS as readonly string[]).includes(o.platform)) {
      fail(`vms[${i}].platform: expected one of ${PLATFORMS.join(', ')}`)
    }
    if (o.cmdline !== undefined && (typeof o.cmdline !== 'string' || o.cmdline.length > 1024))
      fail(`vms[${i}].cmdline: a string of at most 1024 characters`)
    return {
      name,
      image: bytes(o.image, `vms[${i}].image`, MAX_IMAGE_BYTES),
      ...(o.disk === undefined ? {} : { disk: bytes(o.disk, `vms[${i}].disk`, MAX_DISK_BYTES) }),
      platform: o.platform as Platform,
      memMiB: o.memMiB === undefined ? DEFAULT_VM_MEM_MIB : int(o.memMiB, `vms[${i}].memMiB`, 4, MAX_MEM_MIB),
      ...(o.cmdline === undefined ? {} : { cmdline: o.cmdline as string }),
      ...(o.loadAddr === undefined ? {} : { loadAddr: int(o.loadAddr, `vms[${i}].loadAddr`, 0, 0xffffffff) }),
      ...(o.entry === undefined ? {} : { entry: int(o.entry, `vms[${i}].entry`, 0, 0xffffffff) }),
    }
  })
  let paging: PagingMode | undefined
  if (r.paging !== undefined) {
    if (r.paging !== 'ept' && r.paging !== 'shadow') fail('paging: expected ept or shadow')
    paging = r.paging
  }
  let manage: string[] | undefined
  if (r.manage !== undefined) {
    if (
      !Array.isArray(r.manage) ||
      r.manage.length > 64 ||
      !r.manage.every((m) => typeof m === 'string' && m.length <= 512)
    ) {
      fail('manage: expected at most 64 command lines of at most 512 characters')
    }
    manage = r.manage as string[]
  }
  let costProfile: string | undefined
  if (r.costProfile !== undefined) {
    if (typeof r.costProfile !== 'string' || !/^[a-z0-9-]{1,32}$/.test(r.costProfile))
      fail('costProfile: a name of lowercase letters, digits and -')
    costProfile = r.costProfile
  }
  if (r.vhost !== undefined && typeof r.vhost !== 'boolean') fail('vhost: expected true or false')
  return {
    arch: r.arch,
    vms,
    ...(paging ? { paging } : {}),
    ...(manage ? { manage } : {}),
    ...(costProfile ? { costProfile } : {}),
    ...(r.vhost === true ? { vhost: true } : {}),
  }
}
