/**
 * Argument parsing for the headless runner. Every malformed input is an {@link UsageError}, which
 * main.ts reports as one line on stderr with exit code 2.
 */

import { ARCH_IDS, type ArchId } from '../engine/hv/architectures'
import { MAX_VMS, PLATFORMS, type PagingMode, type Platform } from '../engine/session/config'

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export interface RunArgs {
  readonly image: string
  readonly loadAddr?: number
  readonly entry?: number
  readonly memMiB: number
  readonly input: string
  readonly maxInsns: number
  readonly json: boolean
  readonly cmdline: string
  /** Raw disk image for the ATA disk and virtio-blk (a copy: the file is not modified). */
  readonly disk?: string
  /** Stop with `idle` once all input was read and the guest has spent 100 ms of virtual time halted since its last console byte. */
  readonly untilIdle: boolean
  /** The console --input goes to and the JSON `console` comes from (default: the image's platform). */
  readonly console?: ConsoleName
  /**
   * `machine` (the default): the raw Ringside PC, the Engine I contract; `vmx-null`: the same PC with
   * the guest in VMX non-root operation under the null monitor; an architecture id: a session of that
   * hypervisor model (flows, costs, management plane).
   */
  readonly arch: RunnerArch
  /** The guest's platform layer (default: the image's, from guests.json, else native). Architectures only. */
  readonly platform?: Platform
  /** Number of VMs running the image (architectures only; default 1). */
  readonly vms: number
  /** Management commands run before the guests start (architectures only). */
  readonly manage: readonly string[]
  /** Memory virtualization for the VT-x models: EPT (default) or shadow page tables. */
  readonly paging?: PagingMode
  /** An alternative cost table of the model (`--cost-profile`). */
  readonly costProfile?: string
  /** KVM: the virtio block queue served by a vhost worker (`--vhost`). */
  readonly vhost: boolean
}

export type RunnerArch = 'machine' | 'vmx-null' | ArchId
export const RUNNER_ARCHES: readonly RunnerArch[] = ['machine', 'vmx-null', ...ARCH_IDS]

export const CONSOLE_NAMES = ['com1', 'virtio'] as const
export type ConsoleName = (typeof CONSOLE_NAMES)[number]

export const USAGE =
  'usage: ringside run --image FILE [--arch machine|vmx-null|ARCH] [--platform native|virtio|hyperv|xen-pv] [--vms N] [--manage CMD]... [--paging ept|shadow] [--cost-profile NAME] [--vhost] [--load-addr ADDR] [--entry ADDR] [--mem-mib N] [--input TEXT] [--max-insns N] [--cmdline TEXT] [--disk FILE] [--console com1|virtio] [--until-idle] [--json]'

/** Default step budget: large enough for any program in the repository, small enough to end a runaway guest. */
export const DEFAULT_MAX_INSNS = 4_000_000_000

/** Parses a decimal or 0x-prefixed hexadecimal unsigned number. */
export function parseNumber(flag: string, text: string, max: number): number {
  const t = text.trim()
  const ok = /^0x[0-9a-f]+$/i.test(t) || /^[0-9]+$/.test(t)
  const n = ok ? Number(t) : NaN
  if (!Number.isSafeInteger(n) || n < 0 || n > max)
    throw new UsageError(`${flag}: '${text}' is not a number between 0 and ${max}`)
  return n
}

/** Expands the escapes --input understands: \n \r \t \\ and \xHH. */
export function unescapeInput(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (m, e: string) => {
    switch (e[0]) {
      case 'n':
        return '\n'
      case 'r':
        return '\r'
      case 't':
        return '\t'
      case '\\':
        return '\\'
      case 'x':
        return e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : m
      default:
        return m
    }
  })
}

