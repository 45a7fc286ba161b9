import { useTranslation } from 'react-i18next'
import type { RunSpeedId } from '../../state/slices/run-speed'
import { DiagramTexts, architectureMessages } from '../diagram/texts'
import { isArchId } from '../../engine/hv/architectures'
import { useShownFlow } from './live-feed'

/**
 * One line telling the current flow hop by hop in the user's language: what started it, the
 * components it passes through (the hop on show marked), and its cost. Without motion it says the same.
 */
export function FlowCaption({ speed }: { speed: RunSpeedId }) {
  const { t, i18n } = useTranslation()
  const shown = useShownFlow()
  if (speed === 'full')
    return (
      <p className="rs-live-caption" data-testid="live-caption" data-heat="true">
        {t('live.heatCaption')}
      </p>
    )
  if (shown === null || !isArchId(shown.topology.arch))
    return (
      <p className="rs-live-caption" data-testid="live-caption">
        {t('live.noCaption')}
      </p>
    )
  const texts = new DiagramTexts(architectureMessages(i18n.language), shown.topology.arch, shown.topology)
  const { flow, hop } = shown
  const comps = shown.topology.components
  const cost = flow.hops.reduce((a, h) => a + (h.cost ?? 0), 0)
  return (
    <p
      className="rs-live-caption"
      data-testid="live-caption"
      data-kind={flow.kind}
      data-hop={hop}
      data-flow={shown.serial}
      data-label={flow.label}
      data-path={[comps[flow.hops[0].from], ...flow.hops.map((h) => comps[h.to])].map((c) => c.id).join(' ')}
      aria-live={speed === 'flow' ? 'polite' : undefined}
    >
      <strong>{flow.label}</strong>
      {': '}
      <span className="rs-live-hop">{texts.componentFullName(comps[flow.hops[0].from])}</span>
      {flow.hops.map((h, i) => (
        <span key={i}>
          {' '}
          <span className="rs-live-cause">—{texts.cause(h.cause)}→</span>{' '}
          <span className="rs-live-hop" aria-current={i === hop ? 'step' : undefined}>
            {texts.componentFullName(comps[h.to])}
          </span>
        </span>
      ))}
      {' · '}
      {t('live.totalCost', { cycles: texts.cycles(cost, i18n.language) })}
    </p>
  )
}
