; disk: 16
; The ATA disk on the primary channel through guest code (ATA/ATAPI-6, T13 1410D): IDENTIFY DEVICE,
; READ SECTORS and WRITE SECTORS in LBA28 mode with the PIO data-in/data-out protocols (REP INSW /
; REP OUTSW on the data port), and INTRQ on IRQ14 through the slave 8259A.
%include "lib.inc"

ATA equ 0x1f0

%macro WAIT_DRQ 0
%%w:
  mov dx, ATA + 7
  in al, dx
  test al, 0x80                 ; BSY
  jnz %%w
  test al, 0x08                 ; DRQ
  jz %%w
%endmacro

; ata_cmd: LBA in ebx, count in cl, command in ch
ata_cmd:
  mov dx, ATA + 2
  mov al, cl
  out dx, al
  mov eax, ebx
  mov dx, ATA + 3
  out dx, al
  shr eax, 8
  inc dx
  out dx, al
  shr eax, 8
  inc dx
  out dx, al
  shr eax, 8
  and al, 0x0f
  or al, 0xe0                   ; LBA, device 0
  inc dx
  out dx, al
  mov al, ch
  inc dx
  out dx, al
  ret

test_main:
  mov dx, 0x3f6
  mov al, 2                     ; nIEN: no interrupts for the polled part
  out dx, al
  mov dx, ATA + 6
  mov al, 0xe0
  out dx, al
  mov dx, ATA + 7
  mov al, 0xec                  ; IDENTIFY DEVICE
  out dx, al
  WAIT_DRQ
  mov edi, buf
  mov ecx, 256
  mov dx, ATA
  rep insw
  CHECK [buf + 60 * 2], 16, "IDENTIFY words 60–61: 16 user-addressable sectors (LBA28)"
  movzx eax, word [buf + 49 * 2]
  and eax, 0x200
  CHECK eax, 0x200, "IDENTIFY word 49: LBA supported"

  ; READ SECTORS 3 and 4.
  mov ebx, 3
  mov cl, 2
  mov ch, 0x20
  call ata_cmd
  mov edi, buf
  WAIT_DRQ
  mov ecx, 256
  mov dx, ATA
  rep insw
  WAIT_DRQ
  mov ecx, 256
  mov dx, ATA
  rep insw
  CHECK [buf], 0x0c0b0a09, "sector 3 starts 09 0a 0b 0c (byte = 3·sector + offset)"
  CHECK [buf + 512 + 252], 0x0b0a0908, "sector 4 at offset 252"

  ; WRITE SECTORS 5, then read it back.
  mov edi, buf
  mov ecx, 128
  mov eax, 0xa55a0000
.fill:
  stosd
  inc eax
  loop .fill
  mov ebx, 5
  mov cl, 1
  mov ch, 0x30
  call ata_cmd
  WAIT_DRQ
  mov esi, buf
  mov ecx, 256
  mov dx, ATA
  rep outsw
.idle:
  mov dx, ATA + 7
  in al, dx
  test al, 0x88
  jnz .idle

  ; Read it back with interrupts: IRQ14 is IR6 of the slave PIC (vector 0x2e).
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
  mov al, 0xfb                  ; master: cascade only
  out 0x21, al
  mov al, 0xbf                  ; slave: IR6 (IRQ14)
  out 0xa1, al
  mov ecx, 0x2e
  mov eax, ata_irq
  mov edx, SEL_CODE0
  mov bl, 0x8e
  call set_gate
  mov dx, 0x3f6
  mov al, 0
  out dx, al
  mov dword [buf], 0
  mov ebx, 5
  mov cl, 1
  mov ch, 0x20
  call ata_cmd
.wait:
  cli
  cmp dword [irqs], 0
  jne .irq
  sti
  hlt
  jmp .wait
.irq:
  mov edi, buf
  mov ecx, 256
  mov dx, ATA
  rep insw
  CHECK [irqs], 1, "one IRQ14 for a one-sector read"
  CHECK [buf], 0xa55a0000, "the written sector reads back (first dword)"
  CHECK [buf + 508], 0xa55a007f, "the written sector reads back (last dword)"
  ret

ata_irq:
  push eax
  push edx
  inc dword [ss:irqs]
  mov dx, ATA + 7
  in al, dx                     ; reading Status acknowledges INTRQ
  mov al, 0x20
  out 0xa0, al
  out 0x20, al
  pop edx
  pop eax
  iretd

section .data
irqs: dd 0
align 4
buf: times 1024 db 0
section .text
