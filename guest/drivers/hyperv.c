/*
 * Hyper-V enlightenments (TLFS): how a child partition finds the hypervisor and talks to it.
 *
 * Discovery is CPUID (feature-discovery.md): the hypervisor-present bit, the vendor "Microsoft Hv" in
 * leaf 0x40000000, the interface "Hv#1" in leaf 0x40000001, privileges and features in 0x40000003.
 * Hypercalls go through a page the guest gives the hypervisor in HV_X64_MSR_HYPERCALL; the hypervisor
 * overlays it with the right instruction for the CPU (VMCALL on Intel), so the guest never hard-codes
 * VMCALL or VMMCALL (hypercall-interface.md). Each MSR access below is a VM exit under Hyper-V.
 */
#include "hyperv.h"
#include "../kernel/x86.h"
#include "../lib/string.h"

#define PAGE 4096
#define HV_HYPERCALL_POST_MESSAGE 0x005Cu
#define HV_HYPERCALL_SIGNAL_EVENT 0x005Du
#define HV_HYPERCALL_FAST (1u << 16)

/* SINTx register bits (TLFS "SINTx Registers"). */
#define SINT_MASKED (1u << 16)
#define SINT_AUTO_EOI (1u << 17)
/* STIMERx_CONFIG bits (TLFS timers.md). */
#define STIMER_ENABLE (1u << 0)
#define STIMER_PERIODIC (1u << 1)
#define STIMER_DIRECT (1u << 12)

/* CPUID 0x40000003: what ringos needs. EAX: AccessSynicRegs (2), AccessSyntheticTimerRegs (3),
 * AccessHypercallMsrs (5). EBX: PostMessages (bit 36 − 32), SignalEvents (37 − 32). EDX: direct-mode
 * synthetic timers (19). */
#define NEED_EAX ((1u << 2) | (1u << 3) | (1u << 5))
#define NEED_EBX ((1u << 4) | (1u << 5))
#define NEED_EDX (1u << 19)

/* Guest OS identity (TLFS "Reporting the Guest OS Identity", open-source encoding): bit 63 open
 * source, OS type 0 (ringos has no registered number), version 1.0 in bits 47:16, build 1. */
#define GUEST_OS_ID_HI 0x80000001u
#define GUEST_OS_ID_LO 0x00000001u

/* The pages ringos hands the hypervisor: the hypercall page (the hypervisor overlays it), the SynIC
 * message page (SIMP, 16 slots) and event-flags page (SIEFP, 16 areas of 2048 flags). */
static uint8_t hypercall_page[PAGE] __attribute__((aligned(PAGE)));
static volatile struct hv_message simp[16] __attribute__((aligned(PAGE)));
static volatile uint32_t siefp[16][64] __attribute__((aligned(PAGE)));
/* HvCallPostMessage's input block: 8-byte aligned, within one page (256 bytes at a 256-byte boundary). */
static struct {
    uint32_t connection, reserved, type, size;
    uint8_t payload[HV_MESSAGE_PAYLOAD];
} post_input __attribute__((aligned(256)));
static void *hypercall_entry = hypercall_page;

static inline void wrmsr(uint32_t msr, uint32_t lo, uint32_t hi)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"(lo), "d"(hi) : "memory");
}

static inline uint32_t rdmsr_lo(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return lo;
}

static void cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

/*
 * A hypercall with the 32-bit register convention: EDX:EAX the hypercall input value, EBX:ECX the
 * input parameters' GPA (or, for a fast call, the input itself), EDI:ESI the output GPA (none here);
 * the result comes back in EDX:EAX, HV_STATUS in bits 15:0 (as Linux's hv_do_hypercall for i386).
 */
static uint16_t hypercall(uint32_t control, uint32_t input_lo, uint32_t input_hi)
{
    uint64_t result = control;
    __asm__ volatile("call *%[entry]"
                     : "+A"(result), "+c"(input_lo), "+b"(input_hi)
                     : [entry] "m"(hypercall_entry), "S"(0), "D"(0)
                     : "cc", "memory");
    return (uint16_t)result;
}

