; CPUID, RDTSC, MSRs and SYSENTER/SYSEXIT (SDM Vol. 2 for each; MSRs in SDM Vol. 4). Ringside's CPU
; reports "GenuineIntel", VMX (CPUID.1:ECX[5]) and no hypervisor (CPUID.1:ECX[31]); no x87 unit.
%include "lib.inc"

test_main:
  xor eax, eax
  cpuid
  CHECK ebx, 'Genu', "CPUID.0 vendor EBX"
  CHECK edx, 'ineI', "CPUID.0 vendor EDX"
  CHECK ecx, 'ntel', "CPUID.0 vendor ECX"
  mov eax, 1
  cpuid
  mov eax, ecx
  and eax, 0x80000020
  CHECK eax, 0x20, "CPUID.1:ECX: VMX set, hypervisor-present clear"
  mov eax, edx
  and eax, 0x0000a93d
  CHECK eax, 0x0000a93c, "CPUID.1:EDX: TSC MSR CX8 SEP PGE CMOV PSE DE set, FPU clear"
  mov eax, 0x80000000
  cpuid
  CHECK eax, 0x80000004, "extended leaves up to the brand string"
  mov eax, 0x80000002
  cpuid
  CHECK eax, 'Ring', "brand string"

  ; RDTSC advances; CR4.TSD makes it privileged.
  rdtsc
  mov ebx, eax
  nop
  rdtsc
  sub eax, ebx
  cmp eax, 0
  jg .tsc_ok
  FAILED "RDTSC does not advance"
.tsc_ok:
  mov eax, cr4
  or eax, 4
  mov cr4, eax
  AT_RING RING3, rdtsc, 13, 0, "RDTSC at CPL 3 with CR4.TSD: #GP(0)"
  rdtsc                         ; still fine at CPL 0
  mov eax, cr4
  and eax, ~4
  mov cr4, eax

  ; Writing IA32_TIME_STAMP_COUNTER sets the counter.
  mov ecx, 0x10
  mov eax, 0
  mov edx, 0x1234
  wrmsr
  rdtsc
  CHECK edx, 0x1234, "WRMSR to the TSC sets its high half"
  ; SYSENTER MSRs read back.
  mov ecx, 0x176
  mov eax, 0xdeadbee0
  xor edx, edx
  wrmsr
  xor eax, eax
  rdmsr
  CHECK eax, 0xdeadbee0, "IA32_SYSENTER_EIP reads back"
  ; IA32_EFER is absent (no long mode, NX or SYSCALL): #GP(0). IA32_FEATURE_CONTROL is locked.
  mov ecx, 0xc0000080
  TRAP_TO .efer
  rdmsr
  FAILED "RDMSR of IA32_EFER did not fault"
.efer:
  CHECK [last_vec], 13, "RDMSR of an absent MSR: #GP(0)"
  mov ecx, 0x3a
  rdmsr
  and eax, 5
  CHECK eax, 5, "IA32_FEATURE_CONTROL: locked, VMX outside SMX enabled"
  TRAP_TO .locked
  wrmsr
  FAILED "WRMSR to a locked IA32_FEATURE_CONTROL did not fault"
.locked:
  CHECK [last_vec], 13, "WRMSR to a locked IA32_FEATURE_CONTROL: #GP(0)"

  ; SYSENTER with IA32_SYSENTER_CS = 0: #GP(0).
  AT_RING RING3, sysenter, 13, 0, "SYSENTER with IA32_SYSENTER_CS = 0: #GP(0)"
  ; SYSENTER from ring 3 to ring 0 and SYSEXIT back (fixed flat segments from SYSENTER_CS).
  mov ecx, 0x174
  mov eax, SEL_CODE0
  xor edx, edx
  wrmsr
  mov ecx, 0x175
  mov eax, ESP0
  wrmsr
  mov ecx, 0x176
  mov eax, sysenter_target
  wrmsr
  TRAP_TO .back
  TO_RING RING3, .r3, 0x202
.r3:
  mov ecx, esp
  mov edx, .r3_back
  sysenter
.r3_back:
  mov ax, cs
  movzx ebx, ax
  int VEC_SYSCALL
.back:
  CHECK [s_cs], SEL_CODE0, "SYSENTER: CS = IA32_SYSENTER_CS"
  CHECK [s_ss], SEL_CODE0 + 8, "SYSENTER: SS = IA32_SYSENTER_CS + 8"
  CHECK [s_esp], ESP0, "SYSENTER: ESP = IA32_SYSENTER_ESP"
  CHECK [s_if], 0, "SYSENTER clears IF"
  CHECK [last_cs], SEL_CODE0 + 16 + 3, "SYSEXIT: CS = IA32_SYSENTER_CS + 16, RPL 3"
  CHECK [last_ss], SEL_CODE0 + 24 + 3, "SYSEXIT: SS = IA32_SYSENTER_CS + 24, RPL 3"
  CHECK [last_esp], STACK3, "SYSEXIT: ESP = ECX"
  ret

sysenter_target:
  mov ax, cs
  movzx eax, ax
  mov [ss:s_cs], eax
  mov ax, ss
  movzx eax, ax
  mov [ss:s_ss], eax
  mov [ss:s_esp], esp
  pushfd
  pop eax
  and eax, 0x200
  mov [ss:s_if], eax
  sysexit

section .data
s_cs: dd 0
s_ss: dd 0
s_esp: dd 0
s_if: dd -1
section .text
