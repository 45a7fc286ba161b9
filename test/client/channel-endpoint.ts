import type { WorkerEndpoint } from '../../src/client/worker-client'
import { serveEngine, type HostPort } from '../../src/worker/serve'

/**
 * A "worker" on a MessageChannel in this thread: the real protocol, structured cloning, ArrayBuffer
 * transfer and SharedArrayBuffer sharing, without a browser. A diagnostic crash closes the channel
 * and reports an error, as a dying Worker does.
 */
export function channelEndpoint(): WorkerEndpoint {
  const { port1, port2 } = new MessageChannel()
  let onError: (message: string) => void = () => {}
  const terminate = () => {
    port1.close()
    port2.close()
  }
  serveEngine(port2 as unknown as HostPort, {
    isolated: true,
    // Node runs up to 1000 queued messages of one port per turn, so a yield by message would starve
    // the other port; a browser runs each message as its own task. setImmediate restores fairness.
    yieldToEventLoop: () => new Promise((resolve) => setImmediate(resolve)),
    crash: (error) =>
      setTimeout(() => {
        terminate()
        onError(error.message)
      }, 0),
  })
  return {
    post: (message, transfer) => port1.postMessage(message, transfer),
    listen(message, error) {
      port1.onmessage = (ev) => message(ev.data)
      onError = error
    },
    terminate,
  }
}
