/**
 * Nothing in the guest can tell it runs in VMX non-root operation (SDM Vol. 3C §23.3; issue 5 item 7):
 * every golden guest program (test/golden/*.asm — exceptions, paging, segments, privilege levels,
 * interrupts, devices) passes under the null monitor exactly as on bare metal, with its console
 * output unchanged, while HLT, I/O, RDTSC, MSR accesses, CR3 loads and MMIO exit and are emulated,
 * and device interrupts come back as injected events. The triple-fault program ends in exit 2.
 *
 * Each program also produces exactly the VM exits the SDM says it must under the null monitor's
 * controls ({@link EXPECTED}), and no other: a spurious exit on an instruction that never exits
 * (SYSENTER/SYSEXIT, POPF, IRET, LAR, a segment load, a far CALL, …) would be emulated by the monitor
 * and leave the output unchanged, so only the exit counts show it.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { BareMetal } from '../../src/engine/machine/bare-metal-run'
import { ExitReason, exitReasonName } from '../../src/engine/vmx/exit-reasons'
import { NullMonitor } from '../../src/engine/vmx/null-monitor'
import { haveNasm } from './harness'

const golden = fileURLToPath(new URL('../golden/', import.meta.url))
const programs = haveNasm
  ? readdirSync(golden)
      .filter((f) => f.endsWith('.asm'))
      .sort()
  : []
const dir = haveNasm ? mkdtempSync(join(tmpdir(), 'ringside-golden-vmx-')) : ''
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function header(src: string, key: string): string | null {
  const m = new RegExp(`^; ${key}: (.*)$`, 'm').exec(src)
  return m ? m[1] : null
}

/** The golden test disk (as test/golden/golden.test.ts builds it): byte (sector s, offset o) = (3s + o) & 0xff. */
function testDisk(sectors: number): Uint8Array {
  const d = new Uint8Array(sectors * 512)
  for (let i = 0; i < d.length; i++) d[i] = (3 * (i >> 9) + (i & 511)) & 0xff
  return d
}

/** An exact number of exits, or a lower bound where the count depends on device timing (a polling loop). */
type Count = number | { readonly atLeast: number }

const R = ExitReason

/**
 * Console output through lib.inc's `putc`: per byte one IN of the line-status register (the UART
 * transmits at once, so THRE is set on the first poll) and one OUT; "ok\n" is 3 bytes, then the OUT
 * to isa-debug-exit ends the run. 7 I/O exits for every program that passes.
 */
const OK_IO = 3 * 2 + 1

/**
 * The 8259A pair initialised as the device programs do (ICW1–ICW4 to both, then OCW1 to both): 10 OUTs.
 */
const PIC_INIT_IO = 10

/**
 * The VM exits each golden program must cause under the null monitor, by basic exit reason, derived
 * from the program's source, the SDM (Vol. 3C §26.1 "Instructions That Cause VM Exits", §26.2
 * "Other Causes of VM Exits") and the monitor's controls (src/engine/vmx/null-monitor.ts):
 *
 * - always: CPUID (10), INVD (13), the VMX instructions, a triple fault (2);
 * - by the monitor's controls: HLT (12), RDTSC (16), MOV to CR3 (28: no CR3-target values), every
 *   IN/OUT/INS/OUTS (30: unconditional I/O exiting, a REP string instruction exits once), every
 *   RDMSR/WRMSR (31/32: the MSR bitmap is all ones — the exit comes before the #GP for an MSR the CPU
 *   does not have, which the monitor's emulation raises), any access to the virtio-mmio window (49:
 *   EPT misconfiguration), a device interrupt (1: external-interrupt exiting, whatever the guest's
 *   IF) and, when the guest could not take it, the interrupt window (7) once it can;
 * - never: exceptions (the exception bitmap is 0: #PF, #GP, #UD, #DF … are delivered in the guest),
 *   INVLPG, MOV from CR3, MOV to/from CR0/CR4, CLTS, LMSW (the guest/host masks own only CR0.NE and
 *   CR4.VMXE, which no golden program changes), MOV DR, SGDT/SIDT/SLDT/STR/LGDT/LIDT/LLDT/LTR,
 *   WBINVD, RDPMC, and everything that has no exit at all: SYSENTER/SYSEXIT, PUSHF/POPF, IRET,
 *   CLI/STI, LAR/LSL/VERR/VERW, SMSW, segment loads, far CALL/JMP/RET, INT n, INT3, INTO, INT1.
 *
 * The #GP of a privileged instruction at CPL > 0 and the I/O-permission #GP come before any exit
 * (§26.1.1), so the instructions the programs try at rings 1 and 3 to see them fault never exit.
 */
