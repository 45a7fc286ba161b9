import { selectLive } from '../../state/app-store'
import { RUN_SPEEDS } from '../../state/slices/run-speed'
import type { Action, ActionContext } from '../actions/registry'

/** The speed is a setting; the live view passes it on to the session (useLiveSync). */
function changeSpeed({ app }: ActionContext, by: 1 | -1): void {
  const i = RUN_SPEEDS.findIndex((s) => s.id === selectLive(app.getState()).speed)
  app.getState().setLive({ speed: RUN_SPEEDS[Math.min(RUN_SPEEDS.length - 1, Math.max(0, i + by))].id })
}

/** The live view's actions: run, pause, step, restart, speed and scenarios (toolbar, keys, tests). */
export const LIVE_ACTIONS: readonly Action[] = [
  {
    id: 'live.run',
    label: 'actions.liveRun',
    keys: ['Alt+Shift+G'],
    perform: ({ session }) => session.getState().run(),
  },
  {
    id: 'live.pause',
    label: 'actions.livePause',
    keys: ['Alt+Shift+P'],
    perform: ({ session }) => session.getState().pause(),
  },
  {
    id: 'live.step',
    label: 'actions.liveStep',
    keys: ['Alt+Shift+S'],
    perform: ({ app, session }) => session.getState().step(selectLive(app.getState()).stepUnit),
  },
  {
    id: 'live.reset',
    label: 'actions.liveReset',
    keys: ['Alt+Shift+B'],
    perform: ({ session }) => session.getState().resetSession(),
  },
  {
    id: 'live.faster',
    label: 'actions.liveFaster',
    keys: ['Alt+Shift+ArrowUp'],
    perform: (ctx) => changeSpeed(ctx, 1),
  },
  {
    id: 'live.slower',
    label: 'actions.liveSlower',
    keys: ['Alt+Shift+ArrowDown'],
    perform: (ctx) => changeSpeed(ctx, -1),
  },
  {
    id: 'live.scenario',
    label: 'actions.liveScenario',
    keys: ['Alt+Shift+Enter'],
    perform: ({ app, session }) => session.getState().runScenario(selectLive(app.getState()).scenario),
  },
]
