import { Vec } from '../../engine/cpu/constants'
import { decodeContext, contextLabel } from '../../engine/privilege'
import {
  EVENT_KIND_NAMES,
  EventKind,
  FLOW_KIND_NAMES,
  HopCause,
  NO_COMPONENT,
  RingCause,
  SensitiveInsn,
  WalkStep,
  type FlowKind,
  type TraceEvent,
} from '../../engine/trace/schema'
import { exitReasonName } from '../../engine/vmx/exit-reasons'
import { liveExtrasMessages } from '../../i18n/locales/live-extras'
import { hypercallName } from '../controls/flow-labels'
import type { InspectorMessages } from '../../i18n/locales/inspector.zh-CN'
import type { DiagramTexts } from '../diagram/texts'
import { fill, formatNumber, hex, hex32 } from '../inspector/texts'

type T = InspectorMessages['timeline']
type ArgKey = keyof T['args']

/** What each argument of each kind carries (trace/schema.ts). */
const ARGS: Readonly<Partial<Record<EventKind, readonly ArgKey[]>>> = {
  [EventKind.InsnRetired]: ['count', 'eip'],
  [EventKind.RingChange]: ['newEip', 'oldEip'],
  [EventKind.Exception]: ['errorCode', 'eip', 'cr2'],
  [EventKind.Interrupt]: ['irq', 'eip'],
  [EventKind.VmExit]: ['qualification', 'guestEip', 'length'],
  [EventKind.VmEntry]: ['guestEip'],
  [EventKind.Injection]: ['info', 'errorCode'],
  [EventKind.Hypercall]: ['arg1', 'arg2'],
  [EventKind.PortIo]: ['port', 'value'],
  [EventKind.MmioAccess]: ['address', 'value'],
  [EventKind.EptFault]: ['gpa', 'qualification', 'gva'],
  [EventKind.ShadowFault]: ['gva', 'pte'],
  [EventKind.PageWalk]: ['address', 'entry', 'linear'],
  [EventKind.ConsoleByte]: ['byte'],
  [EventKind.MgmtStep]: ['arg1', 'arg2'],
  [EventKind.FlowBegin]: ['detail', 'arg1'],
  [EventKind.FlowEnd]: ['total'],
  [EventKind.Hop]: ['arg1', 'arg2'],
  [EventKind.Schedule]: ['previous', 'next'],
  [EventKind.Syscall]: ['eip', 'ebx'],
  [EventKind.Halt]: ['eip', 'ifClear'],
  [EventKind.Shutdown]: ['eip'],
  [EventKind.DebugExit]: ['value', 'exitCode'],
  [EventKind.DiskIo]: ['lba', 'sectors', 'device'],
  [EventKind.VirtioNotify]: ['queue'],
  [EventKind.BtTranslate]: ['eip', 'bytes', 'instructions'],
  [EventKind.BtCacheHit]: ['eip'],
  [EventKind.BtCallout]: ['eip'],
  [EventKind.BtInvalidate]: ['page', 'blocks'],
  [EventKind.TimerTick]: ['irq'],
  [EventKind.Dropped]: ['count'],
  [EventKind.SensitiveNoTrap]: ['eip', 'value', 'cpl'],
}

/** Exception mnemonics by vector (SDM Vol. 3A Table 6-1). */
const VECTOR_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Vec).map(([name, v]) => [v, `#${name}`]),
)

/** Mnemonics of the sensitive-but-unprivileged instructions (SensitiveNoTrap.reason; Intel SDM Vol. 2). */
export const SENSITIVE_MNEMONICS: Readonly<Record<SensitiveInsn, string>> = {
  [SensitiveInsn.Sgdt]: 'SGDT',
  [SensitiveInsn.Sidt]: 'SIDT',
  [SensitiveInsn.Sldt]: 'SLDT',
  [SensitiveInsn.Smsw]: 'SMSW',
  [SensitiveInsn.Str]: 'STR',
  [SensitiveInsn.Pushf]: 'PUSHF',
  [SensitiveInsn.Popf]: 'POPF',
  [SensitiveInsn.Lar]: 'LAR',
  [SensitiveInsn.Lsl]: 'LSL',
  [SensitiveInsn.Verr]: 'VERR',
  [SensitiveInsn.Verw]: 'VERW',
  [SensitiveInsn.PushSreg]: 'PUSH Sreg',
  [SensitiveInsn.PopSreg]: 'POP Sreg',
  [SensitiveInsn.MovFromSreg]: 'MOV r/m16, Sreg',
  [SensitiveInsn.Iret]: 'IRET',
}

export const sensitiveMnemonic = (reason: number): string =>
  SENSITIVE_MNEMONICS[reason as SensitiveInsn] ?? String(reason)

