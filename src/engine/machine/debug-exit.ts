/**
 * QEMU's isa-debug-exit device (hw/misc/debugexit.c): a write of value v to its port ends the run with
 * exit status (v << 1) | 1, so a guest can report success or failure to a test harness (an exit code
 * is always odd, which tells it apart from QEMU's own exit 0). Configured here as on the QEMU command
 * line `-device isa-debug-exit,iobase=0x501,iosize=2`.
 */

import type { StateReader, StateWriter, Snapshottable } from '../snapshot'
import { EventKind } from '../trace/schema'
import type { EventSink } from '../trace/sink'
import type { AccessSize, PortDevice } from './bus'

/** Ports the device decodes from its base (iosize). */
export const DEBUG_EXIT_IOSIZE = 2

export class DebugExit implements PortDevice, Snapshottable {
  readonly name = 'isa-debug-exit'
  /** Called when the guest requests a stop. */
  onExit: ((code: number) => void) | null = null
  /** The exit code of the last stop request, or null if the guest has not asked to stop. */
  exitCode: number | null = null

  constructor(private readonly sink: EventSink | null) {}

  /** The device has no readable registers: the bus floats [R]. */
  portIn(_port: number, size: AccessSize): number {
    return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff
  }

  portOut(_port: number, size: AccessSize, value: number): void {
    const v = size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff)
    const code = ((v << 1) | 1) >>> 0
    this.exitCode = code
    this.sink?.emit(EventKind.DebugExit, 0, v, code)
    this.onExit?.(code)
  }

  saveState(w: StateWriter): void {
    w.section('debug-exit')
    w.f64(this.exitCode ?? -1)
  }

  loadState(r: StateReader): void {
    r.section('debug-exit')
    const c = r.f64()
    this.exitCode = c < 0 ? null : c
  }
}
