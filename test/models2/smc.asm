; A guest kernel that rewrites its own code (for the vmware-bt translation-cache test): it calls
; `patchme`, which returns 1, stores 2 over the immediate of its `mov eax, 1`, calls it again, and
; reports the sum (1 + 2 = 3) on QEMU's isa-debug-exit port. A translator that kept the stale
; translation would report 2. Flat image, loaded and entered at 0x100000 in 32-bit protected mode.
bits 32
org 0x100000

start:
    mov esp, 0x200000
    call patchme
    mov ebx, eax
    mov byte [patchme + 1], 2      ; the imm32 of `mov eax, 1` starts at patchme + 1
    call patchme
    add ebx, eax
    mov eax, ebx
    mov dx, 0x501
    out dx, al
    cli
    hlt

align 4096
patchme:
    mov eax, 1
    ret
