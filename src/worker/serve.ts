import { EventRing } from '../engine/trace/transport-ring'
import { assertNever } from '../engine/types'
import { EngineHost } from './engine-host'
import { RingOutlet, TransferOutlet } from './event-pump'
import { parseToWorker, toErrorInfo, type FromWorker } from './protocol'

/** The worker side of a message channel: a DedicatedWorkerGlobalScope, or a MessagePort in tests. */
export interface HostPort {
  postMessage(message: FromWorker, transfer: Transferable[]): void
  onmessage: ((ev: MessageEvent) => unknown) | null
}

export interface ServeOptions {
  readonly isolated: boolean
  readonly crash: (error: Error) => void
  /** Default: {@link messageChannelYield}. */
  readonly yieldToEventLoop?: () => Promise<void>
}

/** A macrotask boundary that is not clamped like nested setTimeout (HTML §8.6 timer nesting). */
export function messageChannelYield(): () => Promise<void> {
  const channel = new MessageChannel()
  const queue: Array<() => void> = []
  channel.port1.onmessage = () => queue.shift()?.()
  return () =>
    new Promise<void>((resolve) => {
      queue.push(resolve)
      channel.port2.postMessage(null)
    })
}

/**
 * Serves the engine protocol on `port`: the first message opens the event transport, then each
 * `call` runs a command and is answered by exactly one `result`. Malformed messages are answered with
 * a `protocol` fatal error rather than thrown, so a bad sender cannot crash the worker.
 */
export function serveEngine(port: HostPort, options: ServeOptions): void {
  const post = (message: FromWorker, transfer: Transferable[] = []) => port.postMessage(message, transfer)
  const yieldToEventLoop = options.yieldToEventLoop ?? messageChannelYield()
  let host: EngineHost | null = null
  let transfer: TransferOutlet | null = null

  port.onmessage = (ev) => {
    let msg
    try {
      msg = parseToWorker(ev.data)
    } catch (err) {
      post({ t: 'fatal', error: { ...toErrorInfo(err), code: 'protocol' } })
      return
    }
    switch (msg.t) {
      case 'open': {
        if (host !== null)
          return post({ t: 'fatal', error: { code: 'protocol', message: 'transport opened twice' } })
        const setup = msg.transport
        let outlet
        try {
          outlet =
            setup.mode === 'transfer'
              ? (transfer = new TransferOutlet(post, setup.maxInFlight))
              : new RingOutlet(new EventRing(setup.ring), post, yieldToEventLoop)
        } catch (err) {
          return post({ t: 'fatal', error: { ...toErrorInfo(err), code: 'protocol' } })
        }
        host = new EngineHost({
          outlet,
          batchRecords: setup.batchRecords,
          isolated: options.isolated,
          yieldToEventLoop,
          crash: options.crash,
          notify: (notice) => post(notice),
        })
        return
      }
      case 'ack':
        host?.recycle(msg.buffer)
        transfer?.acknowledged()
        return
      case 'call': {
        const { id, cmd } = msg
        if (host === null)
          return post({
            t: 'result',
            id,
            ok: false,
            error: { code: 'protocol', message: 'call before open', command: cmd },
          })
        host.callUntrusted(cmd, msg.args).then(
          (value) => post({ t: 'result', id, ok: true, value }),
          (err: unknown) => post({ t: 'result', id, ok: false, error: toErrorInfo(err, cmd) }),
        )
        return
      }
      default:
        assertNever(msg, 'message')
    }
  }
}
