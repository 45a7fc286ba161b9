import { useEffect, useRef } from 'react'
import { SOURCES, type SourceId } from '../../engine/hv/sources'
import type { DiagramItem } from './draw'
import type { DiagramTexts } from './texts'

/** What the details pane can show: a component, an edge, or the architecture as a whole. */
export type DetailsSubject = DiagramItem | { readonly type: 'architecture' }

/**
 * Name, what it is and why control reaches it (for an edge: what travels along it and why), with the
 * sources, for the tooltip and the details pane.
 */
export function describeItem(item: DetailsSubject, texts: DiagramTexts) {
  const t = texts.topology
  if (item.type === 'architecture')
    return {
      name: texts.archName,
      what: texts.msgs.summaries[texts.arch],
      why: null,
      row: null,
      domain: null,
      management: null,
      sources: [],
    }
  if (item.type === 'component') {
    const c = t.components[item.index]
    const domain = t.domains.find((d) => d.id === c.domain)
    return {
      name: texts.componentFullName(c),
      what: texts.componentWhat(c),
      why: texts.componentWhy(c),
      row: [texts.row(c.row), texts.rowNote(c.row)].filter((x) => x !== null).join(' — '),
      domain: domain === undefined ? '' : texts.domain(domain),
      management: c.management ? texts.managementMark() : null,
      sources: c.sources,
    }
  }
  // An edge says what travels along it and why, with its own sources; the kind's generic sentence and
  // the endpoints' sources stand in only for an edge without a text (architectures.test.ts keeps the
  // shipped topologies free of those).
  const e = t.edges[item.index]
  const from = t.components[e.from]
  const to = t.components[e.to]
  const own = texts.edgeText(from, to)
  return {
    name: texts.edgeName(e.kind, from, to),
    what: own?.text ?? texts.edgeWhat(e.kind, from, to),
    why: null,
    row: `${texts.row(from.row)} → ${texts.row(to.row)}`,
    domain: null,
    management: null,
    sources: own?.sources ?? [...new Set<SourceId>([...from.sources, ...to.sources])],
  }
}

/** The details pane of one component or edge. Escape or the close button closes it. */
export function DiagramDetails({
  item,
  texts,
  onClose,
}: {
  item: DetailsSubject
  texts: DiagramTexts
  onClose: () => void
}) {
  const heading = useRef<HTMLHeadingElement>(null)
  const d = describeItem(item, texts)
  const m = texts.msgs.diagram
  useEffect(() => heading.current?.focus(), [item])
  return (
    <section
      className="rs-dg-details"
      data-testid="diagram-details"
      aria-labelledby="rs-dg-details-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault()
          onClose()
        }
      }}
    >
      <div className="rs-dg-details-head">
        <h3 id="rs-dg-details-title" ref={heading} tabIndex={-1}>
          {d.name}
        </h3>
        <button type="button" data-testid="diagram-details-close" onClick={onClose}>
          {m.close}
        </button>
      </div>
      {d.management !== null && <p>{d.management}</p>}
      {item.type !== 'architecture' && <h4>{item.type === 'component' ? m.what : m.whyEdge}</h4>}
      <p>{d.what}</p>
      {d.why !== null && (
        <>
          <h4>{m.why}</h4>
          <p data-testid="diagram-details-why">{d.why}</p>
        </>
      )}
      {d.row !== null && (
        <>
          <h4>{m.row}</h4>
          <p>{d.row}</p>
        </>
      )}
      {d.domain !== null && (
        <>
          <h4>{m.domain}</h4>
          <p>{d.domain}</p>
        </>
      )}
      {d.sources.length > 0 && (
        <>
          <h4>{m.sources}</h4>
          <ul>
            {d.sources.map((s) => (
              <li key={s}>
                {SOURCES[s].title} <span className="rs-dg-note">({SOURCES[s].ref})</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}
