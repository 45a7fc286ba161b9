/*
 * Memory: a bitmap of free 4 KiB frames, and the page tables.
 *
 * Every address space has the same kernel half: physical memory mapped 1:1 (virtual = physical,
 * supervisor-only), so the kernel reaches any frame, any page table and any device buffer by its
 * physical address. The user half, USER_BASE..USER_TOP, is private to each process. Every write and
 * read of a page-directory or page-table entry goes through plat_set_pte() and plat_get_pte(), so a
 * paravirtual platform can turn writes into hypercalls (Xen's mmu_update) and translate frames.
 */
#include "paging.h"
#include "kernel.h"
#include "../platform/platform.h"

#define MAX_FRAMES (KERNEL_MAP_LIMIT / PAGE_SIZE)

static uint32_t frame_bitmap[MAX_FRAMES / 32]; /* bit set = frame in use */
static uint32_t nframes, free_count, search_hint;
uint32_t *kernel_pgdir;

void frames_init(uint32_t first_free, uint32_t mem_end)
{
    nframes = mem_end / PAGE_SIZE;
    for (uint32_t f = 0; f < first_free / PAGE_SIZE; f++) /* low memory and the kernel image */
        frame_bitmap[f / 32] |= 1u << (f % 32);
    free_count = nframes - first_free / PAGE_SIZE;
    search_hint = first_free / PAGE_SIZE;
}

uint32_t frame_alloc(void)
{
    for (uint32_t i = 0; i < nframes; i++) {
        uint32_t f = (search_hint + i) % nframes;
        if (!(frame_bitmap[f / 32] & (1u << (f % 32)))) {
            frame_bitmap[f / 32] |= 1u << (f % 32);
            free_count--;
            search_hint = f + 1;
            memset((void *)(f * PAGE_SIZE), 0, PAGE_SIZE);
            return f * PAGE_SIZE;
        }
    }
    return 0;
}

void frame_free(uint32_t frame)
{
    uint32_t f = frame / PAGE_SIZE;
    frame_bitmap[f / 32] &= ~(1u << (f % 32));
    free_count++;
    if (f < search_hint)
        search_hint = f; /* lowest free frame first: the same run always gets the same frames */
}

uint32_t frames_free_count(void) { return free_count; }

static uint32_t *table_for(uint32_t *pd, uint32_t va, int create, uint32_t pde_flags)
{
    uint32_t *pde = &pd[va >> 22];
    if (!(plat_get_pte(pde) & PTE_P)) {
        if (!create)
            return 0;
        uint32_t pt = frame_alloc();
        if (!pt)
            return 0;
        plat_pagetable_created(pt, 1);
        plat_set_pte(pde, pt | pde_flags);
    }
    return (uint32_t *)PTE_ADDR(plat_get_pte(pde));
}

static void kmap_range(uint32_t start, uint32_t end, uint32_t flags)
{
    for (uint32_t va = start; va < end; va += PAGE_SIZE) {
        uint32_t *pt = table_for(kernel_pgdir, va, 1, PTE_P | PTE_W);
        if (!pt)
            panic("out of memory for kernel page tables");
        plat_set_pte(&pt[(va >> 12) & 1023], va | flags);
    }
}

void paging_init(uint32_t mem_end)
{
    kernel_pgdir = (uint32_t *)frame_alloc();
    plat_pagetable_created((uint32_t)kernel_pgdir, 2);
    /* Page 0 stays unmapped, so a NULL pointer dereference in the kernel faults instead of reading RAM. */
    kmap_range(PAGE_SIZE, mem_end, PTE_P | PTE_W);
    plat_paging_enable((uint32_t)kernel_pgdir);
}

void kmap_io(uint32_t phys, uint32_t size)
{
    kmap_range(phys & ~(PAGE_SIZE - 1), phys + size, PTE_P | PTE_W | PTE_PCD | PTE_PWT);
}

uint32_t *pgdir_create(void)
{
    uint32_t *pd = (uint32_t *)frame_alloc();
    if (!pd)
        return 0;
    plat_pagetable_created((uint32_t)pd, 2);
    /* The kernel half: the same page tables as kernel_pgdir, so kernel mappings are shared. */
    for (unsigned i = 0; i < 1024; i++) {
        uint32_t pde = plat_get_pte(&kernel_pgdir[i]);
        if (pde & PTE_P)
            plat_set_pte(&pd[i], pde);
    }
    return pd;
}

void pgdir_destroy(uint32_t *pd)
{
    for (unsigned i = USER_BASE >> 22; i < USER_TOP >> 22; i++) {
        uint32_t pde = plat_get_pte(&pd[i]);
        if (!(pde & PTE_P))
            continue;
        uint32_t *pt = (uint32_t *)PTE_ADDR(pde);
        for (unsigned j = 0; j < 1024; j++) {
            uint32_t pte = plat_get_pte(&pt[j]);
            if (pte & PTE_P)
                frame_free(PTE_ADDR(pte));
        }
        plat_pagetable_freed((uint32_t)pt, 1);
        frame_free((uint32_t)pt);
    }
    plat_pagetable_freed((uint32_t)pd, 2);
    frame_free((uint32_t)pd);
}

int paging_map(uint32_t *pd, uint32_t va, uint32_t frame, uint32_t flags)
{
    uint32_t *pt = table_for(pd, va, 1, PTE_P | PTE_W | PTE_U);
    if (!pt)
        return -1;
    plat_set_pte(&pt[(va >> 12) & 1023], frame | flags);
    return 0;
}

uint32_t *paging_pte(uint32_t *pd, uint32_t va)
{
    uint32_t *pt = table_for(pd, va, 0, 0);
    return pt ? &pt[(va >> 12) & 1023] : 0;
}

int user_range_ok(uint32_t *pd, uint32_t va, uint32_t len, int write)
{
    if (va < USER_BASE || va >= USER_TOP || len > USER_TOP - va)
        return 0;
    uint32_t need = PTE_P | PTE_U | (write ? PTE_W : 0);
    for (uint32_t page = va & ~(PAGE_SIZE - 1); page < va + len; page += PAGE_SIZE) {
        uint32_t *pte = paging_pte(pd, page);
        if (!pte || (plat_get_pte(pte) & need) != need)
            return 0;
    }
    return 1;
}
