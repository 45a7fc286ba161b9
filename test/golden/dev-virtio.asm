; disk: 8
; virtio-console: hello from a split virtqueue
; virtio-mmio devices through guest code (virtio 1.x: §4.2.2 MMIO registers, §2.6 split virtqueues,
; §3.1 device initialisation, §5.2 block device, §5.3 console): negotiate VIRTIO_F_VERSION_1, set up
; queue 0 of the block device and read sector 2, and queue 1 (transmitq) of the console to print a
; line; interrupt status reports the used-buffer notification.
%include "lib.inc"

CONSOLE equ 0xfeb00000
BLOCK   equ 0xfeb00200
QSIZE   equ 8

; virtio_init base(ebx): ACK, DRIVER, features (VERSION_1 only), FEATURES_OK, check it stuck.
virtio_init:
  mov dword [ebx + 0x70], 0     ; reset
  mov dword [ebx + 0x70], 1     ; ACKNOWLEDGE
  mov dword [ebx + 0x70], 3     ; DRIVER
  mov dword [ebx + 0x24], 0
  mov dword [ebx + 0x20], 0
  mov dword [ebx + 0x24], 1
  mov dword [ebx + 0x20], 1     ; VIRTIO_F_VERSION_1 (bit 32)
  mov dword [ebx + 0x70], 11    ; FEATURES_OK
  mov eax, [ebx + 0x70]
  ret

; queue_setup base(ebx), queue(ecx), desc(esi): rings follow the descriptor table.
queue_setup:
  mov [ebx + 0x30], ecx
  mov dword [ebx + 0x38], QSIZE
  mov [ebx + 0x80], esi
  mov dword [ebx + 0x84], 0
  lea eax, [esi + 16 * QSIZE]
  mov [ebx + 0x90], eax
  mov dword [ebx + 0x94], 0
  lea eax, [esi + 0x200]
  mov [ebx + 0xa0], eax
  mov dword [ebx + 0xa4], 0
  mov dword [ebx + 0x44], 1     ; QueueReady
  ret

test_main:
  mov ebx, BLOCK
  CHECK [ebx], 0x74726976, "virtio-mmio magic 'virt'"
  CHECK [ebx + 4], 2, "virtio-mmio version 2 (virtio 1.x)"
  CHECK [ebx + 8], 2, "slot 1 is the block device (ID 2)"
  CHECK [ebx + 0x100], 8, "block config: capacity 8 sectors"
  call virtio_init
  and eax, 8
  CHECK eax, 8, "the block device accepted FEATURES_OK"
  xor ecx, ecx
  mov esi, bq
  call queue_setup
  mov dword [ebx + 0x70], 15    ; DRIVER_OK

  ; Request: header (read, sector 2) → 512 data bytes (device writes) → status byte (device writes).
  mov dword [bq + 0], req
  mov dword [bq + 8], 16
  mov word [bq + 12], 1         ; NEXT
  mov word [bq + 14], 1
  mov dword [bq + 16], data
  mov dword [bq + 24], 512
  mov word [bq + 28], 3         ; NEXT | WRITE
  mov word [bq + 30], 2
  mov dword [bq + 32], status
  mov dword [bq + 40], 1
  mov word [bq + 44], 2         ; WRITE
  mov word [bq + 16 * QSIZE + 4], 0     ; avail.ring[0] = descriptor 0
  mov word [bq + 16 * QSIZE + 2], 1     ; avail.idx = 1
  mov dword [ebx + 0x50], 0     ; QueueNotify
  movzx eax, word [bq + 0x200 + 2]
  CHECK eax, 1, "the block device returned the request (used.idx = 1)"
  movzx eax, byte [status]
  CHECK eax, 0, "request status VIRTIO_BLK_S_OK"
  CHECK [data], 0x09080706, "sector 2 starts 06 07 08 09"
  mov eax, [ebx + 0x60]
  and eax, 1
  CHECK eax, 1, "InterruptStatus: used buffer notification"
  mov dword [ebx + 0x64], 1     ; InterruptACK
  mov eax, [ebx + 0x60]
  CHECK eax, 0, "InterruptStatus cleared by InterruptACK"

  ; Console: print through queue 1 (port 0 transmitq).
  mov ebx, CONSOLE
  CHECK [ebx + 8], 3, "slot 0 is the console (ID 3)"
  call virtio_init
  mov ecx, 1
  mov esi, cq
  call queue_setup
  mov dword [ebx + 0x70], 15
  mov dword [cq + 0], text
  mov dword [cq + 8], text_len
  mov word [cq + 12], 0
  mov word [cq + 16 * QSIZE + 4], 0
  mov word [cq + 16 * QSIZE + 2], 1
  mov dword [ebx + 0x50], 1
  movzx eax, word [cq + 0x200 + 2]
  CHECK eax, 1, "the console consumed the output buffer"
  ret

section .data
req: dd 0, 0, 2, 0              ; type VIRTIO_BLK_T_IN, reserved, sector (le64)
status: db 0xff
text: db "hello from a split virtqueue"
text_len equ $ - text
align 4096
bq: times 4096 db 0
cq: times 4096 db 0
data: times 512 db 0
section .text
