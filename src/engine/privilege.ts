/**
 * Privilege context: where the CPU is, on both axes that matter for virtualization.
 *
 * - `vmx`: `off` (no VMX: bare metal, Xen PV, binary translation, trap-and-emulate), `root` (VMX root
 *   operation: the hypervisor or the host), `nonroot` (VMX non-root operation: a hardware-assisted guest).
 * - `cpl`: the current privilege level, 0–3, read from CS.RPL (Intel SDM Vol. 3A §5.5).
 *
 * "Ring −1" is not an architectural term (SDM Vol. 3C §23.3, Introduction to VMX operation); it is the
 * colloquial name for root-r0 and is shown only as a display label beside "VMX root".
 */
export type VmxMode = 'off' | 'root' | 'nonroot'
export type Cpl = 0 | 1 | 2 | 3

export interface PrivilegeContext {
  readonly vmx: VmxMode
  readonly cpl: Cpl
}

/** Labels of DESIGN §3 / hypervisor-flows.md §0. */
export type ContextLabel =
  | 'r0'
  | 'r1'
  | 'r2'
  | 'r3'
  | 'root-r0'
  | 'root-r1'
  | 'root-r2'
  | 'root-r3'
  | 'nr-r0'
  | 'nr-r1'
  | 'nr-r2'
  | 'nr-r3'

const VMX_CODES: Record<VmxMode, number> = { off: 0, root: 1, nonroot: 2 }
const VMX_MODES: readonly VmxMode[] = ['off', 'root', 'nonroot']

/** Packs a context into one byte as carried by trace events: bits 1:0 CPL, bits 3:2 VMX mode. */
export function encodeContext(ctx: PrivilegeContext): number {
  return (VMX_CODES[ctx.vmx] << 2) | ctx.cpl
}

/** Inverse of {@link encodeContext}. Unknown VMX codes decode as `off`. */
export function decodeContext(code: number): PrivilegeContext {
  return { vmx: VMX_MODES[(code >> 2) & 3] ?? 'off', cpl: (code & 3) as Cpl }
}

/** Fast path for the CPU: the encoded context without building an object. */
export function contextCode(vmx: 0 | 1 | 2, cpl: number): number {
  return (vmx << 2) | (cpl & 3)
}

export function contextLabel(ctx: PrivilegeContext): ContextLabel {
  const ring = `r${ctx.cpl}` as const
  if (ctx.vmx === 'off') return ring
  return `${ctx.vmx === 'root' ? 'root' : 'nr'}-${ring}`
}

export function parseContextLabel(label: string): PrivilegeContext | undefined {
  const m = /^(?:(root|nr)-)?r([0-3])$/.exec(label)
  if (!m) return undefined
  const vmx: VmxMode = m[1] === 'root' ? 'root' : m[1] === 'nr' ? 'nonroot' : 'off'
  return { vmx, cpl: Number(m[2]) as Cpl }
}
