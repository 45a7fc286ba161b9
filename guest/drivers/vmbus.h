/*
 * VMBus, the child's side (Linux Documentation/virt/hyperv/vmbus.rst, include/linux/hyperv.h): the
 * channel-management messages over the SynIC, and channels — a pair of ring buffers in guest memory
 * per device, signalled with HvCallSignalEvent one way and SIEF flags plus SINT2 the other.
 * docs/hyperv-abi.md §6 is the contract with Ringside's root partition.
 */
#ifndef RINGOS_VMBUS_H
#define RINGOS_VMBUS_H

#include <stdint.h>

#define VMBUS_SINT 2

/* Packet types and flags (Linux enum vmbus_packet_type). */
#define VM_PKT_DATA_INBAND 6
#define VM_PKT_DATA_USING_GPA_DIRECT 9
#define VM_PKT_COMP 11
#define VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED 1

/* struct vmpacket_descriptor: offset8 and len8 count 8-byte units from the packet's start. */
struct vmpacket_descriptor {
    uint16_t type;
    uint16_t offset8;
    uint16_t len8;
    uint16_t flags;
    uint64_t trans_id;
};

/* struct hv_ring_buffer: the header page of a ring; the data follows it. */
struct hv_ring_buffer {
    volatile uint32_t write_index;
    volatile uint32_t read_index;
    volatile uint32_t interrupt_mask;
    volatile uint32_t pending_send_sz;
    uint32_t reserved[12];
    uint32_t feature_bits; /* bit 0: pending_send_sz is supported */
};

struct vmbus_ring {
    struct hv_ring_buffer *hdr;
    uint8_t *data;
    uint32_t size; /* bytes of data */
};

struct vmbus_channel;
/* Called for each packet the host sent on a channel (from the SINT2 interrupt handler). */
typedef void (*vmbus_packet_fn)(struct vmbus_channel *ch, const struct vmpacket_descriptor *p, uint32_t len);

struct vmbus_channel {
    uint8_t type_guid[16];
    uint32_t relid;
    uint32_t connection_id;
    uint8_t user_data[120];
    int open;
    struct vmbus_ring out; /* guest → host */
    struct vmbus_ring in;  /* host → guest */
    vmbus_packet_fn on_packet;
};

/* A piece of a packet being sent (Linux's kvec). */
struct vmbus_iov {
    const void *base;
    uint32_t len;
};

/*
 * Contacts the root partition (INITIATE_CONTACT for version 4.0) and collects its channel offers
 * (REQUESTOFFERS … ALLOFFERS_DELIVERED), polling SINT2's message slot. Returns 0, or -1 when the root
 * refuses or does not answer.
 */
int vmbus_connect(void);
/* The offered channel with this interface type GUID, or NULL. */
struct vmbus_channel *vmbus_find(const uint8_t type_guid[16]);
/* Opens a channel on 2 × pages_per_ring zeroed pages at rings (page-aligned); 0 on success. */
int vmbus_open(struct vmbus_channel *ch, void *rings, unsigned pages_per_ring, vmbus_packet_fn on_packet);
/*
 * Sends one packet: the descriptor, then the pieces in order, padded to 8 bytes, its data offset at
 * offset8 × 8. Waits while the ring is full. Signals the host only if the ring was empty before.
 */
void vmbus_send(struct vmbus_channel *ch, uint16_t type, uint16_t flags, uint32_t trans_id, uint16_t offset8,
    const struct vmbus_iov *iov, unsigned n);
/* SINT2's interrupt handler: drains every channel whose event flag is set. */
void vmbus_isr(void);

#endif
