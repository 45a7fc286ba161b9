/*
 * Lab: where is the GDT? SGDT stores the GDT register at any privilege level without a fault (unless
 * CR4.UMIP is set), so this program runs it here in ring 3, asks the kernel to run it too, and
 * compares both with the table the kernel loaded with LGDT. Under a trap-and-emulate monitor the
 * GDTR holds the monitor's table, and SGDT shows it: the "Red Pill" way to detect a VM.
 */
#include "ulib.h"

int main(void)
{
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) gdtr;
    __asm__ volatile("sgdt %0" : "=m"(gdtr));

    struct lab_sgdt r;
    if (lab(LAB_SGDT, 0, &r) != 0) {
        printf("sgdt: the kernel refused the experiment\n");
        return 1;
    }
    int match = gdtr.base == r.loaded_base && gdtr.limit == r.loaded_limit && r.kernel_base == r.loaded_base
        && r.kernel_limit == r.loaded_limit;
    printf("sgdt: lgdt=0x%08x/0x%04x ring3=0x%08x/0x%04x kernel=0x%08x/0x%04x kernel_cpl=%u result=%s\n",
        r.loaded_base, r.loaded_limit, gdtr.base, gdtr.limit, r.kernel_base, r.kernel_limit, r.kernel_cpl,
        match ? "match" : "mismatch");
    if (match)
        printf("SGDT shows the GDT the kernel loaded, in ring 3 and in the kernel.\n");
    else
        printf("SGDT shows a different GDT than the one the kernel loaded: another table is in GDTR,\n"
               "and SGDT does not trap, at any privilege level.\n");
    return match ? 0 : 1;
}