const EXPECTED: Readonly<Record<string, Readonly<Record<number, Count>>>> = {
  // A far CALL through a call gate, far RET to ring 3, far CALL/JMP #GPs, a far CALL/JMP/RET at ring 0.
  'call-gates': { [R.IO_INSTRUCTION]: OK_IO },
  // MOV to/from CR0 and CR4 leaving NE and VMXE as the masks hold them, MOV DR, LMSW, WBINVD, and the
  // #UD/#GP of the invalid forms stay in the guest; INVD exits unconditionally (§26.1.2).
  'control-registers': { [R.INVD]: 1, [R.IO_INSTRUCTION]: OK_IO },
  // Polled: OUT Device Control (nIEN), Device, Command (IDENTIFY), one Status poll (the disk is
  // never busy), REP INSW; READ SECTORS: 6 register OUTs, then per sector a Status poll and a
  // REP INSW; WRITE SECTORS: 6 OUTs, a Status poll, REP OUTSW, a Status poll. With IRQ14: the PIC,
  // Device Control, READ SECTORS' 6 OUTs; the handler's Status IN and 2 EOIs; the REP INSW.
  // The interrupt arrives with IF = 0 (1) and is injected when the HLT in the STI shadow blocks
  // the vCPU (12), so there is no interrupt window.
  'dev-ata': {
    [R.EXTERNAL_INTERRUPT]: 1,
    [R.HLT]: 1,
    [R.IO_INSTRUCTION]: 3 + 1 + 1 + (6 + 2 * 2) + (6 + 1 + 1 + 1) + (PIC_INIT_IO + 1 + 6) + 3 + 1 + OK_IO,
  },
  // The PIC; LCR, DLL, DLM, LCR, SCR out and in; IER, MCR. The 5 keystrokes wait in the receiver
  // (it takes the next one when the last is read), so one IRQ4, raised by the MCR write with IF = 0
  // (1), injected at the HLT (12); its handler reads IIR, LSR and RBR 5 times, LSR once more, and
  // sends an EOI. Loopback: IER, MCR, THR, LSR, RBR, MCR.
  'dev-uart': {
    [R.EXTERNAL_INTERRUPT]: 1,
    [R.HLT]: 1,
    [R.IO_INSTRUCTION]: PIC_INIT_IO + 6 + 2 + (1 + 5 * 2 + 1 + 1) + 6 + OK_IO,
  },
  // Every MOV to or from the virtio-mmio window is one exit (49). Block device: magic, version,
  // device ID, capacity; virtio_init (8 writes, 1 read); queue_setup (9 writes); DRIVER_OK; notify;
  // InterruptStatus, InterruptACK, InterruptStatus. Console: device ID, virtio_init, queue_setup,
  // DRIVER_OK, notify.
  'dev-virtio': {
    [R.EPT_MISCONFIG]: 4 + 9 + 9 + 1 + 1 + 3 + (1 + 9 + 9 + 1 + 1),
    [R.IO_INSTRUCTION]: OK_IO,
  },
  // #DE #BR #OF #BP #UD #NM #DB #AC #DF #NP #TS delivered in the guest; MOV to CR0 (EM, MP, TS, AM),
  // CLTS, MOV from DR6, MOV from CR2 in the handler.
  exceptions: { [R.IO_INSTRUCTION]: OK_IO },
  // Four MOV to CR3 (CR3-load exiting); INVLPG and MOV to CR4 toggling PGE stay in the guest.
  'global-pages': { [R.CR_ACCESS]: 4, [R.IO_INSTRUCTION]: OK_IO },
  // INT n through gates of each DPL, INT3, INT 3, INT1, LIDT at ring 0.
  'int-gate-dpl': { [R.IO_INSTRUCTION]: OK_IO },
  // The PIC, the PIT (mode, divisor low and high), an EOI per tick, the IMR mask, two counter-latch
  // reads (OUT, IN, IN); wait_irr polls the IRR as long as the tick takes. Tick 1 wakes the HLT in
  // the STI shadow (12); ticks 2 and 3 come while wait_irr runs with IF = 0 (1) and are injected at
  // the interrupt window after STI and MOV SS (7).
  interrupts: {
    [R.EXTERNAL_INTERRUPT]: 2,
    [R.INTERRUPT_WINDOW]: 2,
    [R.HLT]: 1,
    [R.IO_INSTRUCTION]: { atLeast: PIC_INIT_IO + 3 + 3 + 1 + 2 * 3 + 2 * (1 + 1) + OK_IO },
  },
  // Ring 3 with IOPL 0: IN 0x3fd, OUT 0x80, IN 0x3fe (allowed by the TSS bitmap); the denied ports
  // #GP; with IOPL 3, IN 0x81.
  'io-bitmap': { [R.IO_INSTRUCTION]: 3 + 1 + OK_IO },
  // LLDT, LTR, SLDT, STR, loads through the LDT, far JMP, INT/IRET: descriptor-table exiting is off.
  ldt: { [R.IO_INSTRUCTION]: OK_IO },
  // MOV to CR3 twice (the first load and the reload); CR4.PSE, CR0.PG/WP, INVLPG, MOV from CR3 and
  // every #PF stay in the guest.
  'page-faults': { [R.CR_ACCESS]: 2, [R.IO_INSTRUCTION]: OK_IO },
  // PUSHF/POPF and IRET at rings 3, 1 and 0.
  'popf-iret-if': { [R.IO_INSTRUCTION]: OK_IO },
  // Every privileged instruction at rings 3 and 1 is a #GP in the guest; then CPUID and RDTSC at ring 3.
  'privileged-cpl': { [R.CPUID]: 1, [R.RDTSC]: 1, [R.IO_INSTRUCTION]: OK_IO },
  'ring3-iret-int': { [R.IO_INSTRUCTION]: OK_IO },
  'ring3-to-ring1': { [R.IO_INSTRUCTION]: OK_IO },
  // Segment loads that fault and succeed, limit and expand-down checks, #SS, MOV SS at ring 3.
  segments: { [R.IO_INSTRUCTION]: OK_IO },
  // SGDT, SIDT, STR, SLDT, SMSW, PUSH CS, MOV from SS, VERR, VERW, LAR, LSL at ring 3; LAR, LSL at 0.
  'sensitive-cpl3': { [R.IO_INSTRUCTION]: OK_IO },
  // CPUID leaves 0, 1, 0x80000000, 0x80000002; RDTSC twice, once more at ring 0 with CR4.TSD (the one
  // at ring 3 is a #GP) and once after WRMSR to the TSC; RDMSR of SYSENTER_EIP, EFER (#GP), FEATURE_CONTROL;
  // WRMSR of the TSC, SYSENTER_EIP, FEATURE_CONTROL (#GP: locked), SYSENTER_CS, _ESP, _EIP. MOV to CR4
  // (TSD), SYSENTER and SYSEXIT do not exit.
  system: {
    [R.CPUID]: 4,
    [R.RDTSC]: 4,
    [R.MSR_READ]: 3,
    [R.MSR_WRITE]: 6,
    [R.IO_INSTRUCTION]: OK_IO,
  },
  // LIDT of an empty IDT, UD2: #UD, #GP and #DF cannot be delivered; nothing is printed.
  'triple-fault': { [R.TRIPLE_FAULT]: 1 },
}

