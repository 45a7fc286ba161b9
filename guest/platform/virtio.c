/*
 * The virtio platform: the PC's PIC and PIT, but the console and the disk are paravirtual virtio
 * devices on virtio-mmio (virtio 1.1 §4.2) — a console (device id 3, queues receiveq0 and
 * transmitq0, §5.3) and a block device (device id 2, one request queue, §5.2). Where the native UART
 * costs one trapped OUT per byte, a whole console write here is one buffer and one notification.
 *
 * Where the devices are: the Ringside PC puts the virtio-mmio window at 0xFEB00000, 512 bytes per
 * slot, slot i on IRQ 10 + i (as QEMU's microvm machine does, with its own IRQ numbers). The driver
 * looks for each device in the window; "virtio.irqbase=N" on the command line changes the 10.
 */
#include "platform.h"
#include "pc.h"
#include "../kernel/trap.h"
#include "../kernel/kernel.h"
#include "../kernel/paging.h"
#include "../drivers/virtio.h"

#define VIRTIO_MMIO_BASE 0xFEB00000u
#define VIRTIO_MMIO_STRIDE 0x200u
#define VIRTIO_MMIO_SLOTS 8
#define VIRTIO_IRQ_BASE 10

#define RX_BUFFERS 8
#define RX_BUFFER_SIZE 64

const char plat_name[] = "virtio";
const char plat_devices[] = "8259A PIC, 8254 PIT, virtio-mmio console and block";

static struct virtio_dev con, blk;
static struct virtq con_rx, con_tx, blk_q;
static int have_console, have_disk;
static uint32_t disk_sectors;
static uint8_t queue_pages[3][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t rx_buffers[RX_BUFFERS][RX_BUFFER_SIZE];
static char tx_buffer[512];

/* The block request header and status byte (§5.2.6). */
struct blk_req {
    uint32_t type; /* 0: read (VIRTIO_BLK_T_IN), 1: write (VIRTIO_BLK_T_OUT) */
    uint32_t reserved;
    uint64_t sector;
};
static struct blk_req req;
static volatile uint8_t req_status;

/* The console's interrupt: hand every filled receive buffer to the console, then give it back. */
static void console_irq(void)
{
    virtio_irq_ack(&con);
    int head, refilled = 0;
    uint32_t len;
    while ((head = virtq_next_used(&con_rx, &len)) >= 0) {
        void *buf = (void *)(uint32_t)con_rx.desc[head].addr;
        console_input(buf, len);
        struct virtq_buf b = { buf, RX_BUFFER_SIZE, 1 };
        virtq_add(&con_rx, &b, 1);
        refilled = 1;
    }
    if (refilled)
        virtq_kick(&con_rx);
}

/* The disk's interrupt only acknowledges: the waiting request takes its completion off the used ring. */
static void block_irq(void)
{
    virtio_irq_ack(&blk);
}

static unsigned irq_base(void)
{
    const char *v = cmdline_get("virtio.irqbase");
    unsigned n;
    char num[8];
    size_t i = 0;
    if (!v)
        return VIRTIO_IRQ_BASE;
    while (i < sizeof num - 1 && v[i] && v[i] != ' ')
        num[i] = v[i], i++;
    num[i] = 0;
    return parse_uint(num, &n) == 0 && n < 16 ? n : VIRTIO_IRQ_BASE;
}

static void console_init(unsigned base)
{
    if (virtio_find(VIRTIO_MMIO_BASE, VIRTIO_MMIO_SLOTS, VIRTIO_MMIO_STRIDE, VIRTIO_ID_CONSOLE, base, &con) < 0
        || virtio_begin(&con) < 0 || virtq_setup(&con, &con_rx, 0, queue_pages[0]) < 0
        || virtq_setup(&con, &con_tx, 1, queue_pages[1]) < 0)
        return;
    /* Transmit completions are polled right after each kick, so that queue needs no interrupt. */
    con_tx.avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
    virtio_ready(&con);
    for (int i = 0; i < RX_BUFFERS; i++) {
        struct virtq_buf b = { rx_buffers[i], RX_BUFFER_SIZE, 1 };
        virtq_add(&con_rx, &b, 1);
    }
    virtq_kick(&con_rx);
    irq_set_handler(con.irq, console_irq);
    plat_irq_unmask(con.irq);
    have_console = 1;
}

static void block_init(unsigned base)
{
    if (virtio_find(VIRTIO_MMIO_BASE, VIRTIO_MMIO_SLOTS, VIRTIO_MMIO_STRIDE, VIRTIO_ID_BLOCK, base, &blk) < 0
        || virtio_begin(&blk) < 0 || virtq_setup(&blk, &blk_q, 0, queue_pages[2]) < 0)
        return;
    disk_sectors = virtio_config32(&blk, 0); /* capacity, in 512-byte sectors (low 32 bits) */
    virtio_ready(&blk);
    irq_set_handler(blk.irq, block_irq);
    plat_irq_unmask(blk.irq);
    have_disk = 1;
}

void plat_init(void)
{
    pc_interrupts_init();
    kmap_io(VIRTIO_MMIO_BASE, VIRTIO_MMIO_SLOTS * VIRTIO_MMIO_STRIDE);
    unsigned base = irq_base();
    console_init(base);
    block_init(base);
}

void plat_console_write(const char *s, size_t n)
{
    if (!have_console)
        return;
    while (n) {
        size_t chunk = n < sizeof tx_buffer ? n : sizeof tx_buffer;
        memcpy(tx_buffer, s, chunk);
        struct virtq_buf b = { tx_buffer, (uint32_t)chunk, 0 };
        virtq_add(&con_tx, &b, 1);
        virtq_kick(&con_tx);
        while (virtq_next_used(&con_tx, 0) < 0)
            ; /* the device has taken the bytes when it returns the buffer */
        s += chunk;
        n -= chunk;
    }
}

uint32_t plat_block_sectors(void) { return have_disk ? disk_sectors : 0; }

static int block_request(uint32_t type, uint32_t lba, void *buf)
{
    if (!have_disk || lba >= disk_sectors)
        return -1;
    req.type = type;
    req.reserved = 0;
    req.sector = lba;
    req_status = 0xFF;
    struct virtq_buf chain[3] = {
        { &req, sizeof req, 0 },
        { buf, 512, type == 0 },            /* the device writes the data of a read */
        { (void *)&req_status, 1, 1 },
    };
    virtq_add(&blk_q, chain, 3);
    virtq_kick(&blk_q);
    while (virtq_next_used(&blk_q, 0) < 0)
        plat_wait_for_interrupt();
    return req_status == 0 ? 0 : -1;
}

int plat_block_read(uint32_t lba, void *buf) { return block_request(0, lba, buf); }
int plat_block_write(uint32_t lba, const void *buf) { return block_request(1, lba, (void *)buf); }
