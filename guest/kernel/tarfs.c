/*
 * The file system: the disk holds a ustar archive (POSIX.1-1988 "ustar Interchange Format", as in
 * IEEE Std 1003.1, pax: a 512-byte header per file followed by its data padded to 512 bytes, ended by
 * two zero blocks). Mounting reads every header once and keeps a directory of names, sizes and first
 * sectors; reads go through a small cache of disk sectors.
 */
#include "tarfs.h"
#include "kernel.h"
#include "../platform/platform.h"

#define SECTOR 512
#define MAX_FILES 64
#define CACHE_SECTORS 1024 /* 512 KiB: the whole disk image, so programs load from the disk once (a page cache) */

struct ustar_header {
    char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8], typeflag, linkname[100];
    char magic[6], version[2], uname[32], gname[32], devmajor[8], devminor[8], prefix[155], pad[12];
};

struct tar_file {
    char name[100];
    uint32_t size;
    uint32_t lba; /* first data sector */
};

static struct tar_file files[MAX_FILES];
static int nfiles;

/* A direct-mapped cache: sector n lives in slot n % CACHE_SECTORS. */
static uint8_t cache_data[CACHE_SECTORS][SECTOR];
static uint32_t cache_lba[CACHE_SECTORS];
static uint8_t cache_valid[CACHE_SECTORS];

static const uint8_t *sector(uint32_t lba)
{
    unsigned slot = lba % CACHE_SECTORS;
    if (!cache_valid[slot] || cache_lba[slot] != lba) {
        if (plat_block_read(lba, cache_data[slot]) != 0) {
            cache_valid[slot] = 0;
            return 0;
        }
        cache_lba[slot] = lba;
        cache_valid[slot] = 1;
    }
    return cache_data[slot];
}

static uint32_t octal(const char *s, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n && s[i] >= '0' && s[i] <= '7'; i++)
        v = v * 8 + (uint32_t)(s[i] - '0');
    return v;
}

int tarfs_mount(void)
{
    uint32_t lba = 0, total = plat_block_sectors();
    nfiles = 0;
    while (lba < total && nfiles < MAX_FILES) {
        const struct ustar_header *h = (const struct ustar_header *)sector(lba);
        if (!h)
            return -EINVAL;
        if (h->name[0] == 0)
            break; /* the end-of-archive zero block */
        if (memcmp(h->magic, "ustar", 5) != 0)
            return -EINVAL;
        uint32_t size = octal(h->size, sizeof h->size);
        if (h->typeflag == '0' || h->typeflag == 0) {
            struct tar_file *f = &files[nfiles++];
            if (h->prefix[0]) {
                strncpy_z(f->name, h->prefix, sizeof f->name);
                size_t n = strlen(f->name);
                if (n + 1 < sizeof f->name) {
                    f->name[n] = '/';
                    strncpy_z(f->name + n + 1, h->name, sizeof f->name - n - 1);
                }
            } else {
                memcpy(f->name, h->name, sizeof h->name - 1);
                f->name[sizeof f->name - 1] = 0;
            }
            f->size = size;
            f->lba = lba + 1;
        }
        lba += 1 + (size + SECTOR - 1) / SECTOR;
    }
    return nfiles;
}

int tarfs_lookup(const char *path)
{
    while (*path == '/')
        path++;
    for (int i = 0; i < nfiles; i++)
        if (strcmp(files[i].name, path) == 0)
            return i;
    return -ENOENT;
}

int tarfs_stat(int index, struct dirent *out)
{
    if (index < 0 || index >= nfiles)
        return -1;
    strncpy_z(out->name, files[index].name, sizeof out->name);
    out->size = files[index].size;
    return 0;
}

int tarfs_read(int index, uint32_t offset, void *buf, uint32_t n)
{
    const struct tar_file *f = &files[index];
    if (offset >= f->size)
        return 0;
    if (n > f->size - offset)
        n = f->size - offset;
    uint32_t done = 0;
    while (done < n) {
        uint32_t pos = offset + done;
        const uint8_t *data = sector(f->lba + pos / SECTOR);
        if (!data)
            return -EINVAL;
        uint32_t chunk = SECTOR - pos % SECTOR;
        if (chunk > n - done)
            chunk = n - done;
        memcpy((uint8_t *)buf + done, data + pos % SECTOR, chunk);
        done += chunk;
    }
    return (int)done;
}
