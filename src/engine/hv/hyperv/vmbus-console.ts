/**
 * The console VSP: the root-side end of ringos's VMBus console channel [R] (Windows has no VMBus
 * console; this is Ringside's own device, docs/hyperv-abi.md §6 "The console channel"). Both
 * directions carry VM_PKT_DATA_INBAND packets holding {u32 byte count, u32 reserved, bytes}: the
 * guest's writes go to `onOutput` — each whole packet at once, as one console write — and keystrokes
 * wait in a bounded queue until the guest's inbound ring has room for them. Nothing typed is dropped
 * below the queue's bound (machine/console-input.ts).
 */
import { ConsoleInput } from '../../machine/console-input'
import type { StateReader, StateWriter } from '../../snapshot'
import { guidBytes, type VmbusChannel, type VmbusServiceProvider } from './vmbus'
import { VmbusPacketType, packetFootprint, type RingPacket } from './vmbus-ring'

/** Ringside's console interface and instance GUIDs [R]. */
export const CONSOLE_TYPE_GUID = '5249474e-0001-4e43-8e4f-52494e47534f'
export const CONSOLE_INSTANCE_GUID = '5249474e-1001-4e43-8e4f-52494e47534f'
/** Keystrokes per packet to the guest [R]. */
export const CONSOLE_INPUT_PACKET_MAX = 256
/** The {u32 count, u32 reserved} in front of the bytes. */
const TEXT_HEADER = 8

export class VmbusConsole implements VmbusServiceProvider {
  readonly device = 'console'
  readonly typeGuid = guidBytes(CONSOLE_TYPE_GUID)
  readonly instanceGuid = guidBytes(CONSOLE_INSTANCE_GUID)
  /** Keystrokes not yet in the guest's ring. */
  readonly input = new ConsoleInput()
  /** Receives each console write of the guest. */
  onOutput: ((bytes: Uint8Array) => void) | null = null

  userData(): Uint8Array {
    return new Uint8Array(120)
  }

  /** Queues keystrokes and, if the channel is open, moves what fits into the guest's ring. */
  queueInput(bytes: Uint8Array, ch: VmbusChannel | undefined): void {
    this.input.push(bytes, () => {})
    if (ch) this.deliverInput(ch)
  }

  service(ch: VmbusChannel): void {
    ch.drain((p) => {
      this.output(ch, p)
      return true
    })
    this.deliverInput(ch)
  }

  private output(ch: VmbusChannel, p: RingPacket): void {
    const at = p.offset8 * 8
    const v = new DataView(p.bytes.buffer)
    const count = at + TEXT_HEADER <= p.bytes.length ? v.getUint32(at, true) : -1
    if (p.type !== VmbusPacketType.dataInband || count < 0 || count > p.bytes.length - at - TEXT_HEADER) {
      ch.notify({
        kind: 'packet-ignored',
        relid: ch.relid,
        device: 'console',
        reason: 'not a console text packet',
      })
      return
    }
    const bytes = p.bytes.slice(at + TEXT_HEADER, at + TEXT_HEADER + count)
    ch.notify({ kind: 'console-output', relid: ch.relid, bytes: count })
    if (count > 0) this.onOutput?.(bytes)
  }

  /**
   * Writes queued keystrokes into the guest's inbound ring, one packet per 256 bytes, while they fit;
   * what does not fit sets pending_send_sz, so the guest signals once it has read enough.
   */
  private deliverInput(ch: VmbusChannel): void {
    ch.send((ring) => {
      while (this.input.length > 0) {
        const n = Math.min(this.input.length, CONSOLE_INPUT_PACKET_MAX)
        const need = packetFootprint(TEXT_HEADER + n)
        const free = ring.free()
        if (free === null || free <= need) {
          ring.pendingSendSize = need + 1
          return
        }
        const data = new Uint8Array(TEXT_HEADER + n)
        new DataView(data.buffer).setUint32(0, n, true)
        data.set(this.input.take(n), TEXT_HEADER)
        ring.write(VmbusPacketType.dataInband, 0, 0, 0, data)
        ch.notify({ kind: 'console-input', relid: ch.relid, bytes: n })
      }
      if (ring.pendingSendSize !== 0) ring.pendingSendSize = 0
    })
  }

  saveState(w: StateWriter): void {
    this.input.saveState(w)
  }

  loadState(r: StateReader): void {
    this.input.loadState(r)
  }
}
