/*
 * Hyper-V enlightenments for a 32-bit child partition (Microsoft's Hypervisor Top-Level Functional
 * Specification, TLFS): discovery by CPUID, the hypercall page, the SynIC's message and event-flags
 * pages, synthetic timers. The exact contract with Ringside's hypervisor is docs/hyperv-abi.md.
 */
#ifndef RINGOS_HYPERV_H
#define RINGOS_HYPERV_H

#include <stdint.h>

/* Synthetic MSRs (TLFS; Linux arch/x86/include/asm/hyperv-tlfs.h). */
#define HV_MSR_GUEST_OS_ID 0x40000000u
#define HV_MSR_HYPERCALL 0x40000001u
#define HV_MSR_SCONTROL 0x40000080u
#define HV_MSR_SIEFP 0x40000082u
#define HV_MSR_SIMP 0x40000083u
#define HV_MSR_EOM 0x40000084u
#define HV_MSR_SINT0 0x40000090u
#define HV_MSR_STIMER0_CONFIG 0x400000B0u
#define HV_MSR_STIMER0_COUNT 0x400000B1u

/* HV_STATUS_SUCCESS (TLFS datatypes/hv_status.md). */
#define HV_STATUS_SUCCESS 0

/* A SynIC message slot (TLFS datatypes/hv_message.md): 16-byte header, 240-byte payload. */
#define HV_MESSAGE_PAYLOAD 240
#define HV_MESSAGE_PENDING 1 /* MessageFlags.MessagePending */
struct hv_message {
    uint32_t type; /* 0: the slot is free */
    uint8_t payload_size;
    uint8_t flags;
    uint16_t reserved;
    uint64_t origin;
    uint8_t payload[HV_MESSAGE_PAYLOAD];
};

/*
 * Checks that the hypervisor is Hyper-V with what ringos needs, sets the guest OS identity, enables
 * the hypercall page and the SynIC (message and event-flags pages; every SINT stays masked, as reset
 * leaves it). Returns NULL, or why it cannot run.
 */
const char *hv_init(void);

/* HvCallPostMessage (0x005C): payload (at most 240 bytes) to a connection. Returns the HV_STATUS. */
uint16_t hv_post_message(uint32_t connection, uint32_t type, const void *payload, uint32_t size);
/* HvCallSignalEvent (0x005D), the fast form: flag 0 of a connection. Returns the HV_STATUS. */
uint16_t hv_signal_event(uint32_t connection);

/* SINTx: the vector, AutoEOI (no APIC to acknowledge, docs/hyperv-abi.md §4), masked or not. */
void hv_sint_set(unsigned sint, uint8_t vector, int masked);
/*
 * Takes the message in SINT sint's slot, as the TLFS recommends: copy it, free the slot, write EOM
 * only if another message is pending. Returns 0 when the slot was empty.
 */
int hv_message_take(unsigned sint, struct hv_message *out);
/* Atomically tests and clears event flag n of SINT sint's event-flags area. */
int hv_event_take(unsigned sint, unsigned n);

/* Starts synthetic timer n: periodic, direct mode (the APIC vector, no SynIC message), period in 100 ns. */
void hv_stimer_periodic(unsigned n, uint8_t vector, uint32_t period);

#endif
