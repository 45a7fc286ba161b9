/*
 * VMBus, the child's side. Start-up speaks the channel-management protocol through the SynIC (Linux
 * drivers/hv/connection.c, channel_mgmt.c): post INITIATE_CONTACT, get VERSION_RESPONSE; post
 * REQUESTOFFERS, get one OFFERCHANNEL per device and ALLOFFERS_DELIVERED; post OPENCHANNEL with the
 * channel's ring pages, get OPENCHANNEL_RESULT. The root's messages arrive in SINT2's message slot;
 * ringos polls the slot while it starts, with interrupts off.
 *
 * Then each channel is two ring buffers (drivers/hv/ring_buffer.c): ringos writes packets into the
 * outbound ring and signals the root with HvCallSignalEvent only when the ring was empty — one
 * hypercall per batch, however many packets or bytes; the root answers in the inbound ring and sets
 * the channel's event flag, which raises SINT2. While ringos drains a ring it sets interrupt_mask, so
 * the root does not signal for packets ringos is about to see anyway.
 */
#include "vmbus.h"
#include "hyperv.h"
#include "../lib/string.h"
#include "../platform/platform.h"

#define PAGE 4096
#define MAX_CHANNELS 4
#define VMBUS_MESSAGE_CONNECTION_ID 1
#define VMBUS_MESSAGE_TYPE 1
#define VERSION_WIN10 ((4u << 16) | 0)
#define POLL_LIMIT 10000000u

/* enum vmbus_channel_message_type */
#define CHANNELMSG_OFFERCHANNEL 1
#define CHANNELMSG_REQUESTOFFERS 3
#define CHANNELMSG_ALLOFFERS_DELIVERED 4
#define CHANNELMSG_OPENCHANNEL 5
#define CHANNELMSG_OPENCHANNEL_RESULT 6
#define CHANNELMSG_INITIATE_CONTACT 14
#define CHANNELMSG_VERSION_RESPONSE 15

struct msg_header {
    uint32_t msgtype, padding;
};
struct msg_initiate_contact {
    struct msg_header h;
    uint32_t version_requested, target_vcpu;
    uint64_t interrupt_page, monitor_page1, monitor_page2;
};
struct msg_version_response {
    struct msg_header h;
    uint8_t version_supported, connection_state;
    uint16_t padding;
    uint32_t msg_conn_id;
};
struct msg_offer {
    struct msg_header h;
    uint8_t type_guid[16], instance_guid[16];
    uint64_t reserved1, reserved2;
    uint16_t flags, mmio_megabytes;
    uint8_t user_data[120];
    uint16_t sub_channel_index, reserved3;
    uint32_t relid;
    uint8_t monitor_id, monitor_allocated;
    uint16_t dedicated_interrupt;
    uint32_t connection_id;
} __attribute__((packed));
/* [R] ring_pfn is the guest page number of the rings where Linux has a GPADL handle; downstream_offset
 * is the size of each ring in pages. */
struct msg_open {
    struct msg_header h;
    uint32_t relid, open_id, ring_pfn, target_vp, downstream_offset;
    uint8_t user_data[120];
};
struct msg_open_result {
    struct msg_header h;
    uint32_t relid, open_id, status;
};
_Static_assert(sizeof(struct msg_offer) == 196, "OFFERCHANNEL is 196 bytes");
_Static_assert(sizeof(struct hv_ring_buffer) == 68, "struct hv_ring_buffer's fields end at 68");

static struct vmbus_channel channels[MAX_CHANNELS];
static unsigned nchannels;

/* A full memory barrier: the stores before it are seen before the loads after it (Linux virt_mb). */
static inline void mb(void) { __asm__ volatile("lock; addl $0, (%%esp)" : : : "memory", "cc"); }

static uint32_t msgtype(const struct hv_message *m)
{
    uint32_t t;
    memcpy(&t, m->payload, sizeof t);
    return t;
}