const nameOf = (table: Readonly<Record<string, number>>, v: number) =>
  Object.keys(table).find((k) => table[k] === v) ?? String(v)

export function kindName(kind: number, t: T): string {
  const id = EVENT_KIND_NAMES[kind as EventKind]
  return id === undefined ? String(kind) : (t.kinds[id as keyof T['kinds']] ?? id)
}

export function flowKindName(kind: number, t: T): string {
  const id = FLOW_KIND_NAMES[kind as FlowKind]
  return id === undefined ? String(kind) : (t.flowKinds[id as keyof T['flowKinds']] ?? id)
}

/** The event's reason field by name, as its kind defines it (hypercalls by the architecture's names). */
export function reasonText(e: TraceEvent, t: T, language: string, arch: string | null): string {
  const r = t.reasons
  switch (e.kind) {
    case EventKind.VmExit:
      return `${e.reason} ${exitReasonName(e.reason)}`
    case EventKind.Exception:
      return `${VECTOR_NAMES[e.reason] ?? ''} ${fill(r.vector, { n: e.reason })}`.trim()
    case EventKind.Interrupt:
    case EventKind.Injection:
      return fill(r.vector, { n: hex(e.reason, 2) })
    case EventKind.RingChange:
      return nameOf(RingCause, e.reason)
    case EventKind.Hop:
      return nameOf(HopCause, e.reason)
    case EventKind.FlowBegin:
    case EventKind.FlowEnd:
      return flowKindName(e.reason, t)
    case EventKind.Syscall:
      return fill(r.syscall, { n: e.reason })
    case EventKind.Hypercall: {
      const name = hypercallName(arch, e.reason)
      return name === null
        ? fill(r.hypercall, { n: e.reason })
        : fill(liveExtrasMessages(language).timeline.hypercallNamed, { name, n: e.reason })
    }
    case EventKind.SensitiveNoTrap:
      return sensitiveMnemonic(e.reason)
    case EventKind.PortIo:
      return fill(e.reason & 0x100 ? r.portIn : r.portOut, { size: e.reason & 0xff })
    case EventKind.MmioAccess:
      return fill(e.reason & 0x100 ? r.mmioRead : r.mmioWrite, { size: e.reason & 0xff })
    case EventKind.ConsoleByte:
      return fill(e.reason & 0x100 ? r.consoleIn : r.consoleOut, { n: e.reason & 0xff })
    case EventKind.DiskIo:
      return e.reason === 0 ? r.diskRead : r.diskWrite
    case EventKind.PageWalk:
      return fill((e.reason & 0xf0) === WalkStep.Ept ? r.eptWalk : r.guestWalk, { n: e.reason & 0xf })
    case EventKind.EptFault:
      return `${e.reason} ${exitReasonName(e.reason)}`
    default:
      return String(e.reason)
  }
}

export interface EventField {
  readonly label: string
  readonly value: string
}

/** Every field of an event as the details pane shows it. */
export function describeEvent(
  e: TraceEvent,
  t: T,
  texts: DiagramTexts | null,
  language: string,
): EventField[] {
  const f = t.fields
  const out: EventField[] = [
    { label: f.kind, value: kindName(e.kind, t) },
    { label: f.reason, value: reasonText(e, t, language, texts?.arch ?? null) },
    { label: f.cycle, value: formatNumber(e.cycle, language) },
    { label: f.seq, value: formatNumber(e.seq, language) },
    { label: f.vm, value: e.vm === 0xff ? t.none : String(e.vm) },
  ]
  if (e.kind === EventKind.RingChange || e.kind === EventKind.Hop) {
    const label = (c: number) => (c === 0xff ? 'hw' : contextLabel(decodeContext(c)))
    const rows = texts?.msgs.rows
    const show = (c: number) => rows?.[label(c) as keyof typeof rows] ?? label(c)
    out.push({ label: f.context, value: `${show(e.fromCtx)} → ${show(e.toCtx)}` })
  }
  const component = (i: number) => {
    const c = texts?.topology.components[i]
    return c === undefined || texts === null ? String(i) : texts.componentFullName(c)
  }
  if (e.from !== NO_COMPONENT) out.push({ label: f.from, value: component(e.from) })
  if (e.to !== NO_COMPONENT && e.to !== e.from) out.push({ label: f.to, value: component(e.to) })
  if (e.cost > 0) out.push({ label: f.cost, value: fill(t.cycles, { n: formatNumber(e.cost, language) }) })
  const names = ARGS[e.kind] ?? []
  const values = [e.arg0, e.arg1, e.arg2]
  names.forEach((n, i) => out.push({ label: t.args[n], value: hex32(values[i]!) }))
  if (e.flow !== 0) out.push({ label: f.flow, value: `#${e.flow}` })
  return out
}
