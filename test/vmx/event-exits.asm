; Events in VMX non-root operation (SDM Vol. 3C §26.2, §26.7.5, §27.6, §28.2.2–28.2.4): exceptions
; through the exception bitmap, external interrupts under external-interrupt exiting, the interrupt
; window with IF = 0 and in the STI and MOV-SS shadows, HLT exiting with an interrupt pending, HLT
; without HLT exiting, event injection of each type, an exit during the delivery of INT n, and the
; VMX-preemption timer. VMCALL with EAX = n asks the monitor (event-exits.test.ts) for step n.
%include "lib.inc"

IRQ_VECTOR equ 0x25             ; IRQ 5 (nothing else uses it), raised by the monitor
UNMAPPED   equ 0xd00000         ; a page EPT does not map until the monitor handles the violation
PD         equ 0x200000

%macro ASK 1
  mov eax, %1
  vmcall
%endmacro

test_main:
  ; PIC: master vectors 0x20–0x27, slave 0x28–0x2f; IRQ 0 and 5 unmasked. IRQ 5 → irq5, IRQ 0 → irq0.
  mov al, 0x11
  out 0x20, al
  out 0xa0, al
  mov al, 0x20
  out 0x21, al
  mov al, 0x28
  out 0xa1, al
  mov al, 4
  out 0x21, al
  mov al, 2
  out 0xa1, al
  mov al, 1
  out 0x21, al
  out 0xa1, al
  mov al, 0xde
  out 0x21, al
  mov al, 0xff
  out 0xa1, al
  mov ecx, IRQ_VECTOR
  mov eax, irq5
  mov edx, SEL_CODE0
  mov bl, 0x8e
  call set_gate
  mov ecx, 0x20
  mov eax, irq0
  call set_gate
  ASK 0                         ; 18: from here on the monitor checks each exit

  ; ---- exceptions selected by the exception bitmap (#UD, #GP, #BP, #PF on writes only)
  TRAP_TO .ud_back
.ud:
  ud2                           ; 0: #UD, hardware exception; the monitor reflects it
  FAILED "UD2 did not fault"
.ud_back:
  CHECK [last_vec], 6, "#UD reflected into the guest"
  CHECK [last_eip], .ud, "#UD at the UD2"
  TRAP_TO .gp_back
  mov ax, 0x7b                  ; an empty GDT slot: #GP(0x78)
.gp:
  mov ds, ax                    ; 0: #GP with error code 0x78; reflected
  FAILED "MOV DS did not fault"
.gp_back:
  CHECK [last_vec], 13, "#GP reflected"
  CHECK [last_err], 0x78, "#GP error code kept"
  TRAP_TO .bp_back
.int3:
  int3                          ; 0: #BP, software exception, length 1; re-injected with its length
.bp_back:
  CHECK [last_vec], 3, "#BP reflected"
  CHECK [last_eip], .int3 + 1, "#BP returns after INT3"
  ; Paging with one 4 MiB page at 0; 4–8 MiB not present.
  mov dword [PD], 0x83
  mov dword [PD + 4], 0
  mov eax, cr4
  or eax, 1 << 4
  mov cr4, eax
  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  TRAP_TO .pfr_back
  mov eax, [0x400000]           ; a read: the error code does not match, #PF goes to the guest directly
  FAILED "read did not fault"
.pfr_back:
  CHECK [last_vec], 14, "read #PF delivered"
  CHECK [last_cr2], 0x400000, "CR2 of the read fault"
  TRAP_TO .pfw_back
.pfwrite:
  mov dword [0x400010], 1       ; 0: a write #PF exits (qualification = the address; CR2 unchanged)
  FAILED "write did not fault"
.pfw_back:
  CHECK [last_vec], 14, "write #PF reflected"
  CHECK [last_err], 2, "write #PF error code"
  CHECK [last_cr2], 0x400010, "the monitor set CR2 before reflecting"
  mov eax, cr0
  and eax, 0x7fffffff
  mov cr0, eax

  ; ---- external-interrupt exiting (acknowledge on exit) while IF = 0, then the interrupt window
  cli
  ASK 1                         ; the monitor raises IRQ 5
.ext:
  mov ecx, 1000                 ; 1: before this instruction, whatever IF says
.spin:
  loop .spin                    ; no interrupt-window exit while IF = 0
  sti
  inc ecx                       ; the STI shadow
.window:
  nop                           ; 7: the window opens here; the monitor injects the vector
  cli
  CHECK [irq5_count], 1, "the injected interrupt ran once"
  CHECK [irq5_eip], .window, "it interrupted the instruction where the window opened"
  ASK 2                         ; the monitor sets interrupt-window exiting again
  mov ax, ss
  sti
  mov ss, ax                    ; STI shadow, then the MOV-SS shadow
  inc ecx
.window2:
  nop                           ; 7: after the instruction following MOV SS

  ; ---- HLT exiting with an interrupt pending
  cli
  ASK 3                         ; IRQ 5 again: exit 1, kept pending by the monitor (IF = 0)
  sti
.hlt:
  hlt                           ; 12: the monitor skips it and injects the pending interrupt
.after_hlt:
  cli
  CHECK [irq5_count], 2, "the interrupt woke the HLT"
  CHECK [irq5_eip], .after_hlt, "after the HLT"

  ; ---- HLT without HLT exiting: the vCPU halts in non-root operation until the PIT's IRQ 0
  ASK 4                         ; the monitor clears HLT exiting
  mov al, 0x30                  ; PIT channel 0, mode 0 (one shot), count 100
  out 0x43, al
  mov al, 100
  out 0x40, al
  mov al, 0
  out 0x40, al
  sti
.hlt2:
  hlt                           ; halts; IRQ 0 → exit 1 with the activity state HLT
.after_hlt2:
  cli
  CHECK [irq0_count], 1, "IRQ 0 woke the halted guest"
  CHECK [irq0_eip], .after_hlt2, "after the HLT"

  ; ---- injection of each event type: the monitor injects at the VMCALL's exit
  TRAP_TO .nmi_back
  ASK 5                         ; NMI (type 2)
  FAILED "no NMI"
.nmi_back:
  CHECK [last_vec], 2, "NMI injected"
  TRAP_TO .hw_back
.hw:
  ASK 6                         ; #GP with error code 0x18 (type 3)
  FAILED "no #GP"
.hw_back:
  CHECK [last_vec], 13, "#GP injected"
  CHECK [last_err], 0x18, "with its error code"
  CHECK [last_eip], .hw + 8, "after the VMCALL (the monitor skipped it)"
  TRAP_TO .int_back
.softint:
  ASK 7                         ; INT 0x30 (type 4) with the VMCALL's length
  FAILED "no INT 0x30"
.int_back:
  CHECK [last_vec], VEC_SYSCALL, "INT 0x30 injected"
  CHECK [last_eip], .softint + 8, "returns after the VMCALL"
  TRAP_TO .bp2_back
.softexc:
  ASK 8                         ; #BP (type 6)
  FAILED "no #BP"
.bp2_back:
  CHECK [last_vec], 3, "#BP injected"
  CHECK [last_eip], .softexc + 8, "returns after the VMCALL"
  TRAP_TO .db_back
.privexc:
  ASK 9                         ; INT1 (type 5)
  FAILED "no INT1"
.db_back:
  CHECK [last_vec], 1, "INT1 injected"
  CHECK [last_eip], .privexc + 8, "returns after the VMCALL"

  ; ---- an exit during the delivery of INT n: the stack is on a page EPT does not map yet
  TRAP_TO .vec_back
  mov esp, UNMAPPED + 0x1000
.intn:
  int VEC_SYSCALL               ; 48 during delivery: IDT-vectoring information = INT 0x30
.vec_back:
  CHECK [last_vec], VEC_SYSCALL, "INT 0x30 re-injected after the violation"
  CHECK [last_eip], .intn + 2, "returns after the INT"
  CHECK [last_frame_esp], UNMAPPED + 0x1000 - 20, "the frame is on the page the monitor mapped"

  ; ---- the VMX-preemption timer
  ASK 10                        ; the monitor arms it
  mov ecx, 100000
.timer:
  loop .timer                   ; 52 somewhere in here
  ASK 11                        ; done
  ret

irq5:
  push eax
  inc dword [ss:irq5_count]
  mov eax, [esp + 4]
  mov [ss:irq5_eip], eax
  mov al, 0x20
  out 0x20, al
  pop eax
  iretd

irq0:
  push eax
  inc dword [ss:irq0_count]
  mov eax, [esp + 4]
  mov [ss:irq0_eip], eax
  mov al, 0x20
  out 0x20, al
  pop eax
  iretd

section .data
irq5_count: dd 0
irq5_eip: dd 0
irq0_count: dd 0
irq0_eip: dd 0
section .text
