; Segment-register loads and segment limits (SDM Vol. 3A §5.3–5.8; Vol. 2 MOV/POP "Operation"):
; DS/ES/FS/GS take null but fault on use; SS needs RPL = DPL = CPL and a writable data segment; a
; not-present segment raises #NP (or #SS for SS); limit violations raise #GP(0), or #SS(0) through
; SS; expand-down segments allow offsets above the limit only.
%include "lib.inc"

%macro LOAD_FAULT 4             ; segment register, selector, vector, error code
  TRAP_TO %%b
  mov ax, %2
%%i:
  mov %1, ax
  FAILED "segment load did not fault"
%%b:
  CHECK [last_vec], %3, "vector of the segment-load fault"
  CHECK [last_err], %4, "selector error code"
  CHECK [last_eip], %%i, "the load is the faulting instruction"
%endmacro

SEL_NP   equ SPARE(0)           ; data, not present
SEL_SMALL equ SPARE(1)          ; data, limit 0xfff
SEL_XO   equ SPARE(2)           ; code, execute-only
SEL_DOWN equ SPARE(3)           ; data, expand-down, limit 0xfff (valid: 0x1000–0xffffffff)
SEL_SSNP equ SPARE(4)           ; writable data, not present
SEL_SMALL3 equ SPARE(5)         ; data, DPL 3, limit 0xfff

test_main:
  mov dword [gdt + SEL_NP], 0x0000ffff
  mov dword [gdt + SEL_NP + 4], 0x00cf1300
  mov dword [gdt + SEL_SMALL], 0x00000fff
  mov dword [gdt + SEL_SMALL + 4], 0x00409300
  mov dword [gdt + SEL_XO], 0x0000ffff
  mov dword [gdt + SEL_XO + 4], 0x00cf9800
  mov dword [gdt + SEL_DOWN], 0x00000fff
  mov dword [gdt + SEL_DOWN + 4], 0x00409700
  mov dword [gdt + SEL_SSNP], 0x0000ffff
  mov dword [gdt + SEL_SSNP + 4], 0x00cf1300

  LOAD_FAULT ds, SEL_NP, 11, SEL_NP                 ; #NP(sel)
  LOAD_FAULT ss, SEL_SSNP, 12, SEL_SSNP             ; not-present SS: #SS(sel)
  LOAD_FAULT ds, SEL_XO, 13, SEL_XO                 ; execute-only code in DS: #GP(sel)
  LOAD_FAULT ss, SEL_CODE0, 13, SEL_CODE0           ; code in SS: #GP(sel)
  LOAD_FAULT ss, 0, 13, 0                           ; null SS: #GP(0)
  LOAD_FAULT ss, SEL_DATA3, 13, SEL_DATA3 & 0xfffc  ; SS with RPL ≠ CPL: #GP(sel)
  LOAD_FAULT ds, 0x1000, 13, 0x1000                 ; beyond the GDT limit: #GP(sel)
  LOAD_FAULT ds, 0x000c, 13, 0x000c                 ; TI = 1 with no LDT: #GP(sel)
  LOAD_FAULT ds, SEL_TSS, 13, SEL_TSS               ; a system descriptor: #GP(sel)

  ; DPL-0 data from ring 3: #GP(sel) (SDM Vol. 3A §5.7: DPL ≥ max(CPL, RPL)).
  AT_RING RING3, {mov fs, [ss:sel_data0]}, 13, SEL_DATA0, "ring 3 loading a DPL-0 data segment: #GP(sel)"

  ; Null in DS is allowed; using it is #GP(0).
  xor eax, eax
  mov fs, ax
  TRAP_TO .nul
.nulI:
  mov eax, [fs:0x1000]
  FAILED "access through a null segment did not fault"
.nul:
  CHECK [last_vec], 13, "access through a null selector: #GP"
  CHECK [last_err], 0, "error code 0"
  CHECK [last_eip], .nulI, "the access faults"

  ; A 4 KiB data segment: offset 0xffc ok, 0xffd for a dword crosses the limit: #GP(0).
  mov ax, SEL_SMALL
  mov es, ax
  mov dword [es:0xffc], 1
  TRAP_TO .lim
.limI:
  mov dword [es:0xffd], 1
  FAILED "limit violation did not fault"
.lim:
  CHECK [last_vec], 13, "limit violation: #GP(0)"
  CHECK [last_err], 0, "limit violation: error code 0"
  CHECK [last_eip], .limI, "limit violation: the access faults"

  ; Expand-down: offsets ≤ limit fault, offsets above are valid.
  mov ax, SEL_DOWN
  mov gs, ax
  mov eax, [gs:0x100000]
  TRAP_TO .down
.downI:
  mov eax, [gs:0x800]
  FAILED "expand-down below the limit did not fault"
.down:
  CHECK [last_vec], 13, "expand-down offset ≤ limit: #GP(0)"
  CHECK [last_eip], .downI, "expand-down: the access faults"

  ; The same limit violation through SS raises #SS(0). At ring 3, so the handler gets a good stack.
  mov dword [gdt + SEL_SMALL3], 0x00000fff
  mov dword [gdt + SEL_SMALL3 + 4], 0x0040f300
  TRAP_TO .stk
  TO_RING RING3, .r3, 0x2
.r3:
  mov ax, SEL_SMALL3 | 3
  mov ss, ax
  mov esp, 0x1000
.stkI:
  pop eax
  FAILED "stack limit violation did not fault"
.stk:
  CHECK [last_vec], 12, "stack limit violation: #SS(0)"
  CHECK [last_err], 0, "#SS error code 0"
  CHECK [last_eip], .stkI, "the POP faults"

  ; A write to a read-only segment (type 1): #GP(0); CS-override writes: #GP(0).
  mov byte [gdt + SEL_SMALL + 5], 0x91
  mov ax, SEL_SMALL
  mov es, ax
  TRAP_TO .ro
.roI:
  mov dword [es:0], 1
  FAILED "write to a read-only data segment did not fault"
.ro:
  CHECK [last_vec], 13, "write to a read-only segment: #GP(0)"
  CHECK [last_eip], .roI, "the write faults"
  TRAP_TO .cs
.csI:
  mov dword [cs:magic], 1
  FAILED "write through CS did not fault"
.cs:
  CHECK [last_vec], 13, "write through a code segment: #GP(0)"
  CHECK [last_eip], .csI, "the write faults"
  mov ax, SEL_DATA0
  mov es, ax
  mov fs, ax
  mov gs, ax
  ; The accessed bit of a loaded descriptor is set in memory (SDM Vol. 3A §3.4.5.1).
  test byte [gdt + SEL_DOWN + 5], 1
  jnz .acc
  FAILED "loading a segment did not set its accessed bit"
.acc:
  ret

section .data
sel_data0: dw SEL_DATA0
magic: dd 0
section .text
