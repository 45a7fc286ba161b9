; POPF and IRET at CPL > IOPL leave IF unchanged, and at CPL > 0 leave IOPL unchanged — silently,
; without a fault (SDM Vol. 2 POPF "Operation", protected mode; IRET likewise). PUSHF shows the real
; IF and IOPL. This is the x86 hole that breaks trap-and-emulate (x86-virtualization-facts.md §2.2).
%include "lib.inc"

test_main:
  ; Ring 3, IOPL 0, IF 1: POPF of a value with IF = 0 and IOPL = 3.
  TRAP_TO .back
  TO_RING RING3, .r3, 0x202
.r3:
  push dword 0x3002
  popfd
  pushfd
  pop ebx
  int VEC_SYSCALL
.back:
  CHECK [last_vec], VEC_SYSCALL, "POPF at CPL 3 did not fault"
  mov eax, [last_eflags]
  and eax, 0x3200
  CHECK eax, 0x200, "after POPF at CPL 3: IF still 1, IOPL still 0 (saved EFLAGS)"

  ; Ring 1, IOPL 0, IF 1: the same.
  TRAP_TO .back1
  TO_RING RING1, .r1, 0x202
.r1:
  push dword 0x3002
  popfd
  int VEC_SYSCALL
.back1:
  mov eax, [last_eflags]
  and eax, 0x3200
  CHECK eax, 0x200, "after POPF at CPL 1 with IOPL 0: IF and IOPL unchanged"

  ; Ring 1 with IOPL 1: IF may change, IOPL may not.
  TRAP_TO .back2
  TO_RING RING1, .r1b, 0x1202
.r1b:
  push dword 0x3002
  popfd
  pushfd
  pop eax
  int VEC_SYSCALL
.back2:
  mov eax, [last_eax]
  and eax, 0x3200
  CHECK eax, 0x1000, "at CPL 1 with IOPL 1, POPF clears IF but keeps IOPL 1 (PUSHF shows it)"

  ; IRET at CPL 3 (to CPL 3) follows the same rules.
  TRAP_TO .back3
  TO_RING RING3, .r3c, 0x202
.r3c:
  push dword SEL_CODE3
  push dword .r3d
  ; build an IRET frame: EFLAGS (IF 0, IOPL 3), CS, EIP
  pop eax
  pop ecx
  push dword 0x3002
  push ecx
  push eax
  iretd
.r3d:
  pushfd
  pop eax
  int VEC_SYSCALL
.back3:
  mov eax, [last_eax]
  and eax, 0x3200
  CHECK eax, 0x200, "IRET at CPL 3 keeps IF and IOPL"

  ; At CPL 0 both change.
  pushfd
  push dword 0x3002
  popfd
  pushfd
  pop eax
  popfd
  and eax, 0x3200
  CHECK eax, 0x3000, "at CPL 0 POPF sets IOPL and clears IF"
  ret
