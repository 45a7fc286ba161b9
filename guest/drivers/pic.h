#ifndef RINGOS_PIC_H
#define RINGOS_PIC_H
#include <stdint.h>
void pic_init(uint8_t vector_base);
void pic_mask(unsigned line);
void pic_unmask(unsigned line);
void pic_eoi(unsigned line);
int pic_spurious(unsigned line);
#endif
