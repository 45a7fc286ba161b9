; Interrupt, exception and system-call entry, and the kernel context switch.
;
; Every IDT vector ringos uses points at a small stub here. On entry the CPU has already pushed
; EFLAGS, CS and EIP (and, coming from ring 3, the user SS:ESP first, after switching to the kernel
; stack named by TSS.SS0:ESP0), plus an error code for some exceptions (SDM Vol. 3A §6.12.1, §6.13).
; The stub pushes a dummy error code where the CPU does not, then the vector number, and trap_common
; saves the rest, building a struct trapframe (kernel/trap.h) for trap() in C.

section .text

%macro TRAP_NOERR 1
trap%1:
    push dword 0
    push dword %1
    jmp trap_common
%endmacro

%macro TRAP_ERR 1
trap%1:
    push dword %1
    jmp trap_common
%endmacro

; Exceptions 0-31 (SDM Vol. 3A Table 6-1); the CPU pushes an error code for 8, 10-14, 17, 21.
TRAP_NOERR 0
TRAP_NOERR 1
TRAP_NOERR 2
TRAP_NOERR 3
TRAP_NOERR 4
TRAP_NOERR 5
TRAP_NOERR 6
TRAP_NOERR 7
TRAP_ERR   8
TRAP_NOERR 9
TRAP_ERR   10
TRAP_ERR   11
TRAP_ERR   12
TRAP_ERR   13
TRAP_ERR   14
TRAP_NOERR 15
TRAP_NOERR 16
TRAP_ERR   17
TRAP_NOERR 18
TRAP_NOERR 19
TRAP_NOERR 20
TRAP_ERR   21
%assign v 22
%rep 10
TRAP_NOERR v
%assign v v+1
%endrep
; Hardware interrupts: the PICs are programmed to deliver IRQ 0-15 as vectors 32-47.
%rep 16
TRAP_NOERR v
%assign v v+1
%endrep
; System calls: int 0x80.
TRAP_NOERR 128

extern trap
global trap_return
trap_common:
    pushad                          ; EAX ECX EDX EBX ESP EBP ESI EDI
    push ds
    push es
    push fs
    push gs
    mov ax, ss                      ; SS is the kernel's stack segment now (from TSS.SS0 if we came
                                    ; from ring 3): use it as the kernel's data segment too
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    cld
    push esp                        ; trap(struct trapframe *)
    call trap
    add esp, 4
trap_return:
    pop gs
    pop fs
    pop es
    pop ds
    popad
    add esp, 8                      ; vector and error code
    iretd                           ; back to where the interrupt came from, possibly ring 3 (SDM §6.14)

; The stub table, for idt.c: trap_vectors[i] is the entry for vector i (0-47), trap_vectors[48] is 0x80.
section .rodata
global trap_vectors
trap_vectors:
%assign v 0
%rep 48
    dd trap %+ v
%assign v v+1
%endrep
    dd trap128

section .text
; void swtch(uint32_t *save_esp, uint32_t next_esp)
; Saves the callee-saved registers of the current kernel context on its stack, stores the stack
; pointer in *save_esp, and resumes the context whose stack pointer is next_esp. Everything else
; (EIP included, as the return address) is already on the stacks, per the i386 System V ABI.
global swtch
swtch:
    mov eax, [esp + 4]
    mov edx, [esp + 8]
    push ebp
    push ebx
    push esi
    push edi
    mov [eax], esp
    mov esp, edx
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret
