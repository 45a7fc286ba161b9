/**
 * The hooks hypervisor models use (task "What the rest of the system needs from the CPU"): the
 * sensitive-instruction watch, the trap interceptor with delivery through a guest's own (virtual)
 * IDT, model-raised external interrupts, page-walk events and the inspector's walk() and inspect().
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { BareMetal } from '../machine/bare-metal-run'
import { EventBatcher } from '../trace/batcher'
import { RecordView } from '../trace/codec'
import { EventKind, RECORD_WORDS, SensitiveInsn, W, WalkStep } from '../trace/schema'
import { EventSink } from '../trace/sink'
import { PrivilegedInsn } from './interceptors'

const golden = fileURLToPath(new URL('../../../test/golden/', import.meta.url))
const haveNasm = spawnSync('sh', ['-c', 'command -v nasm']).status === 0
const dir = mkdtempSync(join(tmpdir(), 'ringside-hooks-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Ev {
  kind: number
  reason: number
  arg0: number
  arg1: number
  arg2: number
}

/** A machine running a NASM program built on the golden harness, with every event recorded. */
function boot(name: string, source: string): { m: BareMetal; events: Ev[]; run: () => string } {
  const src = join(dir, `${name}.asm`)
  const bin = join(dir, `${name}.bin`)
  writeFileSync(src, source)
  execFileSync('nasm', ['-f', 'bin', '-I', golden, '-o', bin, src])
  const clock = { cycles: 0 }
  const events: Ev[] = []
  const collect = (b: EventBatcher): void => {
    const batch = b.take()
    const v = new RecordView(batch.buffer)
    for (let k = 0; k < batch.count; k++) {
      const o = k * RECORD_WORDS
      events.push({
        kind: v.u32[o + W.head] & 0xff,
        reason: v.u32[o + W.reason] & 0xffff,
        arg0: v.u32[o + W.arg0],
        arg1: v.u32[o + W.arg1],
        arg2: v.u32[o + W.arg2],
      })
    }
  }
  const batcher = new EventBatcher(1024, collect)
  const sink = new EventSink(clock)
  sink.attach(batcher)
  const m = new BareMetal({ sink, clock })
  const con: number[] = []
  m.pc.onConsoleOutput = (_c, b) => con.push(...b)
  m.load(new Uint8Array(readFileSync(bin)))
  return {
    m,
    events,
    run: () => {
      const stop = m.run(10_000_000)
      collect(batcher)
      return `${stop}: ${String.fromCharCode(...con)}`
    },
  }
}

