/*
 * A program that crashes on purpose. The CPU raises an exception in ring 3; the kernel prints what
 * happened and kills this process; the shell carries on.
 *   pf  write through a null pointer        -> #PF, page not present
 *   wp  write into the program's own code   -> #PF, protection (code pages are read-only)
 *   gp  CLI in ring 3 (IOPL is 0)           -> #GP
 *   io  OUT to a port from ring 3           -> #GP (no I/O permission)
 *   ud  UD2, the defined invalid opcode      -> #UD
 *   de  divide by zero                       -> #DE
 */
#include "ulib.h"

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "pf";
    printf("fault: %s\n", how);
    if (strcmp(how, "pf") == 0) {
        *(volatile uint32_t *)0 = 1;
    } else if (strcmp(how, "wp") == 0) {
        *(volatile uint8_t *)(uintptr_t)main = 0xC3;
    } else if (strcmp(how, "gp") == 0) {
        __asm__ volatile("cli");
    } else if (strcmp(how, "io") == 0) {
        __asm__ volatile("outb %%al, $0x80" : : "a"(0));
    } else if (strcmp(how, "ud") == 0) {
        __asm__ volatile("ud2");
    } else if (strcmp(how, "de") == 0) {
        uint32_t q, r;
        __asm__ volatile("divl %2" : "=a"(q), "=d"(r) : "r"(0), "a"(1), "d"(0)); /* DIV by zero: #DE */
        printf("%u %u\n", q, r);
    } else {
        printf("usage: fault [pf|wp|gp|io|ud|de]\n");
        return 1;
    }
    printf("fault: still alive?!\n");
    return 1;
}
