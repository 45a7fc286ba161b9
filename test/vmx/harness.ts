/**
 * Guest programs under VT-x: a NASM program built on the golden harness (test/golden/lib.inc) runs in
 * VMX non-root operation under the null monitor (src/engine/vmx/null-monitor.ts), whose VMCS a test
 * configures before the first entry; the test sees every VM exit first (`NullMonitor.onExit`) with
 * the exit-information fields decoded, asserts them against the SDM, handles the exit or leaves it
 * to the monitor, and the program checks — inside the guest — that it resumed as it should.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BareMetalStop } from '../../src/engine/machine/bare-metal-run'
import { EventBatcher } from '../../src/engine/trace/batcher'
import { RecordView } from '../../src/engine/trace/codec'
import { RECORD_WORDS, W } from '../../src/engine/trace/schema'
import { EventSink } from '../../src/engine/trace/sink'
import { NullMonitor } from '../../src/engine/vmx/null-monitor'
import { VmcsField as F } from '../../src/engine/vmx/vmcs-fields'

export const HERE = fileURLToPath(new URL('.', import.meta.url))
const GOLDEN = fileURLToPath(new URL('../golden/', import.meta.url))
export const haveNasm = spawnSync('sh', ['-c', 'command -v nasm']).status === 0

let dir: string | null = null
/** Removes the build directory (call from afterAll). */
export function cleanUp(): void {
  if (dir !== null) rmSync(dir, { recursive: true, force: true })
  dir = null
}

/** Assembles test/vmx/<name>.asm (with the golden harness on the include path); returns the image and its symbols. */
export function assemble(name: string): { image: Uint8Array; symbols: Map<string, number> } {
  dir ??= mkdtempSync(join(tmpdir(), 'ringside-vmx-'))
  const wrapper = join(dir, `${name}.wrap.asm`)
  const bin = join(dir, `${name}.bin`)
  const map = join(dir, `${name}.map`)
  writeFileSync(wrapper, `[map symbols ${map}]\n%include "${join(HERE, `${name}.asm`)}"\n`)
  execFileSync('nasm', ['-f', 'bin', '-I', GOLDEN, '-I', HERE, '-o', bin, wrapper])
  const symbols = new Map<string, number>()
  for (const line of readFileSync(map, 'utf8').split('\n')) {
    const m = /^\s*([0-9A-F]+)\s+[0-9A-F]+\s+(\S+)$/i.exec(line)
    if (m) symbols.set(m[2], parseInt(m[1], 16))
  }
  return { image: new Uint8Array(readFileSync(bin)), symbols }
}

/** The exit-information fields of the VM exit in the VMCS (SDM Vol. 3C §28.2), plus guest RIP. */
export interface Exit {
  readonly reason: number
  readonly qualification: number
  readonly length: number
  readonly info: number
  readonly rip: number
  readonly guestLinear: number
  readonly guestPhysical: number
  readonly intrInfo: number
  readonly intrError: number
  readonly idtVectoring: number
  readonly idtError: number
}

/** One recorded event (kind, reason and arguments). */
export interface Ev {
  readonly kind: number
  readonly reason: number
  readonly arg0: number
  readonly arg1: number
  readonly arg2: number
}

export class VmxGuest {
  readonly m: NullMonitor
  readonly symbols: Map<string, number>
  readonly events: Ev[] = []
  /** Every exit, in order, as the test's handler saw it. */
  readonly exits: Exit[] = []
  private readonly batcher: EventBatcher
  private readonly com: number[][] = [[], [], []]

  constructor(name: string, opts: { readonly memMiB?: number; readonly trace?: boolean } = {}) {
    const { image, symbols } = assemble(name)
    this.symbols = symbols
    const clock = { cycles: 0 }
    const sink = new EventSink(clock)
    this.batcher = new EventBatcher(4096, (b) => this.collect(b))
    if (opts.trace) sink.attach(this.batcher)
    this.m = new NullMonitor({ memMiB: opts.memMiB ?? 16, sink, clock })
    this.m.pc.onConsoleOutput = (c, bytes) => this.com[c].push(...bytes)
    this.m.load(image)
  }

  private collect(b: EventBatcher): void {
    const batch = b.take()
    const v = new RecordView(batch.buffer)
    for (let k = 0; k < batch.count; k++) {
      const o = k * RECORD_WORDS
      this.events.push({
        kind: v.u32[o + W.head] & 0xff,
        reason: v.u32[o + W.reason] & 0xffff,
        arg0: v.u32[o + W.arg0],
        arg1: v.u32[o + W.arg1],
        arg2: v.u32[o + W.arg2],
      })
    }
  }

  /** The address of a label (`test_main.cpuid`, or a global one). */
  at(label: string): number {
    const a = this.symbols.get(label) ?? this.symbols.get(`test_main.${label}`)
    if (a === undefined) throw new Error(`no label ${label} in the program`)
    return a
  }

  /** The exit in the VMCS now. */
  exit(): Exit {
    const v = this.m.vmcs
    return {
      reason: v.read(F.VM_EXIT_REASON),
      qualification: v.read(F.EXIT_QUALIFICATION),
      length: v.read(F.VM_EXIT_INSTRUCTION_LEN),
      info: v.read(F.VMX_INSTRUCTION_INFO),
      rip: v.read(F.GUEST_RIP),
      guestLinear: v.read(F.GUEST_LINEAR_ADDRESS),
      guestPhysical: v.read(F.GUEST_PHYSICAL_ADDRESS),
      intrInfo: v.read(F.VM_EXIT_INTR_INFO),
      intrError: v.read(F.VM_EXIT_INTR_ERROR_CODE),
      idtVectoring: v.read(F.IDT_VECTORING_INFO_FIELD),
      idtError: v.read(F.IDT_VECTORING_ERROR_CODE),
    }
  }

  /**
   * Runs the program. `handle` sees each exit (recorded in {@link exits}) and returns true when it
   * handled it; otherwise the null monitor does (emulation, interrupt injection, HLT).
   */
  run(
    handle: (e: Exit) => boolean = () => false,
    maxSteps = 20_000_000,
  ): { stop: BareMetalStop; console: string } {
    this.m.onExit = () => {
      const e = this.exit()
      this.exits.push(e)
      return handle(e)
    }
    const stop = this.m.run(maxSteps)
    this.collect(this.batcher)
    return { stop, console: String.fromCharCode(...this.com[0]) }
  }

  /** Bytes a console received (0 COM1, 1 COM2, 2 virtio). */
  output(console: number): string {
    return String.fromCharCode(...this.com[console])
  }
}
