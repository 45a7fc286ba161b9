; Where every ringos program starts. The kernel enters _start in ring 3 with ESP pointing at argc,
; followed by argv (kernel/sched.c, setup_stack); main's return value becomes the exit status.
section .text
global _start
extern main
extern exit
_start:
    xor ebp, ebp            ; the outermost frame: stack traces stop here
    call main               ; main(argc, argv): the two words above the return address
    push eax
    call exit