function run(
  machine: BareMetal | NullMonitor,
  image: Uint8Array,
  input: string | null,
): { stop: string; console: string; virtio: string } {
  const con: number[] = []
  const virtio: number[] = []
  machine.pc.onConsoleOutput = (c, bytes) => (c === 0 ? con : c === 2 ? virtio : []).push(...bytes)
  machine.load(image)
  if (input !== null) machine.pc.queueConsoleInput(0, new TextEncoder().encode(input))
  const stop = machine.run(50_000_000)
  return { stop, console: String.fromCharCode(...con), virtio: String.fromCharCode(...virtio) }
}

describe.skipIf(!haveNasm)(
  'golden guest programs in VMX non-root operation (needs nasm, Debian package nasm)',
  () => {
    for (const file of programs) {
      const name = file.replace(/\.asm$/, '')
      it(name, () => {
        const src = readFileSync(join(golden, file), 'utf8')
        const bin = join(dir, file.replace(/\.asm$/, '.bin'))
        execFileSync('nasm', ['-f', 'bin', '-I', golden, '-o', bin, join(golden, file)])
        const image = new Uint8Array(readFileSync(bin))
        const sectors = header(src, 'disk')
        const disk = (): Uint8Array | undefined => (sectors === null ? undefined : testDisk(Number(sectors)))
        const input = header(src, 'input')
        const bare = run(new BareMetal({ disk: disk() }), image, input)
        const m = new NullMonitor({ disk: disk() })
        const vmx = run(m, image, input)
        expect(vmx).toEqual(bare)
        const { exits } = m.exitSummary()
        const expected = EXPECTED[name]
        expect(expected, `no expected exits for ${file}`).toBeDefined()
        expect(Object.keys(exits).map(Number)).toEqual(
          Object.keys(expected)
            .map(Number)
            .sort((a, b) => a - b),
        )
        for (const [reason, count] of Object.entries(expected)) {
          const what = `exit ${reason} (${exitReasonName(Number(reason))})`
          if (typeof count === 'number') expect(exits[reason], what).toBe(count)
          else expect(exits[reason], what).toBeGreaterThanOrEqual(count.atLeast)
        }
        if (header(src, 'expect') === 'shutdown') expect(vmx.stop).toBe('shutdown')
        else expect(vmx.console.endsWith('ok\n'), vmx.console).toBe(true)
      })
    }
  },
)
