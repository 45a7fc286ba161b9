import { createContext, useContext, type ReactNode } from 'react'
import { useStore } from 'zustand'
import type { AppState, AppStore } from './app-store'
import type { SessionState, SessionStore } from './session-store'

const AppContext = createContext<AppStore | null>(null)
const SessionContext = createContext<SessionStore | null>(null)

export function AppStoreProvider({ store, children }: { store: AppStore; children: ReactNode }) {
  return <AppContext.Provider value={store}>{children}</AppContext.Provider>
}

/** Provides one session's store; a comparison view nests two of these side by side. */
export function SessionProvider({ store, children }: { store: SessionStore; children: ReactNode }) {
  return <SessionContext.Provider value={store}>{children}</SessionContext.Provider>
}

export function useAppStoreApi(): AppStore {
  const store = useContext(AppContext)
  if (store === null) throw new Error('useAppStoreApi outside AppStoreProvider')
  return store
}

export function useSessionStoreApi(): SessionStore {
  const store = useContext(SessionContext)
  if (store === null) throw new Error('useSessionStoreApi outside SessionProvider')
  return store
}

/** Selects from the app store; wrap object-returning selectors in `useShallow`. */
export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(useAppStoreApi(), selector)
}

/** Selects from the nearest session store; wrap object-returning selectors in `useShallow`. */
export function useSession<T>(selector: (s: SessionState) => T): T {
  return useStore(useSessionStoreApi(), selector)
}
