; An interrupt from ring 3 through a gate whose code segment has DPL 1 switches to SS1:ESP1 from the
; TSS (SDM Vol. 3A §6.12.1: "the processor uses the stack for the privilege level of the handler's
; code segment"), the mechanism a deprivileged ring-1 guest kernel (Xen PV, VMware BT) relies on.
%include "lib.inc"

VEC_RING1 equ 0x41

test_main:
  mov ecx, VEC_RING1
  mov eax, ring1_handler
  mov edx, SEL_CODE1
  mov bl, 0xee                  ; DPL 3 interrupt gate → DPL-1 code segment
  call set_gate
  TRAP_TO .back
  TO_RING RING3, .r3, 0x202
.r3:
  mov eax, 0xabcd
  int VEC_RING1
  FAILED "the ring-1 handler returned"
.back:
  CHECK [last_vec], VEC_SYSCALL, "the ring-1 handler reported back through INT 0x30"
  CHECK [last_cs], SEL_CODE1, "INT 0x30 came from ring 1"
  CHECK [r1_cs], SEL_CODE1, "the handler ran with CS = the ring-1 selector"
  CHECK [r1_ss], SEL_DATA1, "its stack segment is SS1 from the TSS"
  CHECK [r1_esp], STACK1 - 5 * 4, "its stack is ESP1 minus the 5-dword frame"
  CHECK [r1_frame_ss], SEL_DATA3, "the frame holds the ring-3 SS"
  CHECK [r1_frame_esp], STACK3, "and the ring-3 ESP"
  CHECK [r1_frame_cs], SEL_CODE3, "and the ring-3 CS"
  CHECK [r1_eax], 0xabcd, "EAX arrives unchanged"
  ret

ring1_handler:
  mov [ss:r1_eax], eax
  mov ax, cs
  movzx eax, ax
  mov [ss:r1_cs], eax
  mov ax, ss
  movzx eax, ax
  mov [ss:r1_ss], eax
  mov [ss:r1_esp], esp
  mov eax, [esp + 4]
  mov [ss:r1_frame_cs], eax
  mov eax, [esp + 12]
  mov [ss:r1_frame_esp], eax
  mov eax, [esp + 16]
  mov [ss:r1_frame_ss], eax
  int VEC_SYSCALL

section .data
r1_eax: dd 0
r1_cs: dd 0
r1_ss: dd 0
r1_esp: dd 0
r1_frame_cs: dd 0
r1_frame_esp: dd 0
r1_frame_ss: dd 0
section .text
