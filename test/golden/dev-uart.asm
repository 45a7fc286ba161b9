; input: Ring!
; The 16550A UART on COM1 through guest code (PC16550D datasheet, "Registers"): divisor latch, line
; control, the received-data-available interrupt (IER bit 0, IIR 0100b) gated onto IRQ4 by MCR OUT2,
; LSR data-ready, and internal loopback (MCR bit 4). The FIFOs stay off: the keystrokes are queued
; before the program starts, and a FIFO reset would discard the one already received.
%include "lib.inc"

COM1 equ 0x3f8

test_main:
  ; 8259A: vectors 0x20–0x2f, unmask IRQ4 only.
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
  mov al, 0xef
  out 0x21, al
  mov al, 0xff
  out 0xa1, al
  mov ecx, 0x24
  mov eax, com1_irq
  mov edx, SEL_CODE0
  mov bl, 0x8e
  call set_gate
  ; 115200 8N1, scratch register works.
  mov dx, COM1 + 3
  mov al, 0x80
  out dx, al
  mov dx, COM1
  mov al, 1
  out dx, al
  inc dx
  mov al, 0
  out dx, al
  mov dx, COM1 + 3
  mov al, 0x03
  out dx, al
  mov dx, COM1 + 7
  mov al, 0x5a
  out dx, al
  in al, dx
  movzx eax, al
  CHECK eax, 0x5a, "the scratch register holds a value"
  ; Interrupt on received data, OUT2 on.
  mov dx, COM1 + 1
  mov al, 1
  out dx, al
  mov dx, COM1 + 4
  mov al, 0x0b
  out dx, al
  ; Wait for the five queued keystrokes. STI; HLT: the STI shadow covers the HLT, so an interrupt
  ; cannot slip in between the check and the HLT (SDM Vol. 3A §6.8.3).
.wait:
  cli
  cmp dword [rx_len], 5
  jae .got
  sti
  hlt
  jmp .wait
.got:
  CHECK [rx_buf], 'Ring', "received bytes 1–4 through the RX interrupt"
  movzx eax, byte [rx_buf + 4]
  CHECK eax, '!', "received byte 5"
  cmp dword [rx_irqs], 0
  jne .irq_ok
  FAILED "no COM1 interrupt"
.irq_ok:
  movzx eax, byte [rx_iir]
  and eax, 0x0f
  CHECK eax, 4, "IIR identified received data available"
  ; Loopback: a transmitted byte comes back on the receiver, and is not sent out.
  mov dx, COM1 + 1
  mov al, 0
  out dx, al
  mov dx, COM1 + 4
  mov al, 0x10
  out dx, al
  mov dx, COM1
  mov al, 0xa5
  out dx, al
  mov dx, COM1 + 5
  in al, dx
  test al, 1
  jnz .dr
  FAILED "loopback: no data ready"
.dr:
  mov dx, COM1
  in al, dx
  movzx eax, al
  CHECK eax, 0xa5, "loopback returns the transmitted byte"
  mov dx, COM1 + 4
  mov al, 0x03
  out dx, al
  ret

com1_irq:
  push eax
  push edx
  inc dword [ss:rx_irqs]
  mov dx, COM1 + 2
  in al, dx
  mov [ss:rx_iir], al
.more:
  mov dx, COM1 + 5
  in al, dx
  test al, 1
  jz .done
  mov dx, COM1
  in al, dx
  mov edx, [ss:rx_len]
  mov [ss:rx_buf + edx], al
  inc dword [ss:rx_len]
  jmp .more
.done:
  mov al, 0x20
  out 0x20, al
  pop edx
  pop eax
  iretd

section .data
rx_buf: times 16 db 0
rx_len: dd 0
rx_irqs: dd 0
rx_iir: dd 0
section .text
