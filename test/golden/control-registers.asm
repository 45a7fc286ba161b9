; Control and debug registers at CPL 0 (SDM Vol. 2 "MOV—Move to/from Control Registers", "MOV—Move
; to/from Debug Registers", LMSW, INVD, WBINVD; Vol. 3A §2.5, §17.2):
; - CR1, CR5, CR6 and CR7 are reserved: MOV to or from them raises #UD;
; - MOV to CR0 with PG set and PE clear, or NW set and CD clear, raises #GP(0); CD with NW is allowed;
; - MOV to CR4 that sets a reserved bit raises #GP(0) and leaves CR4 as it was. The bits of features
;   this CPU does not report in CPUID (VME, PVI, PAE, MCE, OSFXSR, OSXMMEXCPT, SMXE) are reserved for
;   it; bit 31 is reserved everywhere. TSD, DE, PSE, PGE and PCE are there and read back;
; - DR4 and DR5 are DR6 and DR7 while CR4.DE is clear (§17.2.2), with DR6's and DR7's fixed bits;
;   with CR4.DE set, MOV to or from DR4/DR5 raises #UD; DR0–DR3 hold any value;
; - LMSW loads CR0 bits 3:0 (PE, MP, EM, TS) but cannot clear PE;
; - INVD and WBINVD execute at CPL 0 (caches are not modelled, so there is nothing more to see).
; The same instructions at CPL 1 and 3 are in privileged-cpl.asm.
%include "lib.inc"

CR0_PE equ 1
CR0_ET equ 0x10
CR0_NW equ 1 << 29
CR0_CD equ 1 << 30
CR0_PG equ 1 << 31
CR4_OK equ 0x19c                ; TSD, DE, PSE, PGE, PCE

%macro CR4_RESERVED 2           ; bit, "what"
  mov eax, 1 << %1
  FAULTS 13, 0, {mov cr4, eax}, %2
  mov eax, cr4
  CHECK eax, 0, "a MOV to CR4 that faults leaves CR4 unchanged"
%endmacro

test_main:
  FAULTS 6, -1, {mov eax, cr1}, "MOV from CR1: #UD"
  FAULTS 6, -1, {mov cr1, eax}, "MOV to CR1: #UD"
  FAULTS 6, -1, {mov eax, cr5}, "MOV from CR5: #UD"
  FAULTS 6, -1, {mov cr5, eax}, "MOV to CR5: #UD"
  FAULTS 6, -1, {mov eax, cr6}, "MOV from CR6: #UD"
  FAULTS 6, -1, {mov cr6, eax}, "MOV to CR6: #UD"
  FAULTS 6, -1, {mov eax, cr7}, "MOV from CR7: #UD"
  FAULTS 6, -1, {mov cr7, eax}, "MOV to CR7: #UD"

  ; CR0.
  mov eax, cr0
  mov esi, eax                  ; the value to keep
  CHECK eax, CR0_PE | CR0_ET, "CR0 is PE | ET at the multiboot hand-off"
  and eax, ~CR0_PE
  or eax, CR0_PG
  FAULTS 13, 0, {mov cr0, eax}, "MOV to CR0 with PG set and PE clear: #GP(0)"
  mov eax, esi
  or eax, CR0_NW
  FAULTS 13, 0, {mov cr0, eax}, "MOV to CR0 with NW set and CD clear: #GP(0)"
  mov eax, cr0
  CHECK eax, esi, "a MOV to CR0 that faults leaves CR0 unchanged"
  mov eax, esi
  or eax, CR0_CD | CR0_NW
  mov cr0, eax
  mov ebx, cr0
  CHECK ebx, CR0_CD | CR0_NW | CR0_PE | CR0_ET, "MOV to CR0 with CD and NW both set is allowed"
  mov cr0, esi

  ; CR4.
  mov eax, cr4
  CHECK eax, 0, "CR4 is 0 at the multiboot hand-off"
  CR4_RESERVED 0, "CR4.VME (not reported by CPUID): #GP(0)"
  CR4_RESERVED 1, "CR4.PVI (not reported by CPUID): #GP(0)"
  CR4_RESERVED 5, "CR4.PAE (not reported by CPUID): #GP(0)"
  CR4_RESERVED 6, "CR4.MCE (not reported by CPUID): #GP(0)"
  CR4_RESERVED 9, "CR4.OSFXSR (no FXSR): #GP(0)"
  CR4_RESERVED 10, "CR4.OSXMMEXCPT (no SSE): #GP(0)"
  CR4_RESERVED 14, "CR4.SMXE (no SMX): #GP(0)"
  CR4_RESERVED 31, "CR4 bit 31 (reserved): #GP(0)"
  mov eax, CR4_OK
  mov cr4, eax
  mov ebx, cr4
  CHECK ebx, CR4_OK, "CR4.TSD, DE, PSE, PGE and PCE can be set and read back"
  xor eax, eax
  mov cr4, eax

  ; Debug registers, CR4.DE clear: DR4 is DR6, DR5 is DR7.
  mov eax, 0x12345678
  mov dr0, eax
  mov ebx, dr0
  CHECK ebx, 0x12345678, "DR0 holds the value written"
  mov eax, 0x400f               ; B0–B3 and BS
  mov dr4, eax
  mov ebx, dr6
  CHECK ebx, 0xffff4fff, "MOV to DR4 writes DR6 (bits 4-11 and 16-31 read 1, bit 12 reads 0)"
  mov eax, dr4
  CHECK eax, 0xffff4fff, "MOV from DR4 reads DR6"
  mov eax, 0x00000003           ; L0, G0
  mov dr5, eax
  mov ebx, dr7
  CHECK ebx, 0x403, "MOV to DR5 writes DR7 (bit 10 reads 1)"
  mov eax, dr5
  CHECK eax, 0x403, "MOV from DR5 reads DR7"
  xor eax, eax
  mov dr7, eax
  mov dr6, eax

  ; CR4.DE set: DR4 and DR5 are reserved.
  mov eax, 8
  mov cr4, eax
  FAULTS 6, -1, {mov eax, dr4}, "MOV from DR4 with CR4.DE: #UD"
  FAULTS 6, -1, {mov dr4, eax}, "MOV to DR4 with CR4.DE: #UD"
  FAULTS 6, -1, {mov eax, dr5}, "MOV from DR5 with CR4.DE: #UD"
  FAULTS 6, -1, {mov dr5, eax}, "MOV to DR5 with CR4.DE: #UD"
  mov eax, dr7
  CHECK eax, 0x400, "DR7 itself is still there with CR4.DE"
  xor eax, eax
  mov cr4, eax

  ; LMSW loads PE, MP, EM and TS, but cannot clear PE.
  mov ax, 0xe                   ; MP, EM, TS; PE clear
  lmsw ax
  mov eax, cr0
  CHECK eax, CR0_PE | CR0_ET | 0xe, "LMSW sets MP, EM and TS and cannot clear PE"
  xor eax, eax
  lmsw ax
  mov eax, cr0
  CHECK eax, CR0_PE | CR0_ET, "LMSW clears MP, EM and TS and still cannot clear PE"

  ; INVD and WBINVD execute at CPL 0.
  TRAP_TO .unexpected
  invd
  wbinvd
  mov dword [resume_eip], 0
  ret
.unexpected:
  FAILED "INVD or WBINVD faulted at CPL 0"
