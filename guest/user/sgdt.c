/*
 * Lab: where is the GDT? SGDT stores the GDT register at any privilege level without a fault (unless
 * CR4.UMIP is set), so this program runs it here in ring 3, asks the kernel to run it too, and
 * compares both with the table the kernel loaded with LGDT.
 *
 * `result` is the kernel's view: does the kernel see the table it loaded? Under a trap-and-emulate
 * monitor it does not — the GDTR holds the monitor's table and SGDT, which does not trap, shows it
 * to the deprivileged kernel. Binary translation rewrites the kernel's SGDT and paravirtualization
 * replaces it, so there the kernel is right. `ring3` is what user code sees: wherever user code runs
 * directly on a real GDTR that is not the guest's own (a monitor's, or Xen's mapping of the guest's
 * frames), it sees that one — the "Red Pill" way to detect a VM from user space.
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
    int match = r.kernel_base == r.loaded_base && r.kernel_limit == r.loaded_limit;
    int ring3 = gdtr.base == r.loaded_base && gdtr.limit == r.loaded_limit;
    printf("sgdt: lgdt=0x%08x/0x%04x ring3=0x%08x/0x%04x kernel=0x%08x/0x%04x kernel_cpl=%u result=%s ring3_result=%s\n",
        r.loaded_base, r.loaded_limit, gdtr.base, gdtr.limit, r.kernel_base, r.kernel_limit, r.kernel_cpl,
        match ? "match" : "mismatch", ring3 ? "match" : "mismatch");
    if (match)
        printf("The kernel sees the GDT it loaded.\n");
    else
        printf("The kernel sees a different GDT than the one it loaded: another table is in GDTR,\n"
               "and SGDT does not trap, at any privilege level.\n");
    if (!ring3)
        printf("User code sees another GDT in GDTR: SGDT reveals the hypervisor to ring 3 (the Red Pill).\n");
    return match ? 0 : 1;
}
