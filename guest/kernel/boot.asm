; The first code of ringos. A Multiboot loader (GRUB, QEMU -kernel, Ringside's runner) finds the header
; below, loads the ELF segments and jumps to _start in 32-bit protected mode with paging off,
; interrupts off, flat CS/DS, EAX = 0x2BADB002 and EBX = the physical address of the multiboot
; information block (Multiboot Specification 0.6.96, §3.2 "Machine state"). The stack is undefined,
; so the first thing to do is to take our own.

MB_MAGIC    equ 0x1BADB002
MB_FLAGS    equ 0x00000003          ; bit 0: align modules on pages; bit 1: give us the memory map fields
KSTACK_SIZE equ 16384

section .multiboot progbits alloc noexec nowrite align=4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)       ; magic + flags + checksum must be 0 (§3.1.2)

section .bss nobits alloc noexec write align=16
global boot_stack_top
boot_stack:
    resb KSTACK_SIZE
boot_stack_top:

section .text
global _start
extern kmain
extern __bss_start, __bss_end
_start:
    cld                             ; the C ABI requires DF = 0
    mov esp, boot_stack_top
    mov esi, eax                    ; keep the loader's magic across the BSS fill (EBX is untouched)
    ; Zero .bss: the ELF loader should have done it (p_memsz > p_filesz), but a flat loader may not.
    mov edi, __bss_start
    mov ecx, __bss_end
    sub ecx, edi
    shr ecx, 2
    xor eax, eax
    rep stosd
    push ebx                        ; kmain(magic, info)
    push esi
    call kmain
.hang:                              ; kmain never returns; if it did, stop here for good
    cli
    hlt
    jmp .hang
