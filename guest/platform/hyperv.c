/*
 * The hyperv platform: ringos as an enlightened Hyper-V child partition, the way a Linux guest runs
 * there. No emulated device is touched: the hypercall page comes from HV_X64_MSR_HYPERCALL, the
 * 100 Hz tick from synthetic timer 0 (periodic, direct mode), and the console and the disk are VMBus
 * channels — VSCs here, VSPs in the root partition — with their packets in ring buffers in ringos's
 * memory. docs/hyperv-abi.md is the contract with Ringside's Hyper-V.
 *
 * Interrupt lines keep their PC numbering (vector 32 + line), but nothing sits behind them except the
 * SynIC: line 0 is STIMER0's vector, line 2 is SINT2, VMBus's interrupt. Each SINT has AutoEOI set
 * and Ringside's Hyper-V has no local APIC [R], so there is nothing to acknowledge: the EOI of a line
 * is a no-op, and the only end-of-message duty is the EOM MSR of the message protocol.
 */
#include "platform.h"
#include "../kernel/trap.h"
#include "../kernel/kernel.h"
#include "../drivers/hyperv.h"
#include "../drivers/vmbus.h"
#include "../drivers/uart.h"

#define PAGE 4096
#define TIMER_LINE 0
#define VMBUS_LINE VMBUS_SINT
#define RING_PAGES 2                /* each ring: a header page and one page of data */
#define CONSOLE_PACKET_MAX 1024     /* bytes of console output per packet [R] */
#define REF_COUNTS_PER_SECOND 10000000u /* the reference counter's 100 ns units */

/* Ringside's console and storage interfaces [R], GUIDs 5249474e-000{1,2}-4e43-8e4f-52494e47534f in
 * Microsoft's byte order (the first three groups little-endian). */
static const uint8_t console_guid[16] = { 0x4e, 0x47, 0x49, 0x52, 0x01, 0x00, 0x43, 0x4e,
    0x8e, 0x4f, 0x52, 0x49, 0x4e, 0x47, 0x53, 0x4f };
static const uint8_t storage_guid[16] = { 0x4e, 0x47, 0x49, 0x52, 0x02, 0x00, 0x43, 0x4e,
    0x8e, 0x4f, 0x52, 0x49, 0x4e, 0x47, 0x53, 0x4f };

/* The storage channel's request and completion [R]. */
#define STORAGE_READ 1
#define STORAGE_WRITE 2
struct storage_request {
    uint32_t operation, sectors;
    uint64_t lba;
};
struct storage_completion {
    uint32_t status, sectors;
};
/* The GPA_DIRECT range header (Linux struct vmbus_packet_mpb_array / gpa_range) for up to two pages. */
struct storage_ranges {
    uint32_t reserved, range_count;
    uint32_t byte_count, byte_offset;
    uint64_t pfn[2];
};

const char plat_name[] = "hyperv";
const char plat_devices[] = "Hyper-V enlightenments: hypercall page, SynIC, synthetic timer, VMBus console and storage";

static uint8_t console_rings[2 * RING_PAGES][PAGE] __attribute__((aligned(PAGE)));
static uint8_t storage_rings[2 * RING_PAGES][PAGE] __attribute__((aligned(PAGE)));
static struct vmbus_channel *con, *disk;
static uint32_t disk_sectors;
static uint32_t request_id;
static volatile uint32_t completed_id;
static volatile uint32_t completion_status;

/*
 * Start-up failures go to COM1 [R] (a generation-1 Hyper-V VM has one, emulated by the worker
 * process): before VMBus is up there is no other console, and the kernel's own messages would wait
 * in its early buffer forever.
 */
__attribute__((noreturn)) static void fail(const char *why)
{
    static const char prefix[] = "ringos (hyperv platform): ";
    uart_write(prefix, sizeof prefix - 1);
    uart_write(why, strlen(why));
    uart_write("\r\n", 2);
    plat_halt();
}

/* The console VSC's receive side: keystrokes in {u32 count, u32 reserved, bytes} packets. */
static void console_packet(struct vmbus_channel *ch, const struct vmpacket_descriptor *p, uint32_t len)
{
    (void)ch;
    uint32_t at = p->offset8 * 8u, count;
    if (p->type != VM_PKT_DATA_INBAND || at + 8 > len)
        return;
    memcpy(&count, (const uint8_t *)p + at, sizeof count);
    if (count <= len - at - 8)
        console_input((const char *)p + at + 8, count);
}

