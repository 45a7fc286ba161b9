/**
 * Hyper-V time (TLFS timers.md): the partition reference counter (HV_X64_MSR_TIME_REF_COUNT, 100 ns
 * units from 0 at partition creation) and the four synthetic timers of a virtual processor
 * (HV_X64_MSR_STIMERx_CONFIG / _COUNT). A timer expires either by asserting an APIC vector (direct
 * mode, CPUID 0x40000003 EDX bit 19) or by sending an HvMessageTimerExpired message to a SINT.
 *
 * Time is Ringside's virtual time: the model passes the cycle count and the timers say, through
 * {@link SyntheticTimers.nextDeadline}, at which cycle they must be advanced next. docs/hyperv-abi.md §5.
 */
import { CPU_HZ } from '../../machine/clock'
import type { StateReader, StateWriter } from '../../snapshot'
import { FIRST_VALID_VECTOR, HvMessageType, type PostResult, type SynicMessage } from './synic'

/** The reference counter's rate: 100 ns units (TLFS timers.md "Reference Counter"). */
export const REF_COUNTS_PER_SECOND = 10_000_000
/** Virtual CPU cycles per reference count (100 at Ringside's 1 GHz). */
export const CYCLES_PER_REF_COUNT = CPU_HZ / REF_COUNTS_PER_SECOND

/** The partition reference counter: reference time ↔ virtual cycles, counting from the partition's creation. */
export class ReferenceClock {
  /** `origin`: the cycle at which the partition was created (its reference time 0). */
  constructor(public origin: number) {}
  /** The counter at cycle `now`. */
  at(now: number): number {
    return Math.max(0, Math.floor((now - this.origin) / CYCLES_PER_REF_COUNT))
  }
  /** The first cycle at which the counter reads `ref`. */
  cycleOf(ref: number): number {
    return this.origin + ref * CYCLES_PER_REF_COUNT
  }
}

export const STIMER_COUNT = 4
/** HV_X64_MSR_STIMERx_CONFIG bits (TLFS timers.md "Synthetic Timer Configuration Register"). */
export const StimerConfig = {
  enable: 1 << 0,
  periodic: 1 << 1,
  lazy: 1 << 2,
  autoEnable: 1 << 3,
  /** Bits 11:4: the APIC vector of a direct-mode timer. */
  vectorShift: 4,
  directMode: 1 << 12,
  /** Bits 19:16: the SINT a message-mode timer sends to. */
  sintShift: 16,
} as const
const CONFIG_BITS = 0x000f1fff

/** A direct-mode timer expired: inject `vector` (no APIC: nothing to EOI [R]). */
export interface TimerNotice {
  readonly kind: 'interrupt'
  readonly cause: 'stimer'
  readonly timer: number
  readonly vector: number
}

interface Timer {
  config: number
  countLo: number
  countHi: number
  /** Reference time of the next expiry, or Infinity when the timer is not running. */
  expiry: number
}

function countOf(t: Timer): number {
  return t.countHi * 0x1_0000_0000 + t.countLo
}

/** The four synthetic timers of one virtual processor. */
export class SyntheticTimers {
  private timers: Timer[] = Array.from({ length: STIMER_COUNT }, () => ({
    config: 0,
    countLo: 0,
    countHi: 0,
    expiry: Infinity,
  }))

  constructor(
    readonly clock: ReferenceClock,
    /** Sends a message-mode expiry to a SINT (the SynIC's `post`). */
    private readonly post: (sint: number, msg: SynicMessage) => PostResult,
    private readonly notify: (n: TimerNotice) => void,
  ) {}

  readConfig(n: number): number {
    return this.timers[n].config
  }

  readCount(n: number): [number, number] {
    const t = this.timers[n]
    return [t.countLo, t.countHi]
  }

