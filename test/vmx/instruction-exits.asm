; Instructions that exit in VMX non-root operation (SDM Vol. 3C §26.1) under the controls
; instruction-exits.test.ts sets: each labelled instruction below causes the exit the test expects
; there, the monitor handles it (emulates it, or does what the comment says and skips it), and the
; code after it checks that the guest resumed as it should. Instructions marked "no exit" run natively.
; Paging is off (unrestricted guest), DS is flat, so a label's address is its linear address.
%include "lib.inc"

CR3_TARGET equ 0x00123000

test_main:
.marker:
  vmcall                        ; 18: the monitor starts checking here (and skips the VMCALL)

  ; ---- CPUID, INVD: unconditional
  mov eax, 1
  xor ebx, ebx
.cpuid:
  cpuid                         ; 10: the monitor sets EBX = 0x4d4f4e49 ("INOM") and skips
  CHECK ebx, 0x4d4f4e49, "CPUID answered by the monitor"
.invd:
  invd                          ; 13

  ; ---- RDTSC exiting
.rdtsc:
  rdtsc                         ; 16: the monitor returns EDX:EAX = 0x01234567_89abcdef
  CHECK eax, 0x89abcdef, "RDTSC low half from the monitor"
  CHECK edx, 0x01234567, "RDTSC high half from the monitor"

  ; ---- MSR bitmap: read of 0x174 and write of 0x176 exit, read of 0x175 does not
  mov ecx, 0x174
.rdmsr:
  rdmsr                         ; 31 (emulated: IA32_SYSENTER_CS)
  mov ecx, 0x176
  mov eax, 0x00abcdef
  xor edx, edx
.wrmsr:
  wrmsr                         ; 32 (emulated)
  mov ecx, 0x176
  rdmsr                         ; no exit
  CHECK eax, 0x00abcdef, "WRMSR emulated"
  TRAP_TO .vmx_msr
  mov ecx, 0x480                ; IA32_VMX_BASIC: no nested VMX, the bitmap lets it through
  rdmsr                         ; no exit: #GP(0) in the guest
  FAILED "RDMSR IA32_VMX_BASIC did not fault"
.vmx_msr:
  CHECK [last_vec], 13, "RDMSR IA32_VMX_BASIC raised #GP"

  ; ---- control registers
  mov eax, cr4                  ; no exit: VMXE is host-owned and hidden by the read shadow
  test eax, 1 << 13
  jz .vmxe_hidden
  FAILED "the guest sees CR4.VMXE"
.vmxe_hidden:
  or eax, 1 << 4                ; PSE is guest-owned: no exit
  mov cr4, eax
  or eax, 1 << 7
.movcr4:
  mov cr4, eax                  ; 28: PGE is host-owned in this test (emulated)
  mov eax, cr0
  or eax, 1 << 3
.movcr0:
  mov cr0, eax                  ; 28: TS is host-owned, the shadow says 0 (the monitor sets shadow TS = 1, skips)
  mov ebx, cr0
  test ebx, 1 << 3
  jnz .ts_shadow
  FAILED "MOV from CR0 did not read TS from the shadow"
.ts_shadow:
.clts:
  clts                          ; 28: TS host-owned and 1 in the shadow (the monitor clears the shadow's TS, skips)
  mov eax, 2                    ; MP, host-owned, 0 in the shadow
.lmsw:
  lmsw ax                       ; 28 (emulated: MP stays as the host has it)
  mov eax, CR3_TARGET
  mov cr3, eax                  ; no exit: a CR3-target value
  mov eax, 0x00456000
.movcr3:
  mov cr3, eax                  ; 28 (emulated)
.movfromcr3:
  mov ebx, cr3                  ; 28: CR3-store exiting (emulated)
  CHECK ebx, 0x00456000, "MOV from CR3 emulated"

  ; ---- MOV DR exiting
  mov eax, 0x401
.movdr7:
  mov dr7, eax                  ; 29 (emulated)
.movdr6:
  mov ebx, dr6                  ; 29 (emulated)
.readdr7:
  mov eax, dr7                  ; 29 (emulated)
  CHECK eax, 0x401, "MOV DR7 emulated"

  ; ---- INVLPG, PAUSE, WBINVD
.invlpg:
  invlpg [0x400000]             ; 14 (emulated)
.pause:
  pause                         ; 40
.wbinvd:
  wbinvd                        ; 54

  ; ---- descriptor-table exiting
.sgdt:
  sgdt [scratch]                ; 46 (emulated)
  movzx eax, word [scratch]
  CHECK eax, gdt_end - gdt - 1, "SGDT emulated"
  mov ebx, scratch - 8
  mov esi, 1
.sidt:
  sidt [ebx + esi * 4 + 4]      ; 46 (emulated)
  movzx eax, word [scratch]
  CHECK eax, 256 * 8 - 1, "SIDT emulated"
.lgdt:
  lgdt [gdtr]                   ; 46 (emulated)
.sldt:
  sldt eax                      ; 47 (emulated)
.str:
  str [scratch]                 ; 47 (emulated)
  movzx eax, word [scratch]
  CHECK eax, SEL_TSS, "STR emulated"
  xor eax, eax
.lldt:
  lldt ax                       ; 47 (emulated: the null LDT)

  ; ---- I/O bitmaps: ports 0x80 and 0x2f8 exit, the others (COM1, isa-debug-exit) do not
.in80:
  in al, 0x80                   ; 30 (emulated: nothing there reads FFh)
  CHECK eax, 0xff, "IN from an empty port"
.in7f:
  in ax, 0x7f                   ; 30: a word at 0x7f also touches 0x80
  mov dx, 0x2f8
  mov al, '>'
.out2f8:
  out dx, al                    ; 30 (emulated: COM2 sends it)
  mov esi, text
  mov ecx, 4
  cld
.outsb:
  rep outsb                     ; 30: one exit, the emulator does all four
  CHECK ecx, 0, "REP OUTSB ran to the end"

  ; ---- the VMX instructions: no nested VMX, the monitor makes each one #UD
%macro VMX_UD 2
  TRAP_TO %%back
.%1:
  %2
  FAILED "no #UD"
%%back:
  CHECK [last_vec], 6, "#UD"
%endmacro
  VMX_UD vmxon, {vmxon [scratch]}
  VMX_UD vmclear, {vmclear [scratch]}
  VMX_UD vmptrld, {vmptrld [scratch]}
  VMX_UD vmptrst, {vmptrst [scratch]}
  mov ebx, 0x4402
  VMX_UD vmread, {vmread eax, ebx}
  VMX_UD vmwrite, {vmwrite ebx, [scratch]}
  VMX_UD vmlaunch, {vmlaunch}
  VMX_UD vmresume, {vmresume}
  VMX_UD vmxoff, {vmxoff}
  VMX_UD invept, {invept eax, [scratch]}
  VMX_UD invvpid, {invvpid eax, [scratch]}
  ret

section .data
scratch: times 16 db 0
text: db "VMX", 10
section .text
