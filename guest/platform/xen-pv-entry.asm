; The first code of ringos under Xen PV, the hypercall page, and the entry points Xen calls.
;
; Xen's domain builder reads the ELF notes below (xen/include/public/elfnote.h), loads the segments,
; writes its hypercall stubs into hypercall_page, builds start_info and the bootstrap page tables
; (paging on, every pseudo-physical page mapped at its own address) and starts _start in ring 1 with
; CS = FLAT_RING1_CS, DS = ES = SS = FLAT_RING1_DS, events masked and ESI = the start_info address
; (docs/xen-pv-abi.md, "Start of day").
;
; The kernel's trap entry (kernel/entry.asm) is assembled here too, with one change: its final
; IRETD becomes xen_iret, which turns the frame's IF back into the event mask first.

SHARED_INFO_VA      equ 0x3FFFF000      ; platform/xen-pv.c maps shared_info here
VCPU0_UPCALL_PENDING equ SHARED_INFO_VA + 0
VCPU0_UPCALL_MASK   equ SHARED_INFO_VA + 1
HYPERVISOR_iret     equ 23
EVTCHN_VECTOR       equ 32 + 1          ; events arrive as interrupt line 1 (platform/xen-pv.c)
MULTIBOOT_MAGIC     equ 0x2BADB002
KSTACK_SIZE         equ 16384

; ---- ELF notes: name "Xen", type, value (elfnote.h) ----
%macro XEN_NOTE 2+
    align 4
    dd 4, %%end - %%desc, %1
    db "Xen", 0
%%desc:
    %2
%%end:
%endmacro

section .note.Xen note alloc noexec nowrite align=4
    XEN_NOTE 6, db "ringos", 0              ; XEN_ELFNOTE_GUEST_OS
    XEN_NOTE 5, db "xen-3.0", 0             ; XEN_ELFNOTE_XEN_VERSION
    XEN_NOTE 8, db "generic", 0             ; XEN_ELFNOTE_LOADER
    XEN_NOTE 3, dd 0                        ; XEN_ELFNOTE_VIRT_BASE: virtual = pseudo-physical
    XEN_NOTE 4, dd 0                        ; XEN_ELFNOTE_PADDR_OFFSET
    XEN_NOTE 1, dd _start                   ; XEN_ELFNOTE_ENTRY
    XEN_NOTE 2, dd hypercall_page           ; XEN_ELFNOTE_HYPERCALL_PAGE
    XEN_NOTE 9, db "no", 0                  ; XEN_ELFNOTE_PAE_MODE: two-level paging
    align 4

section .bss nobits alloc noexec write align=16
boot_stack:
    resb KSTACK_SIZE
boot_stack_top:

section .text progbits alloc exec nowrite align=4096
global _start, hypercall_page
extern kmain, xen_start, xen_failsafe
extern __bss_start, __bss_end

; Xen fills this page with one 32-byte stub per hypercall: mov $n, %eax; int $0x82; ret.
align 4096
hypercall_page:
    times 4096 db 0xcc

_start:
    cld
    mov esp, boot_stack_top
    mov edi, __bss_start            ; the builder zero-fills .bss; clear it anyway, as boot.asm does
    mov ecx, __bss_end
    sub ecx, edi
    shr ecx, 2
    xor eax, eax
    rep stosd
    push esi                        ; xen_start(start_info) -> the multiboot information for kmain
    call xen_start
    add esp, 4
    push eax                        ; kmain(magic, info)
    push MULTIBOOT_MAGIC
    call kmain
.hang:
    jmp .hang

; ---- the kernel's trap entry, returning through xen_iret ----
%macro iretd 0
    jmp xen_iret
%endmacro
%include "kernel/entry.asm"
%unmacro iretd 0

section .text
global xen_int80_entry, xen_event_callback, xen_failsafe_callback

; int 0x80 from ring 3 arrives here straight through the trap gate Xen put into the IDT for it (the
; fast system-call path: no Xen on the way in). A trap gate leaves events on, so mask them first, as
; the native interrupt gate clears IF; the frame's EFLAGS.IF = 1 turns them back on at the return.
xen_int80_entry:
    mov byte [VCPU0_UPCALL_MASK], 1
    push dword 0
    push dword 0x80
    jmp trap_common

; The event callback (set_callbacks): Xen's bounce frame holds EIP, CS, EFLAGS with IF = the event
; mask before the upcall (and SS:ESP from ring 3); Xen has masked events.
xen_event_callback:
    push dword 0
    push dword EVTCHN_VECTOR
    jmp trap_common

xen_failsafe_callback:
    call xen_failsafe

; trap_return's IRETD. The frame's IF is the kernel's virtual interrupt flag: it becomes the event
; mask. With events on and one pending, HYPERVISOR_iret returns instead, so that Xen delivers the
; event on the way out; otherwise a plain IRETD (ring 1 to ring 1 or 3; the real IF stays 1).
xen_iret:
    push eax
    test dword [esp + 12], 0x200    ; EFLAGS above EAX, EIP, CS
    jz .masked
    mov byte [VCPU0_UPCALL_MASK], 0
    cmp byte [VCPU0_UPCALL_PENDING], 0
    jne .hypervisor
    pop eax
    iretd
.masked:
    mov byte [VCPU0_UPCALL_MASK], 1
    pop eax
    iretd
.hypervisor:
    pop eax
    jmp hypercall_page + HYPERVISOR_iret * 32   ; the stub pushes EAX and enters Xen; no return
