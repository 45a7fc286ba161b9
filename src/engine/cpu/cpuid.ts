/**
 * CPUID leaves of the bare-metal Ringside CPU (SDM Vol. 2 CPUID). Modelling choices [R]: vendor
 * "GenuineIntel", family 6 model 15 stepping 11 (a Core 2 "Merom" signature, a generation that had
 * VT-x), one logical processor, no x87/MMX/SSE (the instructions raise #UD), VMX reported
 * (CPUID.1:ECX[5] = 1), hypervisor-present bit clear (CPUID.1:ECX[31] = 0). Models override any leaf
 * (e.g. set bit 31 and add 0x40000000 for a hypervisor) through `Cpu.cpuidOverrides`.
 *
 * As on Intel processors, a leaf above the highest basic or extended leaf returns the data of the
 * highest basic leaf (SDM Vol. 2 CPUID, "INPUT EAX = 0 … if a value entered for CPUID.EAX is higher
 * than the maximum input value").
 */
import type { Cpu } from './cpu'

/** CPUID.1:EDX feature bits reported (SDM Vol. 2 Table 3-11): DE PSE TSC MSR CX8 SEP PGE CMOV. */
export const FEATURES_EDX =
  (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 8) | (1 << 11) | (1 << 13) | (1 << 15)
/** CPUID.1:ECX feature bits reported: VMX (bit 5). */
export const FEATURES_ECX = 1 << 5
/** Family 6, model 15, stepping 11. */
export const SIGNATURE = 0x000006fb
export const BRAND = 'Ringside IA-32 virtual CPU @ 1.00GHz'

function str4(s: string, at: number): number {
  let v = 0
  for (let k = 0; k < 4; k++) v |= (s.charCodeAt(at + k) & 0xff) << (8 * k)
  return v
}

function brandLeaf(n: number): [number, number, number, number] {
  const s = BRAND.padEnd(48, '\0')
  const o = n * 16
  return [str4(s, o), str4(s, o + 4), str4(s, o + 8), str4(s, o + 12)]
}

/** The built-in value of a leaf (before overrides), as EAX EBX ECX EDX. */
export function defaultLeaf(leaf: number): [number, number, number, number] {
  switch (leaf) {
    case 0:
      return [1, str4('Genu', 0), str4('ntel', 0), str4('ineI', 0)]
    case 1:
      return [SIGNATURE, 0x00010000, FEATURES_ECX, FEATURES_EDX]
    case 0x80000000:
      return [0x80000004, 0, 0, 0]
    case 0x80000001:
      return [0, 0, 0, 0]
    case 0x80000002:
    case 0x80000003:
    case 0x80000004:
      return brandLeaf(leaf - 0x80000002)
    default:
      return defaultLeaf(1)
  }
}

/** The value CPUID returns for `leaf` (EAX) and `subleaf` (ECX) on this CPU, overrides first. */
export function cpuidLeaf(c: Cpu, leaf: number, _subleaf: number): readonly [number, number, number, number] {
  const o = c.cpuidOverrides.get(leaf)
  if (o) return o
  const known = leaf <= 1 || (leaf >= 0x80000000 && leaf <= 0x80000004)
  if (!known) return c.cpuidOverrides.get(1) ?? defaultLeaf(1)
  return defaultLeaf(leaf)
}