  /**
   * Writes STIMERn_CONFIG at cycle `now`. Returns false (#GP) for a direct-mode vector below 16 [R].
   * A message-mode timer enabled with SINTx = 0 is left disabled (TLFS); enabling (re)starts the timer.
   */
  writeConfig(n: number, lo: number, now: number): boolean {
    let config = lo & CONFIG_BITS
    const direct = (config & StimerConfig.directMode) !== 0
    if (direct && ((config >>> StimerConfig.vectorShift) & 0xff) < FIRST_VALID_VECTOR) return false
    if (!direct && ((config >>> StimerConfig.sintShift) & 0xf) === 0) config &= ~StimerConfig.enable
    const t = this.timers[n]
    t.config = config
    this.restart(t, now)
    return true
  }

  /**
   * Writes STIMERn_COUNT at cycle `now` (100 ns units): zero stops the timer; with auto-enable a
   * non-zero count enables it (TLFS "Synthetic Timer Count Register").
   */
  writeCount(n: number, lo: number, hi: number, now: number): void {
    const t = this.timers[n]
    t.countLo = lo >>> 0
    t.countHi = hi >>> 0
    if (countOf(t) === 0) t.config &= ~StimerConfig.enable
    else if (t.config & StimerConfig.autoEnable) t.config |= StimerConfig.enable
    this.restart(t, now)
  }

  /** Periodic: the first period starts now. One-shot: the count is the absolute expiry time. */
  private restart(t: Timer, now: number): void {
    const count = countOf(t)
    if ((t.config & StimerConfig.enable) === 0 || count === 0) t.expiry = Infinity
    else t.expiry = t.config & StimerConfig.periodic ? this.clock.at(now) + count : count
  }

  /** The cycle at which {@link advance} must next be called (Infinity: no timer runs). */
  nextDeadline(): number {
    let next = Infinity
    for (const t of this.timers) if (t.expiry < next) next = t.expiry
    return next === Infinity ? Infinity : this.clock.cycleOf(next)
  }

  /**
   * Expires every timer due at cycle `now`. A periodic timer that missed whole periods fires once and
   * resumes on its period grid (all periodic timers behave as lazy, as in KVM [R]).
   */
  advance(now: number): void {
    const ref = this.clock.at(now)
    this.timers.forEach((t, n) => {
      if (t.expiry > ref) return
      this.expire(n, t, t.expiry, ref)
      if (t.config & StimerConfig.periodic) {
        const period = countOf(t)
        t.expiry += period * (Math.floor((ref - t.expiry) / period) + 1)
      } else {
        t.config &= ~StimerConfig.enable
        t.expiry = Infinity
      }
    })
  }

  private expire(n: number, t: Timer, expiration: number, ref: number): void {
    if (t.config & StimerConfig.directMode) {
      this.notify({
        kind: 'interrupt',
        cause: 'stimer',
        timer: n,
        vector: (t.config >>> StimerConfig.vectorShift) & 0xff,
      })
      return
    }
    // HV_TIMER_MESSAGE_PAYLOAD: TimerIndex u32, reserved u32, ExpirationTime u64, DeliveryTime u64.
    const payload = new Uint8Array(24)
    const v = new DataView(payload.buffer)
    v.setUint32(0, n, true)
    v.setBigUint64(8, BigInt(expiration), true)
    v.setBigUint64(16, BigInt(ref), true)
    this.post((t.config >>> StimerConfig.sintShift) & 0xf, {
      type: HvMessageType.timerExpired,
      payload,
      origin: 0,
    })
  }

  saveState(w: StateWriter): void {
    w.section('hyperv-stimers')
    w.f64(this.clock.origin)
    for (const t of this.timers) {
      w.u32(t.config)
      w.u32(t.countLo)
      w.u32(t.countHi)
      w.f64(t.expiry)
    }
  }

  loadState(r: StateReader): void {
    r.section('hyperv-stimers')
    this.clock.origin = r.f64()
    for (const t of this.timers) {
      t.config = r.u32()
      t.countLo = r.u32()
      t.countHi = r.u32()
      t.expiry = r.f64()
    }
  }
}
