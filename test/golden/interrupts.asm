; Maskable interrupts from the 8259A/8254 pair (SDM Vol. 3A §6.8): recognised at instruction
; boundaries only when IF = 1; HLT waits for one; after an STI that sets IF, interrupts stay blocked
; until the next instruction has run (§6.8.3, the STI interrupt shadow); the IMR masks a line.
; PIC programming per the Intel 8259A datasheet (ICW1–ICW4, OCW2 EOI, OCW3 read IRR); PIT channel 0
; in mode 2 per the 8254 datasheet.
%include "lib.inc"

test_main:
  ; PIC: master vectors 0x20–0x27, slave 0x28–0x2f, cascade on IR2, 8086 mode; unmask IRQ0 only.
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
  mov al, 0xfe
  out 0x21, al
  mov al, 0xff
  out 0xa1, al
  mov ecx, 0x20
  mov eax, irq0
  mov edx, SEL_CODE0
  mov bl, 0x8e
  call set_gate
  ; PIT channel 0, mode 2, divisor 1193 (about 1 kHz).
  mov al, 0x34
  out 0x43, al
  mov al, 1193 & 0xff
  out 0x40, al
  mov al, 1193 >> 8
  out 0x40, al

  ; HLT with IF = 1 waits for the timer; the handler returns to the instruction after HLT.
  sti
  hlt
.after_hlt:
  cli
  CHECK [ticks], 1, "HLT woke on the timer interrupt"
  CHECK [irq_eip], .after_hlt, "the interrupt returned to the instruction after HLT"

  ; With IF = 0 a pending interrupt is not taken.
  call wait_irr
  CHECK [ticks], 1, "no interrupt while IF = 0"
  ; STI; the next instruction runs before the pending interrupt is taken.
  xor ecx, ecx
  sti
  inc ecx
  inc ecx
  cli
  CHECK [ticks], 2, "the pending interrupt was taken after STI"
  CHECK [irq_ecx], 1, "exactly one instruction ran after STI before the interrupt (the STI shadow)"

  ; MOV SS also blocks interrupts for one instruction (SDM Vol. 3A §6.8.3).
  call wait_irr
  xor ecx, ecx
  mov ax, ss
  sti                           ; the shadow of this STI would end after the MOV SS…
  mov ss, ax                    ; …but MOV SS starts its own
  inc ecx
  inc ecx
  cli
  CHECK [irq_ecx], 1, "MOV SS blocks interrupts until the following instruction has run"

  ; A line masked in the IMR is not delivered.
  mov al, 0xff
  out 0x21, al
  mov eax, [ticks]
  mov [saved], eax
  sti
  mov ecx, 200000
.spin:
  loop .spin
  cli
  mov eax, [ticks]
  CHECK eax, [saved], "a masked IRQ line is not delivered"
  ; The 8254 counter moves (read back with counter-latch commands).
  mov al, 0
  out 0x43, al
  in al, 0x40
  mov ah, al
  in al, 0x40
  xchg al, ah
  movzx ebx, ax
  mov ecx, 20000                ; 20 µs of virtual time at one instruction per ns: ~24 PIT ticks
.delay:
  loop .delay
  mov al, 0
  out 0x43, al
  in al, 0x40
  mov ah, al
  in al, 0x40
  xchg al, ah
  movzx eax, ax
  cmp eax, ebx
  jne .moved
  FAILED "the PIT counter does not move"
.moved:
  ret

; Spins with IF = 0 until the PIC's IRR shows IRQ0 (OCW3 read IRR).
wait_irr:
  mov al, 0x0a
  out 0x20, al
.w:
  in al, 0x20
  test al, 1
  jz .w
  ret

irq0:
  inc dword [ss:ticks]
  mov [ss:irq_ecx], ecx
  push eax
  mov eax, [esp + 4]
  mov [ss:irq_eip], eax
  mov al, 0x20                  ; non-specific EOI
  out 0x20, al
  pop eax
  iretd

section .data
ticks: dd 0
irq_ecx: dd 0
irq_eip: dd 0
saved: dd 0
section .text
