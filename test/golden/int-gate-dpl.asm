; INT n, INT3 and INTO check the gate's DPL against CPL; a DPL-0 gate used from ring 3 raises
; #GP(vector·8 + 2): the IDT flag (bit 1) set, EXT (bit 0) clear (SDM Vol. 3A §6.12.1.1, §6.13).
; INTO raises #OF (a trap) only when OF = 1 (SDM Vol. 2 "INT n/INTO/INT3/INT1").
; INT1 (ICEBP, F1) has no DPL check. A gate beyond the IDT limit gives #GP(vector·8 + 2) too, and a
; gate that is not present #NP(vector·8 + 2).
%include "lib.inc"

test_main:
  ; Gate 0x41: DPL 0. Gate 0x42: DPL 3 but not present.
  mov ecx, 0x41
  mov eax, dummy
  mov edx, SEL_CODE0
  mov bl, 0x8e
  call set_gate
  mov ecx, 0x42
  mov bl, 0x6e
  call set_gate
  AT_RING RING3, {int 0x41}, 13, 0x41 * 8 + 2, "INT 0x41 through a DPL-0 gate from ring 3: #GP(0x20a)"
  AT_RING RING1, {int 0x41}, 13, 0x41 * 8 + 2, "INT 0x41 through a DPL-0 gate from ring 1: #GP(0x20a)"
  AT_RING RING3, int3, 13, 3 * 8 + 2, "INT3 through the DPL-0 #BP gate from ring 3: #GP(0x1a)"
  AT_RING RING3, {int 0x42}, 11, 0x42 * 8 + 2, "INT 0x42, gate DPL 3 but not present: #NP(0x212)"
  AT_RING RING3, {int 3}, 13, 3 * 8 + 2, "INT 3 (CD 03) is checked like INT3: #GP(0x1a)"

  ; INTO with OF = 1 is INT 4, checked the same way: #GP(4·8 + 2) through the DPL-0 #OF gate.
  TRAP_TO .into_gp
  TO_RING RING3, .into_r3, 0x802
.into_r3:
  into
  FAILED "INTO with OF = 1 through the DPL-0 #OF gate from ring 3 did not fault"
.into_gp:
  CHECK [last_vec], 13, "INTO through the DPL-0 #OF gate from ring 3: #GP(0x22)"
  CHECK [last_err], 4 * 8 + 2, "INTO through the DPL-0 #OF gate from ring 3: #GP(0x22)"
  CHECK [last_eip], .into_r3, "the #GP of INTO is a fault: EIP at INTO"
  ; Through a DPL-3 #OF gate it raises #OF, a trap: EIP after INTO.
  mov byte [idt + 4 * 8 + 5], 0xee
  TRAP_TO .into_of
  TO_RING RING3, .into_r3_dpl3, 0x802
.into_r3_dpl3:
  into
.after_into:
  FAILED "INTO with OF = 1 through a DPL-3 gate did not trap"
.into_of:
  mov byte [idt + 4 * 8 + 5], 0x8e
  CHECK [last_vec], 4, "INTO with OF = 1 through a DPL-3 gate from ring 3: #OF"
  CHECK [last_eip], .after_into, "#OF from INTO is a trap: EIP after INTO"
  ; With OF = 0, INTO does nothing, whatever the gate.
  TRAP_TO .into_nothing
  TO_RING RING3, .into_r3_of0, 0x2
.into_r3_of0:
  into
  int VEC_SYSCALL
.into_nothing:
  CHECK [last_vec], VEC_SYSCALL, "INTO with OF = 0 does nothing"

  ; From ring 0 the DPL-0 gate is fine.
  mov dword [hits], 0
  int 0x41
  CHECK [hits], 1, "INT 0x41 through a DPL-0 gate at CPL 0 reaches the handler"

  ; INT1 skips the DPL check: from ring 3 it reaches the (DPL-0) #DB gate.
  TRAP_TO .db
  TO_RING RING3, .r3, 0x2
.r3:
  db 0xf1
.after_int1:
  FAILED "INT1 did not trap"
.db:
  CHECK [last_vec], 1, "INT1 from ring 3 is delivered through the #DB gate without a DPL check"
  CHECK [last_eip], .after_int1, "INT1 pushes the address of the next instruction"

  ; A vector beyond the IDT limit: #GP(vector·8 + 2).
  mov word [idtr], 0x50 * 8 - 1
  lidt [idtr]
  TRAP_TO .lim
  int 0x60
.lim:
  mov word [idtr], 256 * 8 - 1
  lidt [idtr]
  CHECK [last_vec], 13, "INT 0x60 beyond the IDT limit: #GP"
  CHECK [last_err], 0x60 * 8 + 2, "error code 0x302 (vector·8 + IDT bit)"
  ret

dummy:
  inc dword [ss:hits]
  iretd

section .data
hits: dd 0
section .text
