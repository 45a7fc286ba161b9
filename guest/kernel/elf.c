/*
 * Loading a program: an ELF32 i386 executable (System V ABI, "Program Loading", and the ELF
 * specification's Figure 2-1 program header). Each PT_LOAD segment is copied into fresh frames
 * mapped at its p_vaddr, writable only if the segment asks for it, so a program that writes to its
 * own code takes a page fault.
 */
#include "elf.h"
#include "kernel.h"
#include "paging.h"
#include "tarfs.h"
#include "../platform/platform.h"

struct elf_header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf_phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

#define PT_LOAD 1
#define PF_W 2
#define ET_EXEC 2
#define EM_386 3

static int load_segment(uint32_t *pd, int file, const struct elf_phdr *ph, uint32_t *pages)
{
    if (ph->vaddr < USER_BASE || ph->memsz > USER_TOP - ph->vaddr || ph->filesz > ph->memsz)
        return -ENOEXEC;
    uint32_t flags = PTE_P | PTE_U | (ph->flags & PF_W ? PTE_W : 0);
    for (uint32_t page = ph->vaddr & ~(PAGE_SIZE - 1); page < ph->vaddr + ph->memsz; page += PAGE_SIZE) {
        uint32_t *pte = paging_pte(pd, page);
        uint32_t frame;
        if (pte && (plat_get_pte(pte) & PTE_P)) { /* shared with the previous segment */
            frame = PTE_ADDR(plat_get_pte(pte));
        } else {
            frame = frame_alloc();
            if (!frame || paging_map(pd, page, frame, flags) < 0)
                return -ENOMEM;
            ++*pages;
        }
        /* The part of this page that comes from the file; the rest stays zero (.bss). */
        uint32_t lo = page > ph->vaddr ? page : ph->vaddr;
        uint32_t hi = page + PAGE_SIZE;
        if (hi > ph->vaddr + ph->filesz)
            hi = ph->vaddr + ph->filesz;
        if (lo < hi && tarfs_read(file, ph->offset + (lo - ph->vaddr), (void *)(frame + (lo - page)), hi - lo) != (int)(hi - lo))
            return -ENOEXEC;
    }
    return 0;
}

int elf_load(uint32_t *pd, int file, uint32_t *entry, uint32_t *pages)
{
    struct elf_header eh;
    if (tarfs_read(file, 0, &eh, sizeof eh) != sizeof eh || memcmp(eh.ident, "\177ELF\1\1", 6) != 0
        || eh.type != ET_EXEC || eh.machine != EM_386 || eh.phentsize != sizeof(struct elf_phdr))
        return -ENOEXEC;
    for (unsigned i = 0; i < eh.phnum; i++) {
        struct elf_phdr ph;
        if (tarfs_read(file, eh.phoff + i * sizeof ph, &ph, sizeof ph) != sizeof ph)
            return -ENOEXEC;
        if (ph.type != PT_LOAD)
            continue;
        int r = load_segment(pd, file, &ph, pages);
        if (r < 0)
            return r;
    }
    *entry = eh.entry;
    return 0;
}
