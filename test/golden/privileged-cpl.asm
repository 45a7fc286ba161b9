; Privileged instructions at CPL 3 and CPL 1 raise #GP(0) (SDM Vol. 3A §5.9 "Privileged
; instructions": LGDT LIDT LLDT LTR LMSW CLTS MOV CRn MOV DRn INVD WBINVD INVLPG HLT RDMSR WRMSR,
; "can be executed only when CPL = 0"); CLI/STI and IN/OUT fault when CPL > IOPL and the I/O bitmap
; denies the port (SDM Vol. 1 §18.2, §18.5). EIP points at the faulting instruction.
%include "lib.inc"

%macro BOTH_RINGS 2
  AT_RING RING3, {%1}, 13, 0, %2
  AT_RING RING1, {%1}, 13, 0, %2
%endmacro

test_main:
  BOTH_RINGS cli, "CLI at CPL > IOPL: #GP(0)"
  BOTH_RINGS sti, "STI at CPL > IOPL: #GP(0)"
  BOTH_RINGS hlt, "HLT at CPL > 0: #GP(0)"
  BOTH_RINGS {mov cr3, eax}, "MOV to CR3 at CPL > 0: #GP(0)"
  BOTH_RINGS {mov eax, cr0}, "MOV from CR0 at CPL > 0: #GP(0)"
  BOTH_RINGS {in al, 0x80}, "IN at CPL > IOPL with the port denied: #GP(0)"
  BOTH_RINGS {out 0x80, al}, "OUT at CPL > IOPL with the port denied: #GP(0)"
  BOTH_RINGS {in eax, dx}, "IN EAX, DX denied: #GP(0)"
  BOTH_RINGS insb, "INS denied: #GP(0)"
  BOTH_RINGS {lgdt [gdtr]}, "LGDT at CPL > 0: #GP(0)"
  BOTH_RINGS {lidt [idtr]}, "LIDT at CPL > 0: #GP(0)"
  BOTH_RINGS {lldt ax}, "LLDT at CPL > 0: #GP(0)"
  BOTH_RINGS {ltr ax}, "LTR at CPL > 0: #GP(0)"
  BOTH_RINGS {lmsw ax}, "LMSW at CPL > 0: #GP(0)"
  BOTH_RINGS clts, "CLTS at CPL > 0: #GP(0)"
  BOTH_RINGS {mov dr7, eax}, "MOV to DR7 at CPL > 0: #GP(0)"
  BOTH_RINGS invd, "INVD at CPL > 0: #GP(0)"
  BOTH_RINGS wbinvd, "WBINVD at CPL > 0: #GP(0)"
  BOTH_RINGS {invlpg [0x1000]}, "INVLPG at CPL > 0: #GP(0)"
  BOTH_RINGS rdmsr, "RDMSR at CPL > 0: #GP(0)"
  BOTH_RINGS wrmsr, "WRMSR at CPL > 0: #GP(0)"
  BOTH_RINGS rdpmc, "RDPMC at CPL > 0 without CR4.PCE: #GP(0)"
  BOTH_RINGS sysexit, "SYSEXIT at CPL > 0: #GP(0)"
  ; Not privileged: these run at ring 3 without a fault.
  TRAP_TO .back
  TO_RING RING3, .r3, 0x2
.r3:
  cpuid
  rdtsc
  smsw eax
  int VEC_SYSCALL
.back:
  CHECK [last_vec], VEC_SYSCALL, "CPUID, RDTSC (CR4.TSD = 0) and SMSW run at CPL 3"
  ret
