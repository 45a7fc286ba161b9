import type { ReactNode } from 'react'
import type { RegionId } from '../actions/registry'

/** A workspace region: a labelled section whose body is the focus target of the `focus.<region>` action. */
export function Panel({ region, title, children }: { region: RegionId; title: string; children: ReactNode }) {
  return (
    <section className="rs-panel" aria-labelledby={`region-${region}-title`} data-testid={`panel-${region}`}>
      <h2 id={`region-${region}-title`}>{title}</h2>
      <div id={`region-${region}`} className="rs-panel-body" tabIndex={0}>
        {children}
      </div>
    </section>
  )
}

export function EmptyState({ region, children }: { region: RegionId; children: ReactNode }) {
  return (
    <p className="rs-empty" data-testid={`empty-${region}`}>
      {children}
    </p>
  )
}
