/* Physical page frames and 32-bit two-level page tables (SDM Vol. 3A §4.3). */
#ifndef RINGOS_PAGING_H
#define RINGOS_PAGING_H

#include <stdint.h>

#define PAGE_SIZE 4096u
#define PTE_P 0x001u   /* present */
#define PTE_W 0x002u   /* writable */
#define PTE_U 0x004u   /* user (ring 3) may access */
#define PTE_PWT 0x008u /* write-through */
#define PTE_PCD 0x010u /* cache disable: device registers */
#define PTE_ADDR(e) ((e) & ~0xFFFu)

/* The user half of every address space: programs are linked at USER_BASE, the stack ends at USER_TOP. */
#define USER_BASE 0x40000000u
#define USER_TOP 0x80000000u
/* The kernel maps physical memory 1:1 below this (so physical RAM is capped at 256 MiB). */
#define KERNEL_MAP_LIMIT 0x10000000u

void frames_init(uint32_t first_free, uint32_t mem_end);
uint32_t frame_alloc(void);           /* a zeroed 4 KiB frame, or 0 when memory is exhausted */
void frame_free(uint32_t frame);
uint32_t frames_free_count(void);

void paging_init(uint32_t mem_end);
/* Maps a device's registers 1:1, uncached, into the kernel half (boot only, before any process). */
void kmap_io(uint32_t phys, uint32_t size);

uint32_t *pgdir_create(void);         /* kernel half shared, user half empty */
void pgdir_destroy(uint32_t *pd);
extern uint32_t *kernel_pgdir;
/* Maps one page; creates the page table on demand. Returns 0, or -1 when out of memory. */
int paging_map(uint32_t *pd, uint32_t va, uint32_t frame, uint32_t flags);
/* The page-table entry for va, or NULL when its page table does not exist. */
uint32_t *paging_pte(uint32_t *pd, uint32_t va);
/* Is [va, va+len) mapped for ring 3 (and writable, if write)? */
int user_range_ok(uint32_t *pd, uint32_t va, uint32_t len, int write);

#endif
