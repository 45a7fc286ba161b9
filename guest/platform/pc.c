/*
 * The PC's interrupt controller and timer, shared by the native and virtio platforms: the 8259A pair
 * delivers IRQ 0-15 as vectors 32-47, and the 8254 PIT's counter 0 on IRQ 0 is the kernel's tick.
 */
#include "platform.h"
#include "pc.h"
#include "../kernel/trap.h"
#include "../kernel/kernel.h"
#include "../drivers/pic.h"
#include "../drivers/pit.h"

void pc_interrupts_init(void)
{
    pic_init(IRQ_VECTOR_BASE);
}

void plat_timer_start(unsigned hz)
{
    irq_set_handler(0, timer_tick);
    pit_start(hz);
    plat_irq_unmask(0);
}

void plat_irq_unmask(unsigned line) { pic_unmask(line); }
void plat_irq_mask(unsigned line) { pic_mask(line); }
void plat_irq_eoi(unsigned line) { pic_eoi(line); }
int plat_irq_spurious(unsigned line) { return pic_spurious(line); }
