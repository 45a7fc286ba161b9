/// <reference lib="webworker" />
import { toErrorInfo } from './protocol'
import { serveEngine } from './serve'

declare const self: DedicatedWorkerGlobalScope

serveEngine(self, {
  isolated: self.crossOriginIsolated,
  // Thrown from a task of its own: an uncaught error that reaches the Worker's `error` event.
  crash: (error) =>
    setTimeout(() => {
      throw error
    }, 0),
})

// A rejected promise nobody awaited is an engine bug outside any command: report it as fatal.
self.addEventListener('unhandledrejection', (ev) => {
  self.postMessage({ t: 'fatal', error: toErrorInfo(ev.reason) })
})
