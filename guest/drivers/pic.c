/*
 * The two Intel 8259A programmable interrupt controllers of the PC/AT: the master at ports
 * 0x20/0x21 takes IRQ 0-7, the slave at 0xA0/0xA1 takes IRQ 8-15 and is wired to the master's IRQ 2
 * (Intel 8259A datasheet, "Programming the 8259A": ICW1-ICW4 initialization, OCW1 mask, OCW2 EOI).
 */
#include "pic.h"
#include "../kernel/x86.h"

#define MASTER_CMD 0x20
#define MASTER_DATA 0x21
#define SLAVE_CMD 0xA0
#define SLAVE_DATA 0xA1
#define CASCADE_LINE 2

static uint16_t masks = 0xFFFF;

static void write_masks(void)
{
    outb(MASTER_DATA, (uint8_t)masks);
    outb(SLAVE_DATA, (uint8_t)(masks >> 8));
}

void pic_init(uint8_t vector_base)
{
    outb(MASTER_CMD, 0x11);            /* ICW1: edge triggered, cascade, ICW4 follows */
    outb(SLAVE_CMD, 0x11);
    outb(MASTER_DATA, vector_base);    /* ICW2: IRQ 0-7 -> vectors base..base+7 */
    outb(SLAVE_DATA, vector_base + 8); /*       IRQ 8-15 -> base+8..base+15 */
    outb(MASTER_DATA, 1 << CASCADE_LINE); /* ICW3: a slave hangs on IRQ 2 */
    outb(SLAVE_DATA, CASCADE_LINE);    /*       the slave's cascade identity is 2 */
    outb(MASTER_DATA, 0x01);           /* ICW4: 8086/88 mode, normal EOI */
    outb(SLAVE_DATA, 0x01);
    masks = 0xFFFF & ~(1u << CASCADE_LINE); /* everything masked but the cascade */
    write_masks();
}

void pic_mask(unsigned line)
{
    masks |= (uint16_t)(1u << line);
    write_masks();
}

void pic_unmask(unsigned line)
{
    masks &= (uint16_t)~(1u << line);
    write_masks();
}

/* OCW3 0x0B: the next read of the command port returns the in-service register. */
static uint8_t read_isr(uint16_t cmd_port)
{
    outb(cmd_port, 0x0B);
    return inb(cmd_port);
}

/*
 * A request that goes away between the 8259A raising INT and the CPU's acknowledge is delivered as
 * IR7 of that chip, with no in-service bit set (datasheet, "Interrupt Sequence"). Such a spurious
 * IRQ 7 or 15 gets no handler and no EOI at its own chip; a spurious IRQ 15 still took the master's
 * IR2, which needs its EOI (as Linux's mask_and_ack_8259A does).
 */
int pic_spurious(unsigned line)
{
    if (line == 7 && !(read_isr(MASTER_CMD) & 0x80))
        return 1;
    if (line == 15 && !(read_isr(SLAVE_CMD) & 0x80)) {
        outb(MASTER_CMD, 0x20);
        return 1;
    }
    return 0;
}

/* OCW2 non-specific EOI; a slave interrupt needs one at both controllers. */
void pic_eoi(unsigned line)
{
    if (line >= 8)
        outb(SLAVE_CMD, 0x20);
    outb(MASTER_CMD, 0x20);
}
