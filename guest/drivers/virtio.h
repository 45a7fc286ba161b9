/* virtio over MMIO: the transport and split virtqueues (drivers/virtio.c). */
#ifndef RINGOS_VIRTIO_H
#define RINGOS_VIRTIO_H

#include <stdint.h>

#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTQ_SIZE 16

/* Split virtqueue layout (virtio 1.1 §2.6). */
struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2 /* the device writes this buffer */

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[VIRTQ_SIZE];
    uint16_t used_event;
};
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};
struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[VIRTQ_SIZE];
    uint16_t avail_event;
};

struct virtio_dev {
    uintptr_t base; /* the device's register window */
    unsigned irq;
};

struct virtq {
    struct virtio_dev *dev;
    unsigned index;
    uint16_t num, free_head, num_free, last_used;
    struct virtq_desc *desc;
    struct virtq_avail *avail;
    struct virtq_used *used;
};

/* A buffer of a request: device-readable, or device-writable when write is set. */
struct virtq_buf {
    void *addr;
    uint32_t len;
    int write;
};

/* Finds the device of the given id in the MMIO window; 0 on success. */
int virtio_find(uintptr_t window, unsigned slots, uint32_t stride, uint32_t device_id, unsigned irq_base, struct virtio_dev *out);
/* Resets the device and negotiates features (VIRTIO_F_VERSION_1 only); 0 on success. */
int virtio_begin(struct virtio_dev *d);
/* Sets up queue index in page (4 KiB, zeroed); 0 on success. */
int virtq_setup(struct virtio_dev *d, struct virtq *q, unsigned index, void *page);
/* Tells the device the driver is ready (DRIVER_OK). */
void virtio_ready(struct virtio_dev *d);
uint32_t virtio_config32(struct virtio_dev *d, unsigned offset);
/* Acknowledges the device's interrupt; returns the interrupt status bits. */
uint32_t virtio_irq_ack(struct virtio_dev *d);

/* Puts a chain of buffers on the available ring; the head index, or -1 when the queue is full. */
int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n);
/* Notifies the device that the available ring has new entries (a write to QueueNotify). */
void virtq_kick(struct virtq *q);
/* Takes one used chain off the used ring: its head index (and *len), or -1 when there is none. */
int virtq_next_used(struct virtq *q, uint32_t *len);

#endif