/* The next message from the root, polled from SINT2's slot; -1 when none comes. */
static int next_message(struct hv_message *m)
{
    for (uint32_t i = 0; i < POLL_LIMIT; i++)
        if (hv_message_take(VMBUS_SINT, m))
            return 0;
    return -1;
}

static int post(const void *msg, uint32_t size)
{
    return hv_post_message(VMBUS_MESSAGE_CONNECTION_ID, VMBUS_MESSAGE_TYPE, msg, size) == HV_STATUS_SUCCESS ? 0 : -1;
}

int vmbus_connect(void)
{
    struct msg_initiate_contact contact = { { CHANNELMSG_INITIATE_CONTACT, 0 }, VERSION_WIN10, 0, 0, 0, 0 };
    struct hv_message m;
    if (post(&contact, sizeof contact) < 0)
        return -1;
    do
        if (next_message(&m) < 0)
            return -1;
    while (msgtype(&m) != CHANNELMSG_VERSION_RESPONSE);
    if (!((const struct msg_version_response *)m.payload)->version_supported)
        return -1;

    struct msg_header request = { CHANNELMSG_REQUESTOFFERS, 0 };
    if (post(&request, sizeof request) < 0)
        return -1;
    for (;;) {
        if (next_message(&m) < 0)
            return -1;
        if (msgtype(&m) == CHANNELMSG_ALLOFFERS_DELIVERED)
            return 0;
        if (msgtype(&m) != CHANNELMSG_OFFERCHANNEL || nchannels == MAX_CHANNELS)
            continue;
        const struct msg_offer *o = (const struct msg_offer *)m.payload;
        struct vmbus_channel *ch = &channels[nchannels++];
        memcpy(ch->type_guid, o->type_guid, 16);
        memcpy(ch->user_data, o->user_data, sizeof ch->user_data);
        ch->relid = o->relid;
        ch->connection_id = o->connection_id;
    }
}

struct vmbus_channel *vmbus_find(const uint8_t type_guid[16])
{
    for (unsigned i = 0; i < nchannels; i++)
        if (memcmp(channels[i].type_guid, type_guid, 16) == 0)
            return &channels[i];
    return 0;
}

static void ring_init(struct vmbus_ring *r, uint8_t *pages, unsigned n)
{
    r->hdr = (struct hv_ring_buffer *)pages;
    r->data = pages + PAGE;
    r->size = (n - 1) * PAGE;
    r->hdr->feature_bits = 1;
}

int vmbus_open(struct vmbus_channel *ch, void *rings, unsigned pages_per_ring, vmbus_packet_fn on_packet)
{
    ring_init(&ch->out, rings, pages_per_ring);
    ring_init(&ch->in, (uint8_t *)rings + pages_per_ring * PAGE, pages_per_ring);
    ch->on_packet = on_packet;
    struct msg_open open = { { CHANNELMSG_OPENCHANNEL, 0 }, ch->relid, ch->relid, (uint32_t)rings / PAGE, 0,
        pages_per_ring, { 0 } };
    struct hv_message m;
    if (post(&open, sizeof open) < 0)
        return -1;
    do
        if (next_message(&m) < 0)
            return -1;
    while (msgtype(&m) != CHANNELMSG_OPENCHANNEL_RESULT || ((const struct msg_open_result *)m.payload)->relid != ch->relid);
    ch->open = ((const struct msg_open_result *)m.payload)->status == 0;
    return ch->open ? 0 : -1;
}

/* Bytes a writer may still use; the writer keeps one free, since read == write means empty. */
static uint32_t ring_free(const struct vmbus_ring *r)
{
    uint32_t w = r->hdr->write_index, rd = r->hdr->read_index;
    return w >= rd ? r->size - (w - rd) : rd - w;
}

static uint32_t ring_put(struct vmbus_ring *r, uint32_t at, const void *src, uint32_t n)
{
    uint32_t first = n < r->size - at ? n : r->size - at;
    memcpy(r->data + at, src, first);
    memcpy(r->data, (const uint8_t *)src + first, n - first);
    return (at + n) % r->size;
}