export function parseRunArgs(argv: readonly string[]): RunArgs {
  if (argv[0] !== 'run')
    throw new UsageError(argv.length === 0 ? 'missing command' : `unknown command '${argv[0]}'`)
  let image: string | undefined
  let loadAddr: number | undefined
  let entry: number | undefined
  let memMiB = 64
  let input = ''
  let maxInsns = DEFAULT_MAX_INSNS
  let json = false
  let cmdline = ''
  let disk: string | undefined
  let untilIdle = false
  let console: ConsoleName | undefined
  let arch: RunnerArch = 'machine'
  let platform: Platform | undefined
  let vms = 1
  const manage: string[] = []
  let paging: PagingMode | undefined
  let costProfile: string | undefined
  let vhost = false
  for (let k = 1; k < argv.length; k++) {
    const flag = argv[k]
    const value = (): string => {
      const v = argv[++k]
      if (v === undefined) throw new UsageError(`${flag} needs a value`)
      return v
    }
    switch (flag) {
      case '--image':
        image = value()
        break
      case '--load-addr':
        loadAddr = parseNumber(flag, value(), 0xffffffff)
        break
      case '--entry':
        entry = parseNumber(flag, value(), 0xffffffff)
        break
      case '--mem-mib':
        memMiB = parseNumber(flag, value(), 3072)
        if (memMiB < 2) throw new UsageError('--mem-mib: at least 2 MiB')
        break
      case '--input':
        input = unescapeInput(value())
        break
      case '--max-insns':
        maxInsns = parseNumber(flag, value(), Number.MAX_SAFE_INTEGER)
        break
      case '--cmdline':
        cmdline = value()
        break
      case '--disk':
        disk = value()
        break
      case '--console': {
        const v = value()
        if (!(CONSOLE_NAMES as readonly string[]).includes(v))
          throw new UsageError(`--console: '${v}' is not one of ${CONSOLE_NAMES.join(', ')}`)
        console = v as ConsoleName
        break
      }
      case '--arch': {
        const v = value()
        if (!(RUNNER_ARCHES as readonly string[]).includes(v))
          throw new UsageError(`--arch: '${v}' is not one of ${RUNNER_ARCHES.join(', ')}`)
        arch = v as RunnerArch
        break
      }
      case '--platform': {
        const v = value()
        if (!(PLATFORMS as readonly string[]).includes(v))
          throw new UsageError(`--platform: '${v}' is not one of ${PLATFORMS.join(', ')}`)
        platform = v as Platform
        break
      }
      case '--vms':
        vms = parseNumber(flag, value(), MAX_VMS)
        if (vms < 1) throw new UsageError(`--vms: between 1 and ${MAX_VMS}`)
        break
      case '--manage':
        manage.push(value())
        break
      case '--paging': {
        const v = value()
        if (v !== 'ept' && v !== 'shadow') throw new UsageError(`--paging: '${v}' is not one of ept, shadow`)
        paging = v
        break
      }
      case '--vhost':
        vhost = true
        break
      case '--cost-profile':
        costProfile = value()
        break
      case '--until-idle':
        untilIdle = true
        break
      case '--json':
        json = true
        break
      default:
        throw new UsageError(`unknown option '${flag}'`)
    }
  }
  if (image === undefined) throw new UsageError('--image is required')
  const session = arch !== 'machine' && arch !== 'vmx-null'
  if (
    !session &&
    (platform !== undefined ||
      vms !== 1 ||
      manage.length > 0 ||
      paging !== undefined ||
      costProfile !== undefined ||
      vhost)
  ) {
    throw new UsageError(
      '--platform, --vms, --manage, --paging, --cost-profile and --vhost need an architecture (--arch)',
    )
  }
  if (session && console !== undefined)
    throw new UsageError(
      "--console is for --arch machine|vmx-null; an architecture uses each VM's platform console",
    )
  return {
    image,
    loadAddr,
    entry,
    memMiB,
    input,
    maxInsns,
    json,
    cmdline,
    disk,
    untilIdle,
    console,
    arch,
    platform,
    vms,
    manage,
    paging,
    costProfile,
    vhost,
  }
}
