import { Fragment, useEffect, useId, useMemo, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { useShallow } from 'zustand/react/shallow'
import type { ArchId } from '../../engine/hv/architectures'
import type { CpuInspection, SegmentView } from '../../engine/cpu/inspect'
import {
  describeExit,
  listingAround,
  type ExitView,
  type SessionDetail,
  type VmDetail,
  type VmcsFieldView,
} from '../../engine/session/inspection'
import {
  describeEptEntry,
  describeGuestEntry,
  type WalkReferenceView,
  type WalkView,
} from '../../engine/session/page-walk'
import { contextLabel } from '../../engine/privilege'
import type { InspectorMessages } from '../../i18n/locales/inspector.zh-CN'
import { useSession, useSessionStoreApi } from '../../state/context'
import { architectureMessages } from '../diagram/texts'
import { GuestMap, type CodeLocation } from './guest-map'
import { imageFor, ringosTaskHint } from './ringos'
import { fill, hex, hex32, inspectorMessages, parseHexAddress, usesVmx } from './texts'
import './inspector.css'

type M = InspectorMessages['inspector']

/** Loads the running guest's symbol map and tells the engine where its current task is. */
function useGuestMap(): GuestMap | null {
  const store = useSessionStoreApi()
  const guest = useSession((s) => (s.live.session === null ? null : (s.live.config?.guest ?? null)))
  const [loaded, setLoaded] = useState<{ guest: string; map: GuestMap } | null>(null)
  useEffect(() => {
    if (guest === null) return
    let current = true
    store
      .getState()
      .guestMapBytes()
      .then((bytes) => {
        if (!current || bytes === null) return
        const map = GuestMap.parse(bytes)
        setLoaded({ guest, map })
        store.getState().setTaskHint(ringosTaskHint(map))
      })
      .catch(() => undefined)
    return () => {
      current = false
    }
  }, [guest, store])
  return loaded !== null && loaded.guest === guest ? loaded.map : null
}

function Section({
  title,
  open = true,
  children,
  testId,
}: {
  title: string
  open?: boolean
  children: ReactNode
  testId?: string
}) {
  return (
    <details className="rs-in-section" open={open} data-testid={testId}>
      <summary>
        <h3>{title}</h3>
      </summary>
      {children}
    </details>
  )
}

export default function Inspector() {
  const { t, i18n } = useTranslation()
  const msgs = inspectorMessages(i18n.language)
  const m = msgs.inspector
  const arch = useSession((s) => s.live.session?.arch ?? null) as ArchId | null
  const { detail, vm, address } = useSession(
    useShallow((s) => ({ detail: s.inspector.detail, vm: s.inspector.vm, address: s.inspector.address })),
  )
  const map = useGuestMap()
  if (arch === null || detail === null) {
    return (
      <div className="rs-inspector" data-testid="inspector" data-state="empty">
        {arch === null ? (
          <p className="rs-empty" data-testid="empty-inspector">
            {t('panels.inspector.empty')}
          </p>
        ) : (
          <p className="rs-empty">{m.waiting}</p>
        )}
      </div>
    )
  }
  const d = detail.detail
  return (
    <div className="rs-inspector" data-testid="inspector" data-state="ready">
      <VmContexts detail={detail} vm={vm} m={m} language={i18n.language} />
      {d !== null && d.cpu !== null && (
        <>
          <CodeSection d={d} cpu={d.cpu} map={map} m={m} />
          <LastExit d={d} arch={arch} m={m} archName={architectureMessages(i18n.language).names[arch]} />
          <Registers cpu={d.cpu} m={m} />
          <ControlRegisters cpu={d.cpu} m={m} />
          <Segments cpu={d.cpu} m={m} />
          <PageWalk walk={d.walk} address={address} m={m} />
          <Vmcs d={d} m={m} />
        </>
      )}
    </div>
  )
}

function VmContexts({
  detail,
  vm,
  m,
  language,
}: {
  detail: SessionDetail
  vm: number
  m: M
  language: string
}) {
  const store = useSessionStoreApi()
  const rows = architectureMessages(language).rows
  const id = useId()
  return (
    <section className="rs-in-contexts" aria-labelledby={id}>
      <h3 id={id}>{m.contexts}</h3>
      <table className="rs-in-table">
        <tbody>
          {detail.vms.map((v) => {
            const cpuState = v.index === vm ? detail.detail?.cpu?.halted : undefined
            const state =
              v.state !== 'running'
                ? m.vmState[v.state]
                : v.halted || cpuState === 'stopped'
                  ? m.vmState.stopped
                  : v.blocked || cpuState === 'waiting'
                    ? m.vmState.waiting
                    : m.vmState.running
            return (
              <tr
                key={v.index}
                data-testid={`inspector-vm-${v.index}`}
                aria-current={v.index === vm ? 'true' : undefined}
              >
                <th scope="row">
                  {m.vm} {v.index}
                  {detail.current === v.index && ' ●'}
                </th>
                <td>
                  {v.context === null ? (
                    state
                  ) : (
                    <>
                      <span data-testid="inspector-cpl">{fill(m.cpl, { cpl: v.context.cpl })}</span>
                      {' · '}
                      <span data-testid="inspector-vmx">{m.vmxMode[v.context.vmx]}</span>
                      {' · '}
                      {rows[contextLabel(v.context)]}
                      {' · '}
                      {state}
                    </>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {detail.vms.length > 1 && (
        <label className="rs-field">
          <span>{m.showVm}</span>
          <select
            data-testid="inspector-vm"
            value={vm}
            onChange={(e) => store.getState().selectVm(Number(e.target.value))}
          >
            {detail.vms.map((v) => (
              <option key={v.index} value={v.index}>
                {m.vm} {v.index}
              </option>
            ))}
          </select>
        </label>
      )}
      {detail.detail?.task != null && (
        <p data-testid="inspector-task">{fill(m.task, { name: detail.detail.task })}</p>
      )}
    </section>
  )
}

function locationText(loc: CodeLocation, m: M): string {
  const parts = [loc.fn === null ? m.noSymbol : fill(m.inFunction, { fn: loc.fn })]
  if (loc.file !== null && loc.line !== null) parts.push(fill(m.source, { file: loc.file, line: loc.line }))
  return parts.join(' · ')
}

function CodeSection({ d, cpu, map, m }: { d: VmDetail; cpu: CpuInspection; map: GuestMap | null; m: M }) {
  const linearEip = (cpu.segments.cs.base + cpu.eip) >>> 0
  const locate = (a: number) => (map === null ? null : map.locate(imageFor(map, a, d.task), a))
  const here = locate(linearEip)
  const lines = useMemo(
    () => (d.code === null ? [] : listingAround(d.code, linearEip, here?.fnStart ?? null, 4, 6)),
    [d.code, linearEip, here?.fnStart],
  )
  return (
    <Section title={m.code} testId="inspector-code">
      <p className="rs-in-where" data-testid="inspector-location">
        <span className="rs-mono">EIP {hex32(cpu.eip)}</span>
        {here !== null && <> — {locationText(here, m)}</>}
      </p>
      {d.code === null || lines.length === 0 ? (
        <p>{m.codeUnreadable}</p>
      ) : (
        <table className="rs-in-listing" data-testid="inspector-listing">
          <tbody>
            {lines.map((l) => {
              const loc = l.current ? null : locate(l.address)
              return (
                <tr key={l.address} aria-current={l.current ? 'step' : undefined} data-current={l.current}>
                  <td>{l.address.toString(16).padStart(8, '0')}</td>
                  <td className="rs-in-bytes">
                    {Array.from(l.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')}
                  </td>
                  <td>
                    {l.text}
                    {loc?.fn != null && loc.fn !== here?.fn && (
                      <span className="rs-in-sym"> &lt;{loc.fn}&gt;</span>
                    )}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
    </Section>
  )
}

function LastExit({ d, arch, m, archName }: { d: VmDetail; arch: ArchId; m: M; archName: string }) {
  // The stream's last exit of this VM, read at every store change (the stream's at most once per
  // frame); the component renders again only when that exit changed.
  const fromStream = useSession(
    useShallow((s) => {
      const t = s.trace
      const i = d.index
      return {
        reason: t.lastExitReason[i]!,
        qualification: t.lastExitQualification[i]!,
        length: t.lastExitLength[i]!,
        eip: t.lastExitEip[i]!,
      }
    }),
  )
  let exit: ExitView | null = d.vmcs?.lastExit ?? null
  let source = m.fromVmcs
  if (exit === null && d.vmcs === null && fromStream.reason >= 0) {
    exit = describeExit(fromStream.reason, fromStream.qualification, {
      instructionLength: fromStream.length || null,
      guestEip: fromStream.eip,
    })
    source = m.fromStream
  }
  return (
    <Section title={m.lastExit} testId="inspector-exit">
      {exit === null ? (
        <p>{usesVmx(arch) ? m.noExitYet : fill(m.noExitsArch, { arch: archName })}</p>
      ) : (
        <>
          <p className="rs-in-exit" data-testid="inspector-exit-reason" data-reason={exit.basic}>
            <strong>{fill(m.exitReason, { n: exit.basic, name: exit.name })}</strong>
            {exit.entryFailure && ` — ${m.entryFailure}`}
            <span className="rs-in-note"> ({source})</span>
          </p>
          <dl className="rs-in-dl">
            <dt>{m.qualification}</dt>
            <dd className="rs-mono">{hex32(exit.qualification)}</dd>
            {exit.decoded.map(([k, v]) => (
              <Fragment key={k}>
                <dt>{k}</dt>
                <dd className="rs-mono">{typeof v === 'number' ? `${hex(v)} (${v})` : String(v)}</dd>
              </Fragment>
            ))}
            {exit.guestLinear !== null && (
              <>
                <dt>{m.guestLinear}</dt>
                <dd className="rs-mono">{hex32(exit.guestLinear)}</dd>
              </>
            )}
            {exit.guestPhysical !== null && (
              <>
                <dt>{m.guestPhysical}</dt>
                <dd className="rs-mono">{hex32(exit.guestPhysical)}</dd>
              </>
            )}
            {exit.instructionLength !== null && (
              <>
                <dt>{m.instructionLength}</dt>
                <dd className="rs-mono">{exit.instructionLength}</dd>
              </>
            )}
            {exit.guestEip !== null && (
              <>
                <dt>{m.guestEip}</dt>
                <dd className="rs-mono">{hex32(exit.guestEip)}</dd>
              </>
            )}
          </dl>
        </>
      )}
    </Section>
  )
}

const GPRS = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp'] as const
const FLAG_ORDER = [
  'CF',
  'PF',
  'AF',
  'ZF',
  'SF',
  'TF',
  'IF',
  'DF',
  'OF',
  'NT',
  'RF',
  'VM',
  'AC',
  'ID',
] as const

function Registers({ cpu, m }: { cpu: CpuInspection; m: M }) {
  return (
    <Section title={m.registers} testId="inspector-registers">
      <table className="rs-in-table rs-in-regs">
        <thead>
          <tr>
            <th scope="col">{m.register}</th>
            <th scope="col">{m.value}</th>
          </tr>
        </thead>
        <tbody>
          {GPRS.map((r) => (
            <tr key={r}>
              <th scope="row">{r.toUpperCase()}</th>
              <td className="rs-mono" data-testid={`reg-${r}`}>
                {hex32(cpu.regs[r])}
              </td>
            </tr>
          ))}
          <tr>
            <th scope="row">EIP</th>
            <td className="rs-mono" data-testid="reg-eip">
              {hex32(cpu.eip)}
            </td>
          </tr>
          <tr>
            <th scope="row">EFLAGS</th>
            <td className="rs-mono" data-testid="reg-eflags">
              {hex32(cpu.eflags)}
            </td>
          </tr>
        </tbody>
      </table>
      <p className="rs-in-flags" aria-label={m.flags}>
        {FLAG_ORDER.map((f) => (
          <span key={f} className="rs-in-flag" data-set={cpu.flags[f] === true}>
            {f}={cpu.flags[f] === true ? 1 : 0}
          </span>
        ))}
        <span className="rs-in-flag" data-set="true">
          IOPL={String(cpu.flags.IOPL)}
        </span>
      </p>
    </Section>
  )
}

const CR0_BITS: readonly [string, number][] = [
  ['PE', 0],
  ['MP', 1],
  ['EM', 2],
  ['TS', 3],
  ['ET', 4],
  ['NE', 5],
  ['WP', 16],
  ['AM', 18],
  ['NW', 29],
  ['CD', 30],
  ['PG', 31],
]
const CR4_BITS: readonly [string, number][] = [
  ['VME', 0],
  ['PVI', 1],
  ['TSD', 2],
  ['DE', 3],
  ['PSE', 4],
  ['PAE', 5],
  ['MCE', 6],
  ['PGE', 7],
  ['PCE', 8],
  ['OSFXSR', 9],
  ['OSXMMEXCPT', 10],
  ['VMXE', 13],
]

function setBits(v: number, bits: readonly [string, number][]): string {
  const names = bits.filter(([, b]) => ((v >>> b) & 1) === 1).map(([n]) => n)
  return names.length === 0 ? '—' : names.join(' ')
}

function ControlRegisters({ cpu, m }: { cpu: CpuInspection; m: M }) {
  const rows: [string, number, string][] = [
    ['CR0', cpu.cr0, setBits(cpu.cr0, CR0_BITS)],
    ['CR2', cpu.cr2, ''],
    ['CR3', cpu.cr3, ''],
    ['CR4', cpu.cr4, setBits(cpu.cr4, CR4_BITS)],
  ]
  return (
    <Section title={m.control} testId="inspector-control">
      <table className="rs-in-table">
        <tbody>
          {rows.map(([name, v, bits]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td className="rs-mono" data-testid={`reg-${name.toLowerCase()}`}>
                {hex32(v)}
              </td>
              <td className="rs-mono">{bits}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>{m.tables}</h4>
      <table className="rs-in-table">
        <thead>
          <tr>
            <th scope="col" />
            <th scope="col">{m.base}</th>
            <th scope="col">{m.limit}</th>
          </tr>
        </thead>
        <tbody>
          {(
            [
              ['GDTR', cpu.gdtr],
              ['IDTR', cpu.idtr],
            ] as const
          ).map(([name, t]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td className="rs-mono">{hex32(t.base)}</td>
              <td className="rs-mono">{hex(t.limit, 4)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  )
}

/** Descriptor attributes (SDM Vol. 3A §3.4.5): type, S, DPL, P, D/B, G. */
function attributes(s: SegmentView, m: M): string {
  if (!s.usable) return m.unusable
  const a = s.attributes
  const parts = [`type=${a & 0xf}`, a & 0x10 ? 'S' : 'sys', `DPL=${s.dpl}`]
  if (a & 0x80) parts.push('P')
  if (a & 0x4000) parts.push('D/B')
  if (a & 0x8000) parts.push('G')
  return parts.join(' ')
}

function Segments({ cpu, m }: { cpu: CpuInspection; m: M }) {
  const rows: [string, SegmentView][] = [
    ...(Object.entries(cpu.segments) as [string, SegmentView][]),
    ['ldtr', cpu.ldtr],
    ['tr', cpu.tr],
  ]
  return (
    <Section title={m.segments} open={false} testId="inspector-segments">
      <table className="rs-in-table">
        <thead>
          <tr>
            <th scope="col" />
            <th scope="col">{m.selector}</th>
            <th scope="col">{m.base}</th>
            <th scope="col">{m.limit}</th>
            <th scope="col">{m.attributes}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, s]) => (
            <tr key={name}>
              <th scope="row">{name.toUpperCase()}</th>
              <td className="rs-mono">{hex(s.selector, 4)}</td>
              <td className="rs-mono">{hex32(s.base)}</td>
              <td className="rs-mono">{hex32(s.limit)}</td>
              <td className="rs-mono">{attributes(s, m)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  )
}

function levelName(r: WalkReferenceView, m: M): string {
  const key = `${r.stage}${r.level}` as keyof M['levels']
  return m.levels[key] ?? `${r.stage} ${r.level}`
}

function EntryCell({ r, index, m, pse }: { r: WalkReferenceView; index: number; m: M; pse: boolean }) {
  const described =
    r.entry === null
      ? null
      : r.stage === 'guest'
        ? describeGuestEntry(r.level, r.entry, pse)
        : describeEptEntry(r.level, r.entry)
  return (
    <li className="rs-in-ref" data-stage={r.stage} data-testid="walk-ref">
      <strong>
        {index + 1}. {levelName(r, m)}
      </strong>
      <span className="rs-mono">
        {m.readAt} {hex32(r.address)}
        {r.stage === 'guest' && r.guestPhys !== null && ` (GPA ${hex32(r.guestPhys)})`}
      </span>
      {r.stage === 'ept' && r.guestPhys !== null && (
        <span className="rs-mono">
          {m.translating} {hex32(r.guestPhys)}
        </span>
      )}
      {described === null ? (
        <span>{m.noRam}</span>
      ) : (
        <>
          <span className="rs-mono">
            {m.entry} {hex32(r.entry!)} · {fill(m.frame, { frame: hex32(described.frame) })}
          </span>
          <span className="rs-mono rs-in-bits">
            {described.bits.map((b) => `${b.name}=${b.set ? 1 : 0}`).join(' ')}
          </span>
        </>
      )}
    </li>
  )
}

/** The references grouped by the address they serve: each guest entry after the EPT walk of its GPA; the final GPA's EPT walk last. */
function walkRows(refs: readonly WalkReferenceView[]): { refs: WalkReferenceView[]; start: number }[] {
  const rows: { refs: WalkReferenceView[]; start: number }[] = []
  let row: WalkReferenceView[] = []
  let start = 0
  refs.forEach((r, i) => {
    row.push(r)
    if (r.stage === 'guest') {
      rows.push({ refs: row, start })
      row = []
      start = i + 1
    }
  })
  if (row.length > 0) rows.push({ refs: row, start })
  return rows
}

function WalkResult({ walk, m }: { walk: WalkView; m: M }) {
  const pse = (walk.cr4 & 0x10) !== 0
  const outcome =
    walk.outcome === 'ok'
      ? walk.dimensions === '2d'
        ? fill(m.outcome.okHost, {
            linear: hex32(walk.linear),
            physical: hex32(walk.physical!),
            host: hex32(walk.hostPhys!),
          })
        : fill(m.outcome.ok, { linear: hex32(walk.linear), physical: hex32(walk.physical!) })
      : fill(m.outcome[walk.outcome], { code: hex(walk.code) })
  const rows =
    walk.dimensions === '1d' ? [{ refs: [...walk.references], start: 0 }] : walkRows(walk.references)
  return (
    <div
      className="rs-in-walk"
      data-testid="walk-result"
      data-dimensions={walk.dimensions}
      data-outcome={walk.outcome}
    >
      <p>{m.dimensions[walk.dimensions]}</p>
      {walk.dimensions !== 'none' && (
        <p className="rs-mono">
          CR3 {hex32(walk.cr3)}
          {walk.eptp !== null && ` · EPTP ${hex32(walk.eptp)}`}
        </p>
      )}
      {walk.references.length > 0 && (
        <p className="rs-in-note">{fill(m.references, { n: walk.references.length })}</p>
      )}
      {rows.map((row, i) => (
        <ol key={i} className="rs-in-walk-row" start={row.start + 1}>
          {row.refs.map((r, k) => (
            <EntryCell key={k} r={r} index={row.start + k} m={m} pse={pse} />
          ))}
        </ol>
      ))}
      <p className="rs-in-outcome" data-testid="walk-outcome">
        <strong>{outcome}</strong>
        {walk.pageSize !== null && walk.outcome === 'ok' && (
          <span className="rs-in-note">
            {' '}
            · {fill(m.pageSize, { size: walk.pageSize === 4096 ? '4 KiB' : '4 MiB' })}
          </span>
        )}
      </p>
    </div>
  )
}

function PageWalk({ walk, address, m }: { walk: WalkView | null; address: number | null; m: M }) {
  const store = useSessionStoreApi()
  const [text, setText] = useState(address === null ? '' : hex32(address))
  const [invalid, setInvalid] = useState(false)
  const inputId = useId()
  const errorId = useId()
  const submit = () => {
    const a = parseHexAddress(text)
    setInvalid(a === null)
    if (a !== null) store.getState().pickAddress(a)
  }
  return (
    <Section title={m.walk} testId="inspector-walk">
      <form
        className="rs-in-walk-form"
        onSubmit={(e) => {
          e.preventDefault()
          submit()
        }}
      >
        <label htmlFor={inputId}>{m.walkLabel}</label>
        <input
          id={inputId}
          data-testid="walk-address"
          className="rs-mono"
          value={text}
          inputMode="text"
          autoComplete="off"
          spellCheck={false}
          maxLength={12}
          aria-invalid={invalid}
          aria-describedby={invalid ? errorId : undefined}
          onChange={(e) => {
            setText(e.target.value)
            setInvalid(false)
          }}
        />
        <button type="submit" data-testid="walk-go">
          {m.walkShow}
        </button>
        {address !== null && (
          <button
            type="button"
            onClick={() => {
              setText('')
              store.getState().pickAddress(null)
            }}
          >
            {m.walkClear}
          </button>
        )}
      </form>
      <p id={errorId} role="alert" className="rs-in-error" data-testid="walk-error">
        {invalid ? m.walkInvalid : ''}
      </p>
      {address === null ? (
        <p className="rs-in-note">{m.walkHint}</p>
      ) : walk === null ? (
        <p>{m.walkUnavailable}</p>
      ) : (
        <WalkResult walk={walk} m={m} />
      )}
    </Section>
  )
}

/** The fields a student needs to follow an exit: exit information, the guest's state, the controls that decide exits, EPT. */
const KEY_FIELDS: ReadonlySet<string> = new Set([
  'VM_EXIT_REASON',
  'EXIT_QUALIFICATION',
  'GUEST_LINEAR_ADDRESS',
  'GUEST_PHYSICAL_ADDRESS',
  'VM_EXIT_INSTRUCTION_LEN',
  'VM_EXIT_INTR_INFO',
  'IDT_VECTORING_INFO_FIELD',
  'VM_ENTRY_INTR_INFO_FIELD',
  'GUEST_RIP',
  'GUEST_RSP',
  'GUEST_RFLAGS',
  'GUEST_CR0',
  'GUEST_CR3',
  'GUEST_CR4',
  'GUEST_CS_SELECTOR',
  'PIN_BASED_VM_EXEC_CONTROL',
  'CPU_BASED_VM_EXEC_CONTROL',
  'SECONDARY_VM_EXEC_CONTROL',
  'EXCEPTION_BITMAP',
  'CR0_GUEST_HOST_MASK',
  'CR0_READ_SHADOW',
  'EPT_POINTER',
  'HOST_RIP',
  'HOST_CR3',
])

function fieldValue(f: VmcsFieldView): string {
  return f.bits === 64 && f.high !== 0
    ? `0x${f.high.toString(16).padStart(8, '0')}${f.value.toString(16).padStart(8, '0')}`
    : f.bits === 16
      ? hex(f.value, 4)
      : hex32(f.value)
}

function FieldTable({ fields, m }: { fields: readonly VmcsFieldView[]; m: M }) {
  return (
    <table className="rs-in-table rs-in-fields">
      <tbody>
        {fields.map((f) => (
          <tr key={f.encoding} data-testid={`vmcs-${f.name}`}>
            <th scope="row" className="rs-mono">
              {f.name}
            </th>
            <td className="rs-mono">{fieldValue(f)}</td>
            <td className="rs-in-note">{m.areas[f.area]}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function Vmcs({ d, m }: { d: VmDetail; m: M }) {
  const v = d.vmcs
  // The full table is built only while it is open.
  const [all, setAll] = useState(false)
  return (
    <Section title={m.vmcs} open={v !== null} testId="inspector-vmcs">
      {v === null ? (
        <p className="rs-in-note">{m.vmcsAbsent}</p>
      ) : (
        <>
          <dl className="rs-in-dl">
            <dt>{m.launched}</dt>
            <dd>{v.launched ? m.launchedYes : m.launchedNo}</dd>
            <dt>{m.eptp}</dt>
            <dd className="rs-mono">{v.eptEnabled ? hex32(v.eptp) : '—'}</dd>
          </dl>
          <FieldTable fields={v.fields.filter((f) => KEY_FIELDS.has(f.name))} m={m} />
          <details onToggle={(e) => setAll(e.currentTarget.open)}>
            <summary>{fill(m.allFields, { n: v.fields.length })}</summary>
            {all && <FieldTable fields={v.fields} m={m} />}
          </details>
        </>
      )}
    </Section>
  )
}
