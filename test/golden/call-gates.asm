; Far transfers (SDM Vol. 3A §5.8): a far CALL from ring 3 through a DPL-3 call gate to a ring-0
; code segment switches to SS0:ESP0 and copies the gate's parameter count of dwords from the caller's
; stack; the far RET to ring 3 pops them and the old SS:ESP. A direct far CALL or JMP to a
; more privileged code segment raises #GP(selector); a JMP through a call gate cannot change CPL.
%include "lib.inc"

SEL_GATE  equ SPARE(0)          ; call gate → ring-0 code, 2 parameters
SEL_GATE0 equ SPARE(1)          ; call gate with DPL 0

test_main:
  ; Gate descriptor: offset 15:0, selector, param count, type 0xC (32-bit call gate), DPL, P, offset 31:16.
  mov eax, gate_target
  mov [gdt + SEL_GATE], ax
  mov word [gdt + SEL_GATE + 2], SEL_CODE0
  mov byte [gdt + SEL_GATE + 4], 2
  mov byte [gdt + SEL_GATE + 5], 0xec
  shr eax, 16
  mov [gdt + SEL_GATE + 6], ax
  mov eax, gate_target
  mov [gdt + SEL_GATE0], ax
  mov word [gdt + SEL_GATE0 + 2], SEL_CODE0
  mov byte [gdt + SEL_GATE0 + 5], 0x8c
  shr eax, 16
  mov [gdt + SEL_GATE0 + 6], ax

  TRAP_TO .back
  TO_RING RING3, .r3, 0x202
.r3:
  mov ax, SEL_DATA3
  mov ds, ax
  push dword 0x1111             ; parameters
  push dword 0x2222
  call SEL_GATE | 3:0           ; the offset is ignored for a call gate
.ret3:
  mov ebx, [esp]                ; the parameters are still on the ring-3 stack
  mov ecx, eax                  ; the gate target's result
  mov ax, cs
  movzx edx, ax
  int VEC_SYSCALL
.back:
  CHECK [last_vec], VEC_SYSCALL, "returned to ring 3 and reported back"
  CHECK [g_sum], 0x3333, "the ring-0 code saw both copied parameters"
  CHECK [g_cs], SEL_CODE0, "the gate target ran at CPL 0"
  CHECK [g_ss], SEL_DATA0, "on SS0 from the TSS"
  CHECK [g_esp], ESP0 - 6 * 4, "ESP0 minus SS, ESP, 2 parameters, CS, EIP"
  CHECK [g_p0], 0x2222, "parameter copied (nearest first)"
  CHECK [g_p1], 0x1111, "second parameter copied"
  CHECK [g_oldcs], SEL_CODE3, "the frame holds the caller's CS"
  CHECK [g_oldss], SEL_DATA3, "and the caller's SS"
  CHECK [g_ret], .ret3, "and the return address"

  ; Through a DPL-0 gate from ring 3: #GP(gate selector).
  AT_RING RING3, {call SEL_GATE0:0}, 13, SEL_GATE0, "far CALL through a DPL-0 call gate from ring 3: #GP(sel)"
  ; Directly to the ring-0 code segment from ring 3: #GP(sel).
  AT_RING RING3, {call SEL_CODE0:gate_target}, 13, SEL_CODE0, "far CALL to a more privileged code segment: #GP(sel)"
  AT_RING RING3, {jmp SEL_CODE0:gate_target}, 13, SEL_CODE0, "far JMP to a more privileged code segment: #GP(sel)"
  ; JMP through the DPL-3 gate to ring 0 would change CPL: #GP(target code selector).
  AT_RING RING3, {jmp SEL_GATE | 3:0}, 13, SEL_CODE0, "far JMP through a call gate to another ring: #GP(target sel)"
  ; Far JMP/CALL/RET within ring 0.
  call SEL_CODE0:.near0
  jmp SEL_CODE0:.done
.near0:
  retf
.done:
  ret

gate_target:
  mov ax, cs
  movzx eax, ax
  mov [ss:g_cs], eax
  mov ax, ss
  movzx eax, ax
  mov [ss:g_ss], eax
  mov [ss:g_esp], esp
  mov eax, [esp]
  mov [ss:g_ret], eax
  mov eax, [esp + 4]
  mov [ss:g_oldcs], eax
  mov eax, [esp + 8]
  mov [ss:g_p0], eax
  mov eax, [esp + 12]
  mov [ss:g_p1], eax
  mov eax, [esp + 20]
  mov [ss:g_oldss], eax
  mov eax, [esp + 8]
  add eax, [esp + 12]
  mov [ss:g_sum], eax
  retf 8                        ; to ring 3: pops EIP, CS, the 2 parameters, then ESP, SS

section .data
g_cs: dd 0
g_ss: dd 0
g_esp: dd 0
g_ret: dd 0
g_oldcs: dd 0
g_oldss: dd 0
g_p0: dd 0
g_p1: dd 0
g_sum: dd 0
section .text
