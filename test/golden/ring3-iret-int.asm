; Entering ring 3 by IRET and coming back by INT through a DPL-3 gate.
; SDM Vol. 3A §6.12.1 (exception- and interrupt-handling procedures): an interrupt to a more privileged
; non-conforming segment switches to the stack SS0:ESP0 from the TSS and pushes the old SS, ESP,
; EFLAGS, CS, EIP; IRET to an outer ring (SDM Vol. 2 IRET, RETURN-TO-OUTER-PRIVILEGE-LEVEL) pops
; them all and loads null into data segment registers whose DPL is below the new CPL.
%include "lib.inc"

VEC_COUNT equ 0x40

test_main:
  ; A DPL-3 interrupt gate whose ring-0 handler counts and returns with IRET.
  mov ecx, VEC_COUNT
  mov eax, count_handler
  mov edx, SEL_CODE0
  mov bl, 0xee
  call set_gate

  TRAP_TO .back
  TO_RING SEL_CODE3, SEL_DATA3, STACK3, .ring3, 0x202
.ring3:
  mov ax, SEL_DATA3
  mov ds, ax
  mov es, ax
  mov ax, cs
  movzx ebx, ax                 ; CS.RPL is the CPL: 3
  int VEC_COUNT                 ; ring 0 and back by IRET, twice
  int VEC_COUNT
  mov ax, cs
  movzx ecx, ax
  mov eax, 0x1234
  int VEC_SYSCALL
  FAILED "INT 0x30 did not leave ring 3"
.back:
  CHECK [last_vec], VEC_SYSCALL, "INT 0x30 from ring 3 arrives at vector 0x30"
  CHECK [last_eax], 0x1234, "EAX reaches the handler unchanged"
  CHECK [last_cs], SEL_CODE3, "saved CS is the ring-3 selector"
  CHECK [last_ss], SEL_DATA3, "saved SS is the ring-3 stack segment (the stack was switched)"
  CHECK [last_esp], STACK3, "saved ESP is the ring-3 ESP"
  CHECK [last_frame_esp], ESP0 - 7 * 4, "the handler runs on ESP0 from the TSS (5-dword frame + the stub's 2)"
  mov eax, [last_eflags]
  and eax, 0x200
  CHECK eax, 0x200, "saved EFLAGS has the IF of ring 3"
  CHECK [count], 2, "the ring-0 handler ran twice and returned to ring 3 each time"
  CHECK [count_cs], SEL_CODE3, "inside the handler, the saved CS shows the caller was ring 3"
  CHECK [count_ds], SEL_DATA3, "DS keeps the ring-3 data segment on entry (only an outer return nulls)"

  ; IRET to ring 3 while DS holds a DPL-0 data segment: DS becomes null (SDM Vol. 2 IRET).
  mov ax, SEL_DATA0
  mov ds, ax
  TRAP_TO .back2
  TO_RING SEL_CODE3, SEL_DATA3, STACK3, .ring3b, 0x202
.ring3b:
  mov ax, ds
  movzx eax, ax
  int VEC_SYSCALL
.back2:
  CHECK [last_eax], 0, "IRET to ring 3 loaded null into DS (DPL 0 < CPL 3)"
  ret

count_handler:
  inc dword [ss:count]
  mov eax, [esp + 4]
  mov [ss:count_cs], eax
  mov ax, ds
  movzx eax, ax
  mov [ss:count_ds], eax
  iretd

section .data
count: dd 0
count_cs: dd 0
count_ds: dd 0
section .text
