import { TOPOLOGIES, type ArchId } from '../../engine/hv/architectures'
import { inspectorEn } from '../../i18n/locales/inspector.en'
import { inspectorZhCN, type InspectorMessages } from '../../i18n/locales/inspector.zh-CN'

export { fill } from '../diagram/texts'

/** The inspector, timeline and counter texts of an interface language (zh-CN is the source and the fallback). */
export function inspectorMessages(language: string): InspectorMessages {
  return language.toLowerCase().startsWith('en') ? inspectorEn : inspectorZhCN
}

/** `0x` and eight hex digits, as the SDM writes 32-bit values. */
export function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`
}

/** `0x` and the shortest hex digits (at least `digits`). */
export function hex(n: number, digits = 1): string {
  return `0x${(n >>> 0).toString(16).padStart(digits, '0')}`
}

/** Parses a user's hexadecimal address (an optional 0x, up to eight digits); null if it is not one. */
export function parseHexAddress(text: string): number | null {
  const m = /^\s*(?:0x)?([0-9a-f]{1,8})\s*$/i.exec(text)
  return m === null ? null : parseInt(m[1]!, 16) >>> 0
}

/** A count or a cycle figure in the interface language's digit grouping. */
export function formatNumber(n: number, language: string): string {
  return Math.round(n).toLocaleString(language)
}

/** Whether an architecture runs its guests under VT-x (a VMX non-root row in its topology). */
export function usesVmx(arch: ArchId): boolean {
  return TOPOLOGIES[arch].components.some((c) => c.row.startsWith('nr-'))
}
