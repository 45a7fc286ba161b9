; What changes in VMX non-root operation without a VM exit (SDM Vol. 3C §26.3): MOV from CR0 and SMSW
; read host-owned bits from the CR0 read shadow; CLTS and MOV to CR0 that do not exit leave host-owned
; bits alone (KVM's lazy FPU: the guest clears TS, the host keeps it set, and x87 code still raises
; #NM); RDTSC and RDMSR of the TSC add the TSC offset; CPUID shows only what the monitor chooses.
; GETSEC and XSETBV, which exit unconditionally (§26.1.2), raise #UD first (§26.1.1): CR4.SMXE and
; CR4.OSXSAVE cannot be set on this CPU. RDPMC at CPL 0 is the #GP(0) of bare metal (no counters are
; modelled) and never exits: RDPMC exiting is not offered.
; VMCALL with EAX = n asks the monitor (nonexiting.test.ts) for step n.
%include "lib.inc"

%macro ASK 1
  mov eax, %1
  vmcall
%endmacro

test_main:
  ASK 0                         ; the monitor: CR0.TS host-owned, 1 in CR0 and 0 in the read shadow
  mov eax, cr0
  CHECK eax, 0x11, "MOV from CR0: TS from the shadow, NE hidden"
  smsw ebx
  CHECK ebx, 0x11, "SMSW: the same view"
  clts                          ; no exit: TS is host-owned and 0 in the shadow
  TRAP_TO .nm1
  fninit                        ; CR0.TS is still 1: #NM
  FAILED "no #NM after CLTS"
.nm1:
  CHECK [last_vec], 7, "#NM: TS stayed set"
  mov eax, 0x11
  mov cr0, eax                  ; no exit: TS matches the shadow; the host's TS stays
  TRAP_TO .nm2
  fninit
  FAILED "no #NM after MOV to CR0"
.nm2:
  CHECK [last_vec], 7, "#NM again"

  rdtsc                         ; no RDTSC exiting; TSC offset 1_00000000H
  CHECK edx, 1, "RDTSC high half carries the offset"
  mov ecx, 0x10
  rdmsr                         ; exits (its MSR-bitmap bit is 1), emulated with the same offset
  CHECK edx, 1, "RDMSR IA32_TIME_STAMP_COUNTER carries the offset"

  mov eax, 1
  cpuid                         ; exits; the bare CPU's answer: no hypervisor bit
  test ecx, 1 << 31
  jz .bare
  FAILED "hypervisor bit set by the null monitor"
.bare:
  ASK 1                         ; the monitor now shows itself (leaf 1 ECX[31], leaf 40000000H)
  mov eax, 1
  cpuid
  test ecx, 1 << 31
  jnz .shown
  FAILED "no hypervisor bit"
.shown:
  mov eax, 0x40000000
  cpuid
  CHECK ebx, 'Ring', "hypervisor vendor, part 1"
  CHECK ecx, 'side', "hypervisor vendor, part 2"

  ; CR4.SMXE (bit 14) and CR4.OSXSAVE (bit 18) are reserved on this CPU: MOV to CR4 raises #GP(0).
  mov eax, cr4
  mov ebx, eax
  or eax, 1 << 14
  TRAP_TO .smxe
  mov cr4, eax
  FAILED "CR4.SMXE could be set"
.smxe:
  CHECK [last_vec], 13, "MOV to CR4 with SMXE: #GP"
  mov eax, ebx
  or eax, 1 << 18
  TRAP_TO .osxsave
  mov cr4, eax
  FAILED "CR4.OSXSAVE could be set"
.osxsave:
  CHECK [last_vec], 13, "MOV to CR4 with OSXSAVE: #GP"
  ; So GETSEC (CR4.SMXE = 0) and XSETBV (CR4.OSXSAVE = 0) are #UD in the guest, without an exit.
  xor eax, eax                  ; GETSEC[CAPABILITIES]
  TRAP_TO .getsec
.getsec_insn:
  getsec
  FAILED "GETSEC did not fault"
.getsec:
  CHECK [last_vec], 6, "GETSEC: #UD"
  CHECK [last_eip], .getsec_insn, "GETSEC: #UD at the instruction"
  xor ecx, ecx                  ; XCR0 = x87 only
  xor edx, edx
  mov eax, 1
  TRAP_TO .xsetbv
.xsetbv_insn:
  xsetbv
  FAILED "XSETBV did not fault"
.xsetbv:
  CHECK [last_vec], 6, "XSETBV: #UD"
  CHECK [last_eip], .xsetbv_insn, "XSETBV: #UD at the instruction"
  xor ecx, ecx
  TRAP_TO .rdpmc
.rdpmc_insn:
  rdpmc
  FAILED "RDPMC did not fault"
.rdpmc:
  CHECK [last_vec], 13, "RDPMC at CPL 0: #GP"
  CHECK [last_err], 0, "RDPMC: #GP(0)"
  CHECK [last_eip], .rdpmc_insn, "RDPMC: #GP at the instruction"
  ret
