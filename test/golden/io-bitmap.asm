; IN/OUT at CPL > IOPL consult the TSS I/O permission bitmap: every bit for the ports accessed must
; be 0, else #GP(0) (SDM Vol. 1 §18.5.2, Figure 18-2). At CPL ≤ IOPL the bitmap is not consulted.
%include "lib.inc"

test_main:
  ; Allow ports 0x3f8–0x3ff (COM1) and 0x80 only.
  mov byte [iomap + 0x3f8 / 8], 0x00
  and byte [iomap + 0x80 / 8], 0xfe
  TRAP_TO .back
  TO_RING RING3, .r3, 0x2
.r3:
  mov dx, 0x3fd
  in al, dx                     ; COM1 line status: allowed
  movzx ebx, al
  mov al, 0x55
  out 0x80, al                  ; allowed
  mov dx, 0x3fe
  in ax, dx                     ; 0x3fe–0x3ff: both allowed
  int VEC_SYSCALL
.back:
  CHECK [last_vec], VEC_SYSCALL, "IN/OUT on ports the bitmap allows run at CPL 3"
  AT_RING RING3, {in al, 0x81}, 13, 0, "port 0x81 denied by the bitmap: #GP(0)"
  mov dx, 0x3ff
  AT_RING RING3, {in ax, dx}, 13, 0, "a 2-byte IN at 0x3ff reaches 0x400, whose bit is set: #GP(0)"
  AT_RING RING1, {in al, 0x81}, 13, 0, "at CPL 1 (> IOPL 0) the bitmap applies too: #GP(0)"

  ; IOPL 3: no bitmap check at any CPL, and CLI/STI are allowed.
  TRAP_TO .back3
  TO_RING RING3, .r3b, 0x3002
.r3b:
  in al, 0x81
  cli
  sti
  int VEC_SYSCALL
.back3:
  CHECK [last_vec], VEC_SYSCALL, "with IOPL 3, ring 3 may use any port and CLI/STI"
  ret
