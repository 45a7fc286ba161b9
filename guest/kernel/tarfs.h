/* A read-only file system: the ustar archive on the disk (kernel/tarfs.c). */
#ifndef RINGOS_TARFS_H
#define RINGOS_TARFS_H

#include <stdint.h>
#include "../include/abi.h"

int tarfs_mount(void);                  /* number of files, or negative on a bad disk */
int tarfs_lookup(const char *path);     /* file index, or -ENOENT */
int tarfs_stat(int index, struct dirent *out);
int tarfs_read(int index, uint32_t offset, void *buf, uint32_t n);

#endif