/* The storage VSC's completions: the request they answer is the one waiting in block_request. */
static void storage_packet(struct vmbus_channel *ch, const struct vmpacket_descriptor *p, uint32_t len)
{
    (void)ch;
    struct storage_completion c;
    if (p->type != VM_PKT_COMP || p->offset8 * 8u + sizeof c > len)
        return;
    memcpy(&c, (const uint8_t *)p + p->offset8 * 8u, sizeof c);
    completion_status = c.status;
    completed_id = (uint32_t)p->trans_id;
}

void plat_init(void)
{
    const char *why = hv_init();
    if (why)
        fail(why);
    irq_set_handler(VMBUS_LINE, vmbus_isr);
    plat_irq_unmask(VMBUS_LINE);
    if (vmbus_connect() < 0)
        fail("the root partition did not answer on VMBus");
    con = vmbus_find(console_guid);
    if (!con || vmbus_open(con, console_rings, RING_PAGES, console_packet) < 0)
        fail("no VMBus console channel");
    disk = vmbus_find(storage_guid);
    if (disk && vmbus_open(disk, storage_rings, RING_PAGES, storage_packet) == 0)
        memcpy(&disk_sectors, disk->user_data, sizeof disk_sectors); /* capacity, low 32 bits [R] */
    else
        disk = 0;
}

/* One packet per console write (of up to 1 KiB): one ring write, at most one HvCallSignalEvent. */
void plat_console_write(const char *s, size_t n)
{
    while (n) {
        uint32_t chunk = n < CONSOLE_PACKET_MAX ? n : CONSOLE_PACKET_MAX;
        uint32_t header[2] = { chunk, 0 };
        struct vmbus_iov iov[2] = { { header, sizeof header }, { s, chunk } };
        vmbus_send(con, VM_PKT_DATA_INBAND, 0, 0, sizeof(struct vmpacket_descriptor) / 8, iov, 2);
        s += chunk;
        n -= chunk;
    }
}

uint32_t plat_block_sectors(void) { return disk ? disk_sectors : 0; }

/*
 * One sector by GPA_DIRECT: the buffer's guest-physical pages travel with the request (ringos maps
 * physical memory 1:1, so a kernel pointer is its GPA; a 512-byte buffer spans one or two pages), the
 * root moves the data itself, and the completion arrives by SINT2.
 */
static int block_request(uint32_t op, uint32_t lba, void *buf)
{
    if (!disk || lba >= disk_sectors)
        return -1;
    uint32_t gpa = (uint32_t)buf, offset = gpa % PAGE;
    unsigned pages = offset + 512 > PAGE ? 2 : 1;
    struct storage_ranges ranges = { 0, 1, 512, offset, { gpa / PAGE, gpa / PAGE + 1 } };
    struct storage_request req = { op, 1, lba };
    uint32_t range_bytes = sizeof ranges - (2 - pages) * sizeof(uint64_t);
    struct vmbus_iov iov[2] = { { &ranges, range_bytes }, { &req, sizeof req } };
    uint32_t id = ++request_id;
    vmbus_send(disk, VM_PKT_DATA_USING_GPA_DIRECT, VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED, id,
        (sizeof(struct vmpacket_descriptor) + range_bytes) / 8, iov, 2);
    while (completed_id != id)
        plat_wait_for_interrupt();
    return completion_status == 0 ? 0 : -1;
}

int plat_block_read(uint32_t lba, void *buf) { return block_request(STORAGE_READ, lba, buf); }
int plat_block_write(uint32_t lba, const void *buf) { return block_request(STORAGE_WRITE, lba, (void *)buf); }

void plat_timer_start(unsigned hz)
{
    irq_set_handler(TIMER_LINE, timer_tick);
    hv_stimer_periodic(0, IRQ_VECTOR_BASE + TIMER_LINE, REF_COUNTS_PER_SECOND / hz);
}

/* Only VMBus's line has a mask: SINT2's. STIMER0's direct-mode vector has none. */
void plat_irq_unmask(unsigned line)
{
    if (line == VMBUS_LINE)
        hv_sint_set(VMBUS_SINT, IRQ_VECTOR_BASE + VMBUS_LINE, 0);
}

void plat_irq_mask(unsigned line)
{
    if (line == VMBUS_LINE)
        hv_sint_set(VMBUS_SINT, IRQ_VECTOR_BASE + VMBUS_LINE, 1);
}

void plat_irq_eoi(unsigned line) { (void)line; }
int plat_irq_spurious(unsigned line) { (void)line; return 0; }
