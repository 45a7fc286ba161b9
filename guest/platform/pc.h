/* Shared by the PC platforms (native, virtio): see platform/pc.c. */
#ifndef RINGOS_PC_H
#define RINGOS_PC_H
/* Programs the PICs to deliver IRQ 0-15 as vectors 32-47, all lines masked. */
void pc_interrupts_init(void);
#endif
