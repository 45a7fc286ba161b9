; Every exception the CPU raises, with its error code and saved EIP (SDM Vol. 3A §6.15, Table 6-1):
; faults save the faulting instruction's EIP, traps (#BP, #OF, single-step #DB) the next one.
; #DF arises from a contributory exception during the delivery of another (§6.15, Table 6-5).
%include "lib.inc"

%macro EXC 4                    ; vector, error code (-1: none pushed), EIP label, instruction
  TRAP_TO %%b
%%i:
  %4
%%n:
  FAILED "no exception"
%%b:
  CHECK [last_vec], %1, "vector"
  CHECK [last_err], %2, "error code"
  %ifidn %3, fault
  CHECK [last_eip], %%i, "a fault saves the faulting EIP"
  %else
  CHECK [last_eip], %%n, "a trap saves the next EIP"
  %endif
%endmacro

test_main:
  xor ecx, ecx
  EXC 0, -1, fault, {div ecx}                       ; #DE: divide by zero
  mov edx, 1
  mov ecx, 1
  EXC 0, -1, fault, {div ecx}                       ; #DE: quotient does not fit
  mov eax, 10
  EXC 5, -1, fault, {bound eax, [bounds]}           ; #BR: 10 outside [0, 5]
  mov eax, 0x7fffffff
  add eax, 1                                        ; OF = 1
  EXC 4, -1, trap, into                             ; #OF is a trap
  EXC 3, -1, trap, int3                             ; #BP is a trap
  EXC 6, -1, fault, ud2                             ; #UD
  EXC 6, -1, fault, {db 0x0f, 0x05}                 ; SYSCALL is not an IA-32 instruction here: #UD
  mov eax, cr0
  or eax, 4                                         ; CR0.EM: x87 instructions raise #NM
  mov cr0, eax
  EXC 7, -1, fault, fld1
  mov eax, cr0
  and eax, ~4
  or eax, 0xa                                       ; CR0.MP + TS: WAIT raises #NM
  mov cr0, eax
  EXC 7, -1, fault, wait
  clts
  mov eax, cr0
  and eax, ~2
  mov cr0, eax

  ; Single step: POPF sets TF; the trap follows the instruction after POPF (SDM Vol. 3A §17.3.1.4).
  TRAP_TO .db
  pushfd
  or dword [esp], 0x100
  popfd
.first:
  nop
.second:
  FAILED "no single-step trap"
.db:
  CHECK [last_vec], 1, "TF: #DB"
  CHECK [last_eip], .second, "TF: the trap follows the first instruction after POPF"
  mov eax, [last_eflags]
  and eax, 0x100
  CHECK eax, 0x100, "TF is set in the saved EFLAGS (the handler returns to single-step)"
  mov eax, dr6
  and eax, 0x4000
  CHECK eax, 0x4000, "DR6.BS reports a single step"
  pushfd
  and dword [esp], ~0x100
  popfd

  ; #AC: CR0.AM, EFLAGS.AC and CPL 3, a misaligned dword read (SDM Vol. 3A §6.15 interrupt 17).
  mov eax, cr0
  or eax, 0x40000
  mov cr0, eax
  TRAP_TO .ac
  TO_RING RING3, .r3, 0x40002
.r3:
  mov eax, [ss:bounds + 1]
  FAILED "no #AC"
.ac:
  CHECK [last_vec], 17, "#AC"
  CHECK [last_err], 0, "#AC pushes error code 0"
  CHECK [last_eip], .r3, "#AC is a fault"
  ; Aligned accesses and ring 0 are not checked.
  mov eax, [bounds + 1]
  mov eax, cr0
  and eax, ~0x40000
  mov cr0, eax

  ; #DF: INT 0x41 through a not-present gate raises #NP; the #NP gate is not present either, so a
  ; contributory exception during a contributory one becomes #DF with error code 0.
  mov byte [idt + 0x41 * 8 + 5], 0x0e
  mov byte [idt + 11 * 8 + 5], 0x0e
  TRAP_TO .df
  int 0x41
  FAILED "no #DF"
.df:
  mov byte [idt + 11 * 8 + 5], 0x8e
  CHECK [last_vec], 8, "#DF"
  CHECK [last_err], 0, "#DF pushes error code 0"

  ; #NP for a not-present gate alone carries the IDT error code.
  mov ecx, 0x41
  mov eax, ud_handler
  mov edx, SEL_CODE0
  mov bl, 0x0e                  ; P = 0
  call set_gate
  EXC 11, 0x41 * 8 + 2, fault, {int 0x41}

  ; #TS: an interrupt from ring 3 to a ring-1 handler with SS1 holding an RPL-3 selector.
  mov ecx, 0x42
  mov eax, ud_handler
  mov edx, SEL_CODE1
  mov bl, 0xee
  call set_gate
  mov dword [tss + 16], SEL_DATA3
  AT_RING RING3, {int 0x42}, 10, SEL_DATA3 & 0xfffc, "#TS(SS1 selector) for a new stack with the wrong RPL"
  mov dword [tss + 16], SEL_DATA1
  ret

ud_handler:
  ud2

section .data
bounds: dd 0, 5
section .text