const char *hv_init(void)
{
    uint32_t r[4];
    cpuid(1, r);
    if (!(r[2] & (1u << 31)))
        return "no hypervisor (CPUID.1:ECX[31] clear): this image runs under Ringside's hyperv architecture";
    cpuid(0x40000000u, r);
    if (r[0] < 0x40000003u || memcmp(&r[1], "Micr", 4) || memcmp(&r[2], "osof", 4) || memcmp(&r[3], "t Hv", 4))
        return "the hypervisor is not Hyper-V (CPUID 0x40000000 is not \"Microsoft Hv\")";
    cpuid(0x40000001u, r);
    if (memcmp(&r[0], "Hv#1", 4))
        return "the hypervisor does not offer the Hv#1 interface (CPUID 0x40000001)";
    cpuid(0x40000003u, r);
    if ((r[0] & NEED_EAX) != NEED_EAX || (r[1] & NEED_EBX) != NEED_EBX || (r[3] & NEED_EDX) != NEED_EDX)
        return "Hyper-V lacks the SynIC, synthetic timers, messages or events (CPUID 0x40000003)";

    wrmsr(HV_MSR_GUEST_OS_ID, GUEST_OS_ID_LO, GUEST_OS_ID_HI);
    wrmsr(HV_MSR_HYPERCALL, (uint32_t)hypercall_page | 1, 0);
    if (!(rdmsr_lo(HV_MSR_HYPERCALL) & 1))
        return "the hypervisor did not enable the hypercall page";

    wrmsr(HV_MSR_SIMP, (uint32_t)simp | 1, 0);
    wrmsr(HV_MSR_SIEFP, (uint32_t)siefp | 1, 0);
    wrmsr(HV_MSR_SCONTROL, 1, 0);
    return 0;
}

uint16_t hv_post_message(uint32_t connection, uint32_t type, const void *payload, uint32_t size)
{
    post_input.connection = connection;
    post_input.reserved = 0;
    post_input.type = type;
    post_input.size = size;
    memcpy(post_input.payload, payload, size);
    return hypercall(HV_HYPERCALL_POST_MESSAGE, (uint32_t)&post_input, 0);
}

uint16_t hv_signal_event(uint32_t connection)
{
    return hypercall(HV_HYPERCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST, connection, 0);
}

void hv_sint_set(unsigned sint, uint8_t vector, int masked)
{
    wrmsr(HV_MSR_SINT0 + sint, vector | SINT_AUTO_EOI | (masked ? SINT_MASKED : 0), 0);
}

int hv_message_take(unsigned sint, struct hv_message *out)
{
    volatile struct hv_message *m = &simp[sint];
    if (m->type == 0)
        return 0;
    memcpy(out, (const void *)m, sizeof *out);
    m->type = 0;
    /* The store of the type must be visible before the flag is read (Linux vmbus_signal_eom). */
    __asm__ volatile("lock; addl $0, (%%esp)" : : : "memory", "cc");
    if (m->flags & HV_MESSAGE_PENDING)
        wrmsr(HV_MSR_EOM, 0, 0);
    return 1;
}

int hv_event_take(unsigned sint, unsigned n)
{
    uint8_t was;
    __asm__ volatile("lock btrl %2, %1; setc %0"
                     : "=q"(was), "+m"(siefp[sint][n / 32])
                     : "r"(n % 32)
                     : "memory", "cc");
    return was;
}

void hv_stimer_periodic(unsigned n, uint8_t vector, uint32_t period)
{
    /* Count first, then enable (TLFS: without AutoEnable, Enable is set after the count). */
    wrmsr(HV_MSR_STIMER0_COUNT + 2 * n, period, 0);
    wrmsr(HV_MSR_STIMER0_CONFIG + 2 * n, STIMER_ENABLE | STIMER_PERIODIC | STIMER_DIRECT | ((uint32_t)vector << 4), 0);
}
