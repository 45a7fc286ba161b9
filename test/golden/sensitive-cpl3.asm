; Sensitive but unprivileged instructions run at CPL 3 without a fault and reveal the real state
; (Robin & Irvine 2000; x86-virtualization-facts.md §2.2): SGDT/SIDT store the real GDTR/IDTR, SLDT
; and STR the real selectors, SMSW the real CR0 bits, PUSH CS and MOV from CS/SS the RPL (= CPL),
; and LAR/LSL/VERR/VERW answer by CPL and RPL (SDM Vol. 2 for each instruction).
%include "lib.inc"

test_main:
  TRAP_TO .back
  TO_RING RING3, .r3, 0x202
.r3:
  mov ax, SEL_DATA3
  mov ds, ax
  mov es, ax
  sgdt [r3_gdtr]
  sidt [r3_idtr]
  str ax
  mov [r3_tr], ax
  sldt ax
  mov [r3_ldtr], ax
  smsw eax
  mov [r3_msw], eax
  push cs
  pop eax
  mov [r3_pushcs], eax
  mov ax, ss
  mov [r3_ss], ax
  ; VERR on the DPL-0 data segment: not readable from CPL 3 → ZF = 0
  mov ebx, 1
  verr word [sel_data0]
  jnz .no1
  mov ebx, 0
.no1:
  mov [r3_verr0], ebx
  ; VERR / VERW on the DPL-3 data segment: ZF = 1
  mov ebx, 0
  mov cx, SEL_DATA3
  verw cx
  jnz .no2
  mov ebx, 1
.no2:
  mov [r3_verw3], ebx
  ; LAR of ring-3 code: ZF = 1, access rights; LAR of ring-0 code: ZF = 0
  mov ecx, SEL_CODE3
  lar eax, ecx
  mov [r3_lar3], eax
  mov eax, 0x77
  mov ecx, SEL_CODE0
  lar eax, ecx
  setz bl
  mov [r3_lar0], eax
  mov [r3_lar0z], bl
  ; LSL of the TSS is not visible at CPL 3 (DPL 0): ZF = 0
  mov ecx, SEL_TSS
  mov eax, 0x55
  lsl eax, ecx
  setz bl
  mov [r3_lsl_tss], bl
  int VEC_SYSCALL
.back:
  CHECK [last_vec], VEC_SYSCALL, "none of the sensitive instructions faulted at CPL 3"
  CHECK [r3_gdtr + 2], gdt, "SGDT at CPL 3 returns the real GDT base"
  movzx eax, word [r3_gdtr]
  CHECK eax, gdt_end - gdt - 1, "SGDT at CPL 3 returns the real GDT limit"
  CHECK [r3_idtr + 2], idt, "SIDT at CPL 3 returns the real IDT base"
  movzx eax, word [r3_tr]
  CHECK eax, SEL_TSS, "STR at CPL 3 returns the real TR"
  movzx eax, word [r3_ldtr]
  CHECK eax, 0, "SLDT returns the (null) LDTR"
  mov eax, [r3_msw]
  and eax, 0x1f
  CHECK eax, 0x11, "SMSW at CPL 3 shows CR0.PE and ET"
  movzx eax, word [r3_pushcs]
  CHECK eax, SEL_CODE3, "PUSH CS at CPL 3 shows RPL 3"
  movzx eax, word [r3_ss]
  CHECK eax, SEL_DATA3, "MOV from SS shows RPL 3"
  CHECK [r3_verr0], 1, "VERR of a DPL-0 segment from CPL 3: ZF = 0"
  CHECK [r3_verw3], 1, "VERW of a DPL-3 data segment from CPL 3: ZF = 1"
  CHECK [r3_lar3], 0x00cffb00, "LAR of the ring-3 code segment: access rights 0x00cffb00"
  CHECK [r3_lar0], 0x77, "LAR of a DPL-0 code segment from CPL 3: destination unchanged"
  movzx eax, byte [r3_lar0z]
  CHECK eax, 0, "LAR of a DPL-0 code segment from CPL 3: ZF = 0"
  movzx eax, byte [r3_lsl_tss]
  CHECK eax, 0, "LSL of the DPL-0 TSS from CPL 3: ZF = 0"
  ; The same LAR and LSL at CPL 0 succeed.
  mov ecx, SEL_CODE0
  lar eax, ecx
  CHECK eax, 0x00cf9b00, "LAR of the ring-0 code segment at CPL 0: rights 0x00cf9b00"
  mov ecx, SEL_TSS
  lsl eax, ecx
  CHECK eax, TSS_LIMIT, "LSL of the TSS at CPL 0: its limit"
  ret

section .data
sel_data0: dw SEL_DATA0
r3_gdtr: times 6 db 0
  align 4
r3_idtr: times 6 db 0
  align 4
r3_tr: dd 0
r3_ldtr: dd 0
r3_msw: dd 0
r3_pushcs: dd 0
r3_ss: dd 0
r3_verr0: dd 0
r3_verw3: dd 0
r3_lar3: dd 0
r3_lar0: dd 0
r3_lar0z: dd 0
r3_lsl_tss: dd 0
section .text