static void ring_get(const struct vmbus_ring *r, uint32_t at, void *dst, uint32_t n)
{
    uint32_t first = n < r->size - at ? n : r->size - at;
    memcpy(dst, r->data + at, first);
    memcpy((uint8_t *)dst + first, r->data, n - first);
}

void vmbus_send(struct vmbus_channel *ch, uint16_t type, uint16_t flags, uint32_t trans_id, uint16_t offset8,
    const struct vmbus_iov *iov, unsigned n)
{
    static const uint8_t zeros[8];
    struct vmbus_ring *r = &ch->out;
    uint32_t len = sizeof(struct vmpacket_descriptor);
    for (unsigned i = 0; i < n; i++)
        len += iov[i].len;
    uint32_t padded = (len + 7) & ~7u, need = padded + 8;
    /* Full: ask the root to signal once it has read enough (pending_send_sz), and wait. */
    while (ring_free(r) <= need) {
        r->hdr->pending_send_sz = need + 1;
        mb();
        if (ring_free(r) > need)
            break;
        plat_wait_for_interrupt();
    }
    r->hdr->pending_send_sz = 0;

    uint32_t old = r->hdr->write_index;
    struct vmpacket_descriptor d = { type, offset8, (uint16_t)(padded / 8), flags, trans_id };
    uint32_t at = ring_put(r, old, &d, sizeof d);
    for (unsigned i = 0; i < n; i++)
        at = ring_put(r, at, iov[i].base, iov[i].len);
    at = ring_put(r, at, zeros, padded - len);
    uint64_t trailer = (uint64_t)old << 32; /* the packet's start, as Linux's prev_indices */
    at = ring_put(r, at, &trailer, sizeof trailer);
    mb();
    r->hdr->write_index = at;
    mb();
    /* hv_signal_on_write: only an empty → non-empty transition needs the root's attention. */
    if (!r->hdr->interrupt_mask && r->hdr->read_index == old)
        hv_signal_event(ch->connection_id);
}

/* Reads every packet the root has put in the channel's inbound ring (hv_begin_read … hv_end_read). */
static void channel_drain(struct vmbus_channel *ch)
{
    static uint64_t packet[64]; /* 512 bytes: the largest packet ringos's channels carry */
    struct vmbus_ring *r = &ch->in;
    r->hdr->interrupt_mask = 1;
    mb();
    for (;;) {
        while (r->hdr->read_index != r->hdr->write_index) {
            uint32_t rd = r->hdr->read_index, w = r->hdr->write_index;
            uint32_t used = w >= rd ? w - rd : r->size - rd + w;
            struct vmpacket_descriptor d;
            ring_get(r, rd, &d, sizeof d);
            uint32_t len = d.len8 * 8u;
            if (len < sizeof d || len + 8 > used)
                return; /* a broken ring: leave it (and its mask) alone */
            if (len <= sizeof packet) {
                ring_get(r, rd, packet, len);
                ch->on_packet(ch, (const struct vmpacket_descriptor *)packet, len);
            }
            r->hdr->read_index = (rd + len + 8) % r->size;
        }
        r->hdr->interrupt_mask = 0;
        mb();
        if (r->hdr->read_index == r->hdr->write_index)
            break;
        r->hdr->interrupt_mask = 1; /* more arrived while we were finishing: go round again */
        mb();
    }
    /* hv_pkt_iter_close: the root waits for room to write (pending_send_sz) and now has it. */
    uint32_t want = r->hdr->pending_send_sz;
    if (want && ring_free(r) >= want)
        hv_signal_event(ch->connection_id);
}

void vmbus_isr(void)
{
    struct hv_message m;
    while (hv_message_take(VMBUS_SINT, &m))
        ; /* [R] after start-up the root sends no channel messages ringos acts on (no rescinds) */
    for (unsigned i = 0; i < nchannels; i++)
        if (channels[i].open && hv_event_take(VMBUS_SINT, channels[i].relid))
            channel_drain(&channels[i]);
}
