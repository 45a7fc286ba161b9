/*
 * The virtio-mmio transport, version 2 register layout (virtio 1.1, OASIS, §4.2.2 "MMIO Device
 * Register Layout"), device initialization (§3.1.1) and split virtqueues (§2.6).
 *
 * A request is a chain of descriptors pointing at buffers in guest memory. The driver puts the chain's
 * head on the available ring and writes the queue number to QueueNotify (the one register access that
 * traps to the device model: the "kick"); the device processes any number of chains, puts them on the
 * used ring and raises its interrupt. Many requests can share one kick and one interrupt.
 */
#include "virtio.h"
#include "../kernel/x86.h"

#define REG_MAGIC 0x000
#define REG_VERSION 0x004
#define REG_DEVICE_ID 0x008
#define REG_DEVICE_FEATURES 0x010
#define REG_DEVICE_FEATURES_SEL 0x014
#define REG_DRIVER_FEATURES 0x020
#define REG_DRIVER_FEATURES_SEL 0x024
#define REG_QUEUE_SEL 0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM 0x038
#define REG_QUEUE_READY 0x044
#define REG_QUEUE_NOTIFY 0x050
#define REG_INTERRUPT_STATUS 0x060
#define REG_INTERRUPT_ACK 0x064
#define REG_STATUS 0x070
#define REG_QUEUE_DESC_LOW 0x080
#define REG_QUEUE_DESC_HIGH 0x084
#define REG_QUEUE_DRIVER_LOW 0x090
#define REG_QUEUE_DRIVER_HIGH 0x094
#define REG_QUEUE_DEVICE_LOW 0x0A0
#define REG_QUEUE_DEVICE_HIGH 0x0A4
#define REG_CONFIG 0x100

#define MAGIC 0x74726976 /* "virt" */
#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8
#define F_VERSION_1_HIGH 1 /* feature bit 32: bit 0 of the second feature word */

static uint32_t rd(struct virtio_dev *d, unsigned reg) { return mmio_read32(d->base + reg); }
static void wr(struct virtio_dev *d, unsigned reg, uint32_t v) { mmio_write32(d->base + reg, v); }

int virtio_find(uintptr_t window, unsigned slots, uint32_t stride, uint32_t device_id, unsigned irq_base, struct virtio_dev *out)
{
    for (unsigned i = 0; i < slots; i++) {
        struct virtio_dev d = { window + i * stride, irq_base + i };
        if (rd(&d, REG_MAGIC) == MAGIC && rd(&d, REG_VERSION) == 2 && rd(&d, REG_DEVICE_ID) == device_id) {
            *out = d;
            return 0;
        }
    }
    return -1;
}

int virtio_begin(struct virtio_dev *d)
{
    wr(d, REG_STATUS, 0); /* reset */
    wr(d, REG_STATUS, STATUS_ACKNOWLEDGE);
    wr(d, REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
    wr(d, REG_DEVICE_FEATURES_SEL, 1);
    if (!(rd(d, REG_DEVICE_FEATURES) & F_VERSION_1_HIGH))
        return -1; /* a legacy-only device */
    wr(d, REG_DRIVER_FEATURES_SEL, 0);
    wr(d, REG_DRIVER_FEATURES, 0);
    wr(d, REG_DRIVER_FEATURES_SEL, 1);
    wr(d, REG_DRIVER_FEATURES, F_VERSION_1_HIGH);
    wr(d, REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
    return rd(d, REG_STATUS) & STATUS_FEATURES_OK ? 0 : -1;
}

int virtq_setup(struct virtio_dev *d, struct virtq *q, unsigned index, void *page)
{
    wr(d, REG_QUEUE_SEL, index);
    uint32_t max = rd(d, REG_QUEUE_NUM_MAX);
    if (max == 0)
        return -1;
    q->dev = d;
    q->index = index;
    q->num = max < VIRTQ_SIZE ? (uint16_t)max : VIRTQ_SIZE;
    /* One page: descriptor table (16-byte aligned), available ring, used ring (4-byte aligned). */
    uint8_t *p = page;
    q->desc = (struct virtq_desc *)p;
    q->avail = (struct virtq_avail *)(p + sizeof(struct virtq_desc) * VIRTQ_SIZE);
    q->used = (struct virtq_used *)(p + 2048);
    for (uint16_t i = 0; i < q->num; i++)
        q->desc[i].next = (uint16_t)(i + 1);
    q->free_head = 0;
    q->num_free = q->num;
    q->last_used = 0;
    wr(d, REG_QUEUE_NUM, q->num);
    wr(d, REG_QUEUE_DESC_LOW, (uint32_t)q->desc);
    wr(d, REG_QUEUE_DESC_HIGH, 0);
    wr(d, REG_QUEUE_DRIVER_LOW, (uint32_t)q->avail);
    wr(d, REG_QUEUE_DRIVER_HIGH, 0);
    wr(d, REG_QUEUE_DEVICE_LOW, (uint32_t)q->used);
    wr(d, REG_QUEUE_DEVICE_HIGH, 0);
    wr(d, REG_QUEUE_READY, 1);
    return 0;
}

void virtio_ready(struct virtio_dev *d)
{
    wr(d, REG_STATUS, rd(d, REG_STATUS) | STATUS_DRIVER_OK);
}

uint32_t virtio_config32(struct virtio_dev *d, unsigned offset) { return rd(d, REG_CONFIG + offset); }

uint32_t virtio_irq_ack(struct virtio_dev *d)
{
    uint32_t status = rd(d, REG_INTERRUPT_STATUS);
    wr(d, REG_INTERRUPT_ACK, status);
    return status;
}

int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n)
{
    if (n == 0 || n > q->num_free)
        return -1;
    uint16_t head = q->free_head, i = head;
    for (unsigned k = 0; k < n; k++) {
        struct virtq_desc *d = &q->desc[i];
        d->addr = (uint32_t)bufs[k].addr; /* physical = virtual in the kernel's 1:1 map */
        d->len = bufs[k].len;
        d->flags = (uint16_t)((bufs[k].write ? VIRTQ_DESC_F_WRITE : 0) | (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
        if (k + 1 < n)
            i = d->next;
    }
    q->free_head = q->desc[i].next;
    q->num_free = (uint16_t)(q->num_free - n);
    q->avail->ring[q->avail->idx % q->num] = head;
    barrier(); /* the ring entry before the index that publishes it (§2.6.13) */
    q->avail->idx++;
    return head;
}

void virtq_kick(struct virtq *q)
{
    barrier();
    wr(q->dev, REG_QUEUE_NOTIFY, q->index);
}

int virtq_next_used(struct virtq *q, uint32_t *len)
{
    barrier();
    if (q->last_used == *(volatile uint16_t *)&q->used->idx)
        return -1;
    struct virtq_used_elem *e = &q->used->ring[q->last_used % q->num];
    q->last_used++;
    uint16_t head = (uint16_t)e->id, i = head, n = 1;
    if (len)
        *len = e->len;
    while (q->desc[i].flags & VIRTQ_DESC_F_NEXT) {
        i = q->desc[i].next;
        n++;
    }
    q->desc[i].next = q->free_head; /* the chain goes back on the free list */
    q->free_head = head;
    q->num_free = (uint16_t)(q->num_free + n);
    return head;
}
