/*
 * Containers: namespaces and a pids cgroup for groups of processes of the one kernel
 * (kernel/container.c; only in kernels built with RINGOS_CONTAINERS, ringos-container.elf).
 */
#ifndef RINGOS_CONTAINER_H
#define RINGOS_CONTAINER_H

#ifdef RINGOS_CONTAINERS
#include <stddef.h>
#include <stdint.h>
#include "../include/abi.h"

struct proc;

/* -EAGAIN when the process about to be created would exceed its pids cgroup's limit. */
int ns_spawn_check(void);
/* A process was created (by the current process, or as process 1 of the namespaces execve_ns starts). */
void ns_spawned(struct proc *p);
/* A process ended. */
void ns_exited(struct proc *p);
/* p's pid as the current process sees it: its pid in the current PID namespace, 0 if invisible there. */
int ns_view(const struct proc *p);
/* A path as the process being created or the current process sees it: under its namespace's root. */
const char *ns_path(const char *path, char *buf, size_t size);
/* The scheduler switched to next (updates ns_now, which debuggers and Ringside read). */
void ns_switched(const struct proc *next);
/* The file of the disk with this index as the current mount namespace shows it (readdir). */
int ns_readdir(int index, struct dirent *out);
/* The container system calls (include/abi.h SYS_CLONE_NS…SYS_NSINFO); 0 when nr is not one. */
int container_syscall(uint32_t nr, uint32_t a, uint32_t b, uint32_t c, int *result);
#endif

#endif
