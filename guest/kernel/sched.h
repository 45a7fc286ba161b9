/* Processes and the round-robin scheduler (kernel/sched.c). */
#ifndef RINGOS_SCHED_H
#define RINGOS_SCHED_H

#include <stdint.h>
#include "../include/abi.h"
#include "trap.h"

#define NPROC 32
#define NFILE 8
#define KSTACK_SIZE 4096

struct file {
    int used;
    int entry;       /* index into the tarfs directory */
    uint32_t offset;
};

struct proc {
    int pid, ppid;
    enum proc_state state;
    char name[NAME_MAX_LEN];
    uint32_t *pgdir;      /* page directory; the kernel maps physical memory 1:1, so phys == virt */
    uint32_t kstack;      /* base of the 4 KiB kernel stack */
    uint32_t kesp;        /* saved kernel stack pointer while switched out (swtch) */
    void *chan;           /* what a BLOCKED process waits for */
    uint32_t wake_tick;   /* when a SLEEPING process wakes */
    int exit_status;
    uint32_t ticks;       /* timer ticks that found it running */
    uint32_t user_pages;  /* user pages mapped, for ps */
    struct file files[NFILE];
#ifdef RINGOS_CONTAINERS
    int ns;               /* its namespaces (kernel/container.c): 0 is the host's */
    int nspid;            /* its pid in its own PID namespace */
#endif
};

extern struct proc *current;

void sched_init(void);
/* Creates a process running the program at path with the words of args as argv[1..]. */
int proc_spawn(const char *path, const char *args, int ppid);
__attribute__((noreturn)) void proc_exit(int status);
int proc_wait(int pid, int *status);
void proc_sleep_ms(uint32_t ms);
void proc_yield(void);
/* Blocks the current process until proc_wakeup(chan). Interrupts must be disabled. */
void proc_block(void *chan);
void proc_wakeup(void *chan);
int proc_info(int index, struct procinfo *out);
/* Called on every return to ring 3: switches process if the time slice is over. */
void sched_return_to_user(void);
/* The boot context becomes process 0, the idle loop. */
__attribute__((noreturn)) void sched_idle(void);

#ifdef RINGOS_CONTAINERS
/* Process table slot i (kernel/container.c walks it), and the end of a process that is not running. */
struct proc *proc_slot(int i);
void proc_kill(struct proc *p, int status);
#include "container.h"
/* A process's pid, and whether it exists at all, as the current process's PID namespace shows them. */
#define PID_VIEW(p) ns_view(p)
#define PROC_VISIBLE(p) (current->ns == 0 || ns_view(p) != 0)
#else
#define PID_VIEW(p) ((p)->pid)
#define PROC_VISIBLE(p) 1
#endif

#endif
