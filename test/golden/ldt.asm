; The LDT and the task register at CPL 0 (SDM Vol. 3A §3.5.1 "Segment Descriptor Tables", §5.4–5.6;
; Vol. 2 LLDT, LTR, MOV, LDS/LES, JMP):
; - LLDT loads LDTR from an LDT descriptor in the GDT; a selector with TI = 1 then indexes the LDT:
;   MOV DS, LDS/LES and a far JMP load the LDT's descriptors (base, limit, DPL, the accessed bit);
; - through the LDT: an index beyond its limit raises #GP(selector), a not-present segment
;   #NP(selector), a DPL-0 segment loaded at ring 3 #GP(selector);
; - LLDT of a descriptor that is not an LDT, or of a selector with TI = 1, raises #GP(selector); of a
;   not-present LDT #NP(selector); LLDT with a null selector makes LDTR unusable, and a TI = 1
;   selector then raises #GP(selector);
; - LTR marks the TSS descriptor busy (type 11); LTR of a busy TSS, or of a descriptor that is not a
;   TSS, raises #GP(selector), and of the null selector #GP(0).
%include "lib.inc"

SEL_LDT    equ SPARE(0)         ; the LDT below, present
SEL_LDT_NP equ SPARE(1)         ; the same LDT, not present
LDT_DATA   equ 0x04             ; LDT 0: data at DATA_BASE, limit 0xfff, DPL 0
LDT_CODE   equ 0x0c             ; LDT 1: flat code, DPL 0
LDT_NP     equ 0x14             ; LDT 2: data, not present
LDT_DATA3  equ 0x1f             ; LDT 3: flat data, DPL 3 (RPL 3)
LDT_BEYOND equ 0x24             ; index 4: beyond the LDT's limit
DATA_BASE  equ 0x300000

; ebx = GDT offset, eax = base, cl = access byte: a system descriptor for ldt_table (limit LDT_LIMIT).
set_ldt_desc:
  mov word [gdt + ebx], LDT_LIMIT
  mov [gdt + ebx + 2], ax
  shr eax, 16
  mov [gdt + ebx + 4], al
  mov [gdt + ebx + 5], cl
  mov byte [gdt + ebx + 6], 0
  mov [gdt + ebx + 7], ah
  ret

test_main:
  mov eax, ldt_table
  mov ebx, SEL_LDT
  mov cl, 0x82                  ; present, type 2 (LDT)
  call set_ldt_desc
  mov eax, ldt_table
  mov ebx, SEL_LDT_NP
  mov cl, 0x02
  call set_ldt_desc
  mov dword [DATA_BASE + 0x10], 0x77665544

  ; LLDT, and loads through the LDT.
  mov ax, SEL_LDT
  lldt ax
  sldt eax
  CHECK eax, SEL_LDT, "SLDT returns the selector LLDT loaded"
  mov ax, LDT_DATA
  mov ds, ax
  mov eax, [0x10]
  mov bx, ds
  mov cx, SEL_DATA0
  mov ds, cx
  CHECK eax, 0x77665544, "MOV DS with TI = 1 loads the LDT descriptor's base"
  movzx ebx, bx
  CHECK ebx, LDT_DATA, "DS holds the LDT selector"
  movzx eax, byte [ldt_table + 5]
  CHECK eax, 0x93, "loading the LDT segment sets its accessed bit in the LDT"
  TRAP_TO .limit                ; (through DS, so before DS changes)
  mov ax, LDT_DATA
  mov ds, ax
.beyond_limit:
  mov eax, [0x1000]
  FAILED "an offset beyond the LDT descriptor's limit did not fault"
.limit:
  CHECK [last_vec], 13, "an offset beyond the LDT descriptor's limit: #GP(0)"
  CHECK [last_err], 0, "an offset beyond the LDT descriptor's limit: #GP(0)"
  CHECK [last_eip], .beyond_limit, "an offset beyond the LDT descriptor's limit: #GP(0)"
  les ebx, [far_data]
  mov eax, [es:0x10]
  mov cx, es
  mov dx, SEL_DATA0
  mov es, dx
  CHECK eax, 0x77665544, "LES loads ES through the LDT"
  movzx ecx, cx
  CHECK ecx, LDT_DATA, "ES holds the LDT selector"
  jmp LDT_CODE:.in_ldt_code
.in_ldt_code:
  mov ax, cs
  jmp SEL_CODE0:.back_in_gdt_code
.back_in_gdt_code:
  movzx eax, ax
  CHECK eax, LDT_CODE, "a far JMP loads CS from the LDT"

  ; Faults through the LDT.
  mov ax, LDT_BEYOND
  FAULTS 13, LDT_BEYOND, {mov ds, ax}, "a selector beyond the LDT's limit: #GP(selector)"
  mov ax, LDT_NP
  FAULTS 11, LDT_NP, {mov ds, ax}, "a not-present segment in the LDT: #NP(selector)"
  mov ax, LDT_DATA | 3
  AT_RING RING3, {mov ds, ax}, 13, LDT_DATA, "a DPL-0 LDT data segment loaded at ring 3: #GP(selector)"
  TRAP_TO .r3_back
  TO_RING RING3, .r3, 0x2
.r3:
  mov ax, LDT_DATA3
  mov ds, ax
  xor eax, eax
  mov ax, ds
  int VEC_SYSCALL
.r3_back:
  CHECK [last_vec], VEC_SYSCALL, "a DPL-3 LDT data segment loads at ring 3"
  CHECK [last_eax], LDT_DATA3, "DS holds the LDT selector at ring 3"

  ; LLDT's own checks.
  mov ax, SEL_DATA0
  FAULTS 13, SEL_DATA0, {lldt ax}, "LLDT of a data segment: #GP(selector)"
  mov ax, LDT_DATA
  FAULTS 13, LDT_DATA, {lldt ax}, "LLDT of a selector with TI = 1: #GP(selector)"
  mov ax, SEL_LDT_NP
  FAULTS 11, SEL_LDT_NP, {lldt ax}, "LLDT of a not-present LDT: #NP(selector)"
  xor eax, eax
  lldt ax
  sldt eax
  CHECK eax, 0, "LLDT of the null selector: SLDT returns 0"
  mov ax, LDT_DATA
  FAULTS 13, LDT_DATA, {mov ds, ax}, "a TI = 1 selector with a null LDTR: #GP(selector)"

  ; LTR (lib.inc loaded SEL_TSS).
  str eax
  CHECK eax, SEL_TSS, "STR returns the selector LTR loaded"
  movzx eax, byte [gdt + SEL_TSS + 5]
  CHECK eax, 0x8b, "LTR marks the TSS descriptor busy (type 11)"
  mov ax, SEL_TSS
  FAULTS 13, SEL_TSS, {ltr ax}, "LTR of a busy TSS: #GP(selector)"
  mov ax, SEL_DATA0
  FAULTS 13, SEL_DATA0, {ltr ax}, "LTR of a data segment: #GP(selector)"
  xor eax, eax
  FAULTS 13, 0, {ltr ax}, "LTR of the null selector: #GP(0)"
  ret

section .data
align 8
ldt_table:
  dq 0x0040923000000fff         ; LDT 0: data, DPL 0, base DATA_BASE, limit 0xfff (accessed bit clear)
  dq 0x00cf9b000000ffff         ; LDT 1: code, DPL 0, flat
  dq 0x00cf13000000ffff         ; LDT 2: data, not present
  dq 0x00cff3000000ffff         ; LDT 3: data, DPL 3, flat
LDT_LIMIT equ $ - ldt_table - 1
far_data: dd 0x10
  dw LDT_DATA
section .text