describe.skipIf(!haveNasm)('CPU hooks for hypervisor models (needs nasm, Debian package nasm)', () => {
  it('reports each sensitive-but-unprivileged instruction at CPL > 0, with EIP, value and CPL', () => {
    const g = boot(
      'sensitive',
      `%include "lib.inc"
test_main:
  sgdt [scratch]              ; the same instruction at CPL 0 is not reported
  TRAP_TO .back
  TO_RING RING3, .r3, 0x202
.r3:
  push dword SEL_DATA3
  pop ds                      ; POP segment
  sgdt [scratch]
.at_sidt:
  sidt [scratch]
  sldt ax
  smsw ax
  str ax
  pushfd
  popfd
  push cs                     ; PUSH segment
  mov ax, ss                  ; MOV from segment
  mov ecx, SEL_CODE3
  lar eax, ecx
  lsl eax, ecx
  verr cx
  verw cx
  pushfd
  push dword SEL_CODE3
  push dword .after_iret
  iretd
.after_iret:
  int VEC_SYSCALL
.back:
  ret
section .data
scratch: times 8 db 0
section .text
`,
    )
    g.m.cpu.sensitiveWatch = true
    expect(g.run()).toBe('debug-exit: ok\n')
    const s = g.events.filter((e) => e.kind === EventKind.SensitiveNoTrap)
    expect(s.map((e) => e.reason)).toEqual([
      SensitiveInsn.PopSreg,
      SensitiveInsn.Sgdt,
      SensitiveInsn.Sidt,
      SensitiveInsn.Sldt,
      SensitiveInsn.Smsw,
      SensitiveInsn.Str,
      SensitiveInsn.Pushf,
      SensitiveInsn.Popf,
      SensitiveInsn.PushSreg,
      SensitiveInsn.MovFromSreg,
      SensitiveInsn.Lar,
      SensitiveInsn.Lsl,
      SensitiveInsn.Verr,
      SensitiveInsn.Verw,
      SensitiveInsn.Pushf,
      SensitiveInsn.Iret,
    ])
    expect(s.every((e) => e.arg2 === 3)).toBe(true)
    const sgdt = s[1]
    expect(sgdt.arg1).toBe(g.m.cpu.gdtBase >>> 0)
    expect(s[2].arg0).toBeGreaterThan(sgdt.arg0)
    expect(s[8].arg1).toBe(0x2b)
  })

  it('lets a monitor intercept INT 0x80 and a #GP, and reflect a trap through the guest’s own IDT', () => {
    // The "guest kernel" runs in ring 1 with its own IDT (never loaded into IDTR): vector 0x80 → a
    // ring-1 handler. The monitor (the interceptor) reflects INT 0x80 there, and emulates CLI, which
    // faults in ring 1 with #GP(0), by clearing a virtual IF and skipping it (trap-and-emulate).
    const g = boot(
      'monitor',
      `%include "lib.inc"
test_main:
  TRAP_TO .back
  TO_RING RING1, .r1, 0x202
.r1:
  cli                         ; #GP(0) at CPL 1 > IOPL 0: the monitor emulates it
  mov eax, 7
  int 0x80                    ; intercepted, reflected through guest_idt to .guest_syscall (ring 1)
  int VEC_SYSCALL
.guest_syscall:
  mov ebx, eax
  add ebx, 100
  iretd
.back:
  ret
align 8
guest_idt:
  times 0x80 dq 0
  dw test_main.guest_syscall, SEL_CODE1, 0xee00, 0x0010
`,
    )
    const cpu = g.m.cpu
    let virtualIf = 1
    const seen: string[] = []
    let idtBase = 0
    cpu.trapInterceptor = (vector, errorCode, source, length) => {
      seen.push(`${vector}/${errorCode}/${source}/${length}`)
      if (vector === 13 && cpu.cpl === 1) {
        // Emulate CLI (FA) at CPL 1: clear the virtual IF and step over it.
        expect(cpu.m8[cpu.eip >>> 0]).toBe(0xfa)
        virtualIf = 0
        cpu.eip = (cpu.eip + 1) | 0
        return true
      }
      if (vector === 0x80 && source === 'software') {
        cpu.deliverThroughIdt(0x80, -1, 'software', length, idtBase, 0x80 * 8 + 7)
        return true
      }
      return false
    }
    // guest_idt follows the ".back: ret" in the program: locate it by its gate pattern.
    const mem = g.m.pc.mem.u8
    for (let a = 0x100000; a < 0x110000; a += 8) {
      if (
        mem[a + 0x80 * 8 + 2] === 0x19 &&
        mem[a + 0x80 * 8 + 5] === 0xee &&
        mem[a + 0x80 * 8 + 6] === 0x10
      ) {
        idtBase = a
        break
      }
    }
    expect(idtBase).toBeGreaterThan(0)
    expect(g.run()).toBe('debug-exit: ok\n')
    expect(seen).toEqual(['13/0/exception/0', '128/-1/software/2', `${0x30}/-1/software/2`])
    expect(virtualIf).toBe(0)
    expect(cpu.faultCounts[13]).toBe(1)
    // The reflected handler ran in ring 1 and returned: EBX = 107 when INT 0x30 reported back.
    expect(cpu.r[3]).toBe(107)
  })

  it('offers sensitive instructions at CPL > 0 to the sensitive interceptor before they execute', () => {
    const g = boot(
      'sensitive-intercept',
      `%include "lib.inc"
test_main:
  pushfd                      ; CPL 0: not offered
  pop eax
  TRAP_TO .back
  TO_RING RING3, .r3, 0x202
.r3:
  pushfd                      ; emulated: the monitor pushes its virtual EFLAGS
  pop ebx
  mov [ss:flags3], ebx
  mov cx, cs                  ; emulated: the monitor's virtual CS
  mov [ss:cs3], cx
  sgdt [ss:gdt3]              ; offered and declined: executes, storing the real GDTR
  int VEC_SYSCALL
.back:
  CHECK [flags3], 0xa56, "PUSHF pushed the virtual EFLAGS"
  CHECK [cs3], 0x08, "MOV from CS read the virtual CS"
  movzx eax, word [gdt3]
  CHECK eax, gdt_end - gdt - 1, "SGDT ran natively"
  ret
section .data
flags3: dd 0
cs3: dd 0
gdt3: times 2 dd 0
section .text
`,
    )
    const cpu = g.m.cpu
    const seen: number[] = []
    cpu.sensitiveInterceptor = (insn, slot) => {
      seen.push(insn)
      expect(cpu.cpl).toBe(3)
      if (insn === SensitiveInsn.Pushf) {
        cpu.push32(0xa56)
      } else if (insn === SensitiveInsn.MovFromSreg) {
        cpu.r16[cpu.dec.r2[slot] << 1] = 0x08
      } else return false
      cpu.eip = (cpu.eip + cpu.dec.len[slot]) | 0
      return true
    }
    expect(g.run()).toBe('debug-exit: ok\n')
    expect(seen).toEqual([SensitiveInsn.Pushf, SensitiveInsn.MovFromSreg, SensitiveInsn.Sgdt])
  })

  it('offers privileged instructions about to raise #GP at CPL > 0 to the privileged interceptor', () => {
    const g = boot(
      'privileged-intercept',
      `%include "lib.inc"
test_main:
  cli                         ; CPL 0: executes, not offered
  TRAP_TO .back
  TO_RING RING3, .r3, 0x202
.r3:
  cli                         ; emulated: clears the monitor's virtual IF
  in al, 0x71                 ; emulated: the monitor supplies the byte
  mov [ss:byte3], al
  mov dword [ss:reached], 1
  hlt                         ; offered and declined: #GP(0)
  FAILED "HLT at CPL 3 did not fault"
.back:
  CHECK [last_vec], 13, "declined HLT raised #GP"
  CHECK [reached], 1, "the emulated instructions were skipped"
  CHECK [byte3], 0x5a, "IN got the monitor's byte"
  ret
section .data
byte3: dd 0
reached: dd 0
section .text
`,
    )
    const cpu = g.m.cpu
    const seen: number[] = []
    let virtualIf = 1
    cpu.privilegedInterceptor = (insn, slot) => {
      seen.push(insn)
      if (insn === PrivilegedInsn.Cli) virtualIf = 0
      else if (insn === PrivilegedInsn.In) cpu.r8[0] = 0x5a
      else return false
      cpu.eip = (cpu.eip + cpu.dec.len[slot]) | 0
      return true
    }
    expect(g.run()).toBe('debug-exit: ok\n')
    expect(seen).toEqual([PrivilegedInsn.Cli, PrivilegedInsn.In, PrivilegedInsn.Hlt])
    expect(virtualIf).toBe(0)
    expect(cpu.faultCounts[13]).toBe(1)
  })

  it('delivers a model-raised external interrupt through the IDT when IF = 1', () => {
    const g = boot(
      'external',
      `%include "lib.inc"
test_main:
  mov ecx, 0x50
  mov eax, handler
  mov edx, SEL_CODE0
  mov bl, 0x8e
  call set_gate
  mov ecx, 1000
.spin:                        ; IF = 0: the queued vector waits
  loop .spin
  CHECK [hits], 0, "no delivery while IF = 0"
  sti
  nop
  cli
  CHECK [hits], 1, "delivered once IF = 1"
  ret
handler:
  inc dword [ss:hits]
  iretd
section .data
hits: dd 0
section .text
`,
    )
    g.m.cpu.raiseExternal(0x50)
    expect(g.run()).toBe('debug-exit: ok\n')
    const ints = g.events.filter((e) => e.kind === EventKind.Interrupt)
    expect(ints.map((e) => [e.reason, e.arg0])).toEqual([[0x50, 0xffffffff]])
  })

  it('reports the IRQ line of PIC interrupts, and none for model-raised vectors', () => {
    const g = boot('pic', readFileSync(join(golden, 'interrupts.asm'), 'utf8'))
    expect(g.run()).toBe('debug-exit: ok\n')
    const ints = g.events.filter((e) => e.kind === EventKind.Interrupt)
    expect(ints.length).toBeGreaterThan(2)
    expect(ints.every((e) => e.reason === 0x20 && e.arg0 === 0)).toBe(true)
  })

  it('emits each memory reference of a page walk, and walk() shows the same walk without side effects', () => {
    const g = boot(
      'walk',
      `%include "lib.inc"
PD equ 0x200000
PT equ 0x201000
test_main:
  mov edi, PT
  mov eax, 7
.f:
  mov [edi], eax
  add eax, 0x1000
  add edi, 4
  cmp edi, PT + 4096
  jne .f
  mov dword [PT + 0x300 * 4], 0x123000 | 7     ; linear 0x300000 → physical 0x123000
  mov dword [PD], PT | 7
  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  mov eax, [0x300abc]
  mov eax, cr0
  and eax, 0x7fffffff
  mov cr0, eax
  mov eax, PD
  mov cr0, eax                ; clears PE (not modelled: #GP(0)), which ends the program
  ret
`,
    )
    g.m.cpu.traceWalks = true
    // Stop right after the read through 0x300abc: run until CR0.PG is cleared again.
    const cpu = g.m.cpu
    let walked = false
    for (let k = 0; k < 200000 && !walked; k++) {
      g.m.run(1)
      if (cpu.paging && cpu.r[0] !== 0 && cpu.cr3 >>> 0 === 0x200000) {
        const w = cpu.walk(0x300abc)
        if (w.physical === 0x123abc) walked = true
      }
    }
    expect(walked).toBe(true)
    const w = cpu.walk(0x300abc)
    expect(w.refs).toEqual([
      { level: 2, address: 0x200000, entry: expect.any(Number) },
      { level: 1, address: 0x201000 + 0x300 * 4, entry: expect.any(Number) },
    ])
    expect(w.pageSize).toBe(4096)
    expect(cpu.walk(0x500000).faultErrorCode).toBe(0) // beyond the one page table: PDE not present
    expect(cpu.walk(0x300abc, { user: true, write: true }).faultErrorCode).toBeNull()
    const before = g.m.pc.mem.read32(0x201000 + 0x301 * 4)
    cpu.walk(0x301000, { write: true })
    expect(g.m.pc.mem.read32(0x201000 + 0x301 * 4)).toBe(before) // no A/D bits from the inspector
    g.run()
    const refs = g.events.filter((e) => e.kind === EventKind.PageWalk && e.arg2 === 0x300abc)
    expect(refs.map((e) => [e.reason, e.arg0])).toEqual([
      [WalkStep.Guest | 2, 0x200000],
      [WalkStep.Guest | 1, 0x201000 + 0x300 * 4],
    ])
  })

  it('inspect() describes the machine state as plain data', () => {
    const g = boot('inspect', `%include "lib.inc"\ntest_main:\n  ret\n`)
    g.run()
    const i = g.m.cpu.inspect()
    expect(i.cpl).toBe(0)
    expect(i.segments.cs).toMatchObject({ selector: 8, base: 0, limit: 0xffffffff, dpl: 0, usable: true })
    expect(i.tr.selector).toBe(0x38)
    expect(i.gdtr.limit).toBe(16 * 8 - 1)
    expect(i.flags.IF).toBe(false)
    expect(i.halted).toBe('running')
    expect(JSON.parse(JSON.stringify(i))).toEqual(i)
  })
})
