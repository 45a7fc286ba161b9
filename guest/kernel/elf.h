#ifndef RINGOS_ELF_H
#define RINGOS_ELF_H

#include <stdint.h>

/* Loads the ELF32 executable in file into the user half of pd; 0 or -errno. */
int elf_load(uint32_t *pd, int file, uint32_t *entry, uint32_t *pages);

#endif
