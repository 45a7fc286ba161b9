import { useEffect, useSyncExternalStore } from 'react'
import { useTranslation } from 'react-i18next'
import { useShallow } from 'zustand/react/shallow'
import { selectDiagram, selectLive } from '../../state/app-store'
import { useApp, useSession, useSessionStoreApi } from '../../state/context'
import { defaultGuest } from '../../state/slices/guest-platforms'
import type { SessionState, SessionStore } from '../../state/session-store'
import { architectureMessages, fill } from '../diagram/texts'
import { flowLabel } from './flow-labels'
import { DIAGRAM_SPEED, LiveDiagramFeed, type FrameClock, type ShownFlow } from './live-diagram'

const feeds = new WeakMap<SessionStore, LiveDiagramFeed>()

const frameClock: FrameClock = {
  now: () => performance.now(),
  request: (cb) => requestAnimationFrame(cb),
  cancel: (h) => cancelAnimationFrame(h),
}

/** One feed per session store, made on first use; it paces the store's slow motion. */
function feedOf(store: SessionStore): LiveDiagramFeed {
  let feed = feeds.get(store)
  if (feed === undefined) {
    const made = new LiveDiagramFeed(store.client, frameClock)
    feeds.set(store, made)
    store.getState().setFlowPacer(made.shownAll)
    // At once, not in an effect: the first events of a new session may follow in the same task.
    const follow = (s: SessionState) =>
      made.setSession(
        s.live.session === null ? null : { arch: s.live.session.arch, vms: s.live.session.vms.length },
      )
    follow(store.getState())
    store.subscribe((s, prev) => {
      if (s.live.session !== prev.live.session || s.live.status?.epoch !== prev.live.status?.epoch) follow(s)
    })
    feed = made
  }
  return feed
}

/** The diagram feed of the nearest session store. */
export function useLiveFeed(): LiveDiagramFeed {
  return feedOf(useSessionStoreApi())
}

/** The flow the caption tells, hop by hop. */
export function useShownFlow(): ShownFlow | null {
  const feed = useLiveFeed()
  return useSyncExternalStore(
    (notify) => feed.subscribe(notify),
    () => feed.current(),
  )
}

const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)')

/**
 * Keeps the live session in step with the user's choices: a session for the diagram's architecture and
 * VM count with the chosen guest, the chosen speed and pause (for the engine and the diagram), and the
 * diagram fed with the session's events in the user's language.
 */
export function useLiveSync(): void {
  const store = useSessionStoreApi()
  const feed = useLiveFeed()
  const { arch, vms } = useApp(useShallow(selectDiagram))
  const { guest, speed } = useApp(
    useShallow((s) => ({
      guest: selectLive(s).guests[arch] ?? defaultGuest(arch),
      speed: selectLive(s).speed,
    })),
  )
  const held = useSession((s) => s.live.held)
  const { i18n } = useTranslation()

  useEffect(() => {
    void store.getState().openSession({ arch, vms, guest })
  }, [store, arch, vms, guest])

  useEffect(() => feed.setPaused(held), [feed, held])

  useEffect(() => {
    void store.getState().setSpeed(speed)
    feed.setSpeed(DIAGRAM_SPEED[speed])
  }, [store, feed, speed])

  useEffect(() => {
    const flowKinds = architectureMessages(i18n.language).diagram.flowKinds as Readonly<
      Record<string, string | undefined>
    >
    feed.setLabel((kind, detail, hypercall) =>
      flowLabel((k, d) => fill(flowKinds[k] ?? k, { detail: d }), { kind, detail, hypercall }, arch),
    )
  }, [feed, i18n.language, arch])

  useEffect(() => {
    const q = reducedMotion()
    const apply = () => feed.setReducedMotion(q.matches)
    apply()
    q.addEventListener('change', apply)
    return () => q.removeEventListener('change', apply)
  }, [feed])
}
