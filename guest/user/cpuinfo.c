/*
 * What CPUID says about the processor (SDM Vol. 2A, CPUID). CPUID runs here in ring 3: it is not
 * privileged, but under VT-x it always causes a VM exit (exit reason 10), and a hypervisor answers it —
 * setting CPUID.1:ECX[31], "hypervisor present", and its signature in leaf 0x40000000 (the
 * convention KVM, Xen, VMware and Hyper-V share).
 */
#include "ulib.h"

static void cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

int main(void)
{
    uint32_t r[4];
    char vendor[13], brand[49], signature[13];

    cpuid(0, r);
    memcpy(vendor, &r[1], 4); /* EBX, EDX, ECX: "Genu" "ineI" "ntel" */
    memcpy(vendor + 4, &r[3], 4);
    memcpy(vendor + 8, &r[2], 4);
    vendor[12] = 0;
    printf("vendor: %s\n", vendor);

    cpuid(1, r);
    uint32_t family = (r[0] >> 8) & 0xF, model = (r[0] >> 4) & 0xF, stepping = r[0] & 0xF;
    if (family == 0xF)
        family += (r[0] >> 20) & 0xFF; /* extended family */
    if (family == 6 || family >= 0xF)
        model += ((r[0] >> 16) & 0xF) << 4; /* extended model */
    int hypervisor = (r[2] >> 31) & 1;
    printf("family: %u model: %u stepping: %u\n", family, model, stepping);

    cpuid(0x80000000u, r);
    if (r[0] >= 0x80000004u) {
        for (uint32_t i = 0; i < 3; i++) {
            cpuid(0x80000002u + i, r);
            memcpy(brand + 16 * i, r, 16);
        }
        brand[48] = 0;
        const char *b = brand;
        while (*b == ' ')
            b++;
        printf("brand: %s\n", b);
    } else {
        printf("brand: (not reported)\n");
    }

    if (hypervisor) {
        cpuid(0x40000000u, r);
        memcpy(signature, &r[1], 4); /* EBX, ECX, EDX */
        memcpy(signature + 4, &r[2], 4);
        memcpy(signature + 8, &r[3], 4);
        signature[12] = 0;
        printf("hypervisor: \"%s\" (CPUID.1:ECX[31] set; leaves up to 0x%08x)\n", signature, r[0]);
    } else {
        printf("hypervisor: none (CPUID.1:ECX[31] clear)\n");
    }
    return 0;
}
