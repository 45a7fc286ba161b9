import type { StoreApi } from 'zustand/vanilla'
import type { Disposable, EngineClient } from '../../client/engine-client'
import type { GuestLibrary } from '../../client/guest-images'
import type { EventCounter } from '../event-counter'
import type { SessionState } from '../session-store'

/** What every slice of a session store may use besides the store itself. */
export interface SessionDeps {
  readonly client: EngineClient
  /** Counts the event stream as it arrives. */
  readonly counter: EventCounter
  /** Milliseconds (performance.now in the browser). */
  readonly now: () => number
  /** Shows a failure in the engine slice; a command cut short by a restart is not one. */
  readonly report: (err: unknown) => void
  /** Where guest images come from (null: sessions cannot be created). */
  readonly guests: GuestLibrary | null
  /** Disposed with the store (a slice's listeners on the client). */
  readonly track: (d: Disposable) => void
  /** The store's own subscribe (a slice reacting to other slices' changes); returns the unsubscribe as a Disposable. */
  readonly subscribe: (listener: (state: SessionState, previous: SessionState) => void) => Disposable
}

/**
 * A slice: part of the session state and the actions on it (zustand's slices pattern). The store is
 * the union of its slices; each slice file owns one concern.
 */
export type SessionSlice<T> = (
  set: StoreApi<SessionState>['setState'],
  get: StoreApi<SessionState>['getState'],
  deps: SessionDeps,
) => T
