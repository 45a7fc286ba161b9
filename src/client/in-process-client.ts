import { EngineHost } from '../worker/engine-host'
import { DirectOutlet } from '../worker/event-pump'
import { toErrorInfo, type CommandName } from '../worker/protocol'
import { ClientBase } from './client-base'

/**
 * {@link EngineClient} that runs the engine host on the calling thread: the same command handlers as
 * the worker, with events handed over by a direct call. For component tests and headless tools.
 * Arguments still go through the protocol's parsers, so invalid calls fail as they would in a worker.
 */
export class InProcessClient extends ClientBase {
  private host: EngineHost | null = null

  constructor(private readonly batchRecords = 4096) {
    super()
  }

  protected start(): void {
    const host = new EngineHost({
      outlet: new DirectOutlet((view, start, count) => this.dispatch(view, start, count)),
      batchRecords: this.batchRecords,
      isolated: globalThis.crossOriginIsolated === true,
      yieldToEventLoop: () => new Promise((resolve) => setTimeout(resolve, 0)),
      crash: (error) => setTimeout(() => this.host === host && this.fail(toErrorInfo(error)), 0),
      notify: (notice) => this.host === host && this.notice(notice),
    })
    this.host = host
  }

  protected stop(): void {
    this.host?.dispose()
    this.host = null
  }

  protected send(id: number, cmd: CommandName, args: unknown): void {
    const host = this.host
    if (host === null) return
    host.callUntrusted(cmd, args).then(
      (value) => this.host === host && this.settle(id, true, value),
      (err: unknown) => this.host === host && this.settle(id, false, undefined, toErrorInfo(err, cmd)),
    )
  }
}
