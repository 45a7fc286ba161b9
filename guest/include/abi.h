/*
 * The ringos system-call ABI, shared by the kernel and user programs.
 *
 * A program enters the kernel with `int 0x80` (vector 0x80 is an IDT gate with DPL 3, so ring 3 may
 * use it: Intel SDM Vol. 3A §6.12.1.1). EAX holds the call number, EBX, ECX, EDX, ESI the arguments;
 * the result comes back in EAX, negative on error. This is the classic i386 Linux convention, with
 * ringos's own numbers.
 */
#ifndef RINGOS_ABI_H
#define RINGOS_ABI_H

#include <stdint.h>

#define SYSCALL_VECTOR 0x80

enum syscall_nr {
    SYS_EXIT = 0,     /* exit(status): never returns */
    SYS_WRITE = 1,    /* write(fd, buf, len) -> bytes written */
    SYS_READ = 2,     /* read(fd, buf, len) -> bytes read, 0 at end of file / Ctrl-D */
    SYS_GETPID = 3,   /* getpid() -> pid */
    SYS_YIELD = 4,    /* yield(): give up the CPU to the next runnable process */
    SYS_SLEEP = 5,    /* sleep(ms): block for at least ms milliseconds (rounded up to timer ticks) */
    SYS_UPTIME = 6,   /* uptime() -> timer ticks since boot */
    SYS_SPAWN = 7,    /* spawn(path, args) -> pid of a new process running the program at path */
    SYS_WAIT = 8,     /* wait(pid or -1, &status) -> pid of the reaped child */
    SYS_OPEN = 9,     /* open(path) -> fd (read-only file system) */
    SYS_CLOSE = 10,   /* close(fd) */
    SYS_READDIR = 11, /* readdir(index, struct dirent *) -> 0, or -1 past the last entry */
    SYS_PROCINFO = 12,/* procinfo(index, struct procinfo *) -> 0, or -1 past the last slot */
    SYS_LAB = 13,     /* lab(op, arg, out): kernel half of the lab programs, see enum lab_op */
    SYS_POWEROFF = 14,/* poweroff(code): stop the machine (debug-exit port on native/virtio) */
    /* Containers (kernels built with RINGOS_CONTAINERS: ringos-container.elf; kernel/container.c).
     * The steps runc takes to start a container, one system call each. */
    SYS_CLONE_NS = 15,   /* clone_ns(CLONE_NEW* flags, hostname) -> id of new namespaces */
    SYS_CGROUP = 16,     /* cgroup(ns, pids_max) -> 0: the namespaces' processes go in a new pids cgroup */
    SYS_PIVOT_ROOT = 17, /* pivot_root(ns, new_root) -> 0: the directory of the disk that is "/" in ns */
    SYS_EXECVE_NS = 18,  /* execve_ns(ns, path, args) -> host pid of ns's process 1, running path */
    SYS_KILL = 19,       /* kill(pid) -> 0: ends the process; ending a PID namespace's process 1 ends them all */
    SYS_NSINFO = 20,     /* nsinfo(index, struct nsinfo *) -> 0, or -1 past the last namespace */
    SYS_COUNT
};

/* Errors returned (negated) by system calls. */
enum errno_value { ENOENT = 2, EIO = 5, ENOSYS = 38, EBADF = 9, ECHILD = 10, ENOMEM = 12, EFAULT = 14, EINVAL = 22, EMFILE = 24, ENOEXEC = 8, EAGAIN = 11 };

#define TICK_HZ 100 /* the kernel programs the timer for 100 interrupts per second */

#define NAME_MAX_LEN 32

struct dirent {
    char name[100];
    uint32_t size;
};

enum proc_state { PROC_UNUSED = 0, PROC_RUNNABLE, PROC_RUNNING, PROC_SLEEPING, PROC_BLOCKED, PROC_ZOMBIE };

struct procinfo {
    int32_t pid;
    int32_t ppid;
    uint32_t state; /* enum proc_state */
    uint32_t ring;  /* the ring the process's own code runs in: 0 for kernel threads, 3 for programs */
    uint32_t ticks; /* timer ticks that found it running */
    uint32_t pages; /* user pages mapped */
    char name[NAME_MAX_LEN];
};

/* The kernel half of the lab programs (user/popf.c, user/sgdt.c, user/ptemod.c, user/bench.c). */
enum lab_op {
    LAB_POPF = 1,       /* out: struct lab_popf */
    LAB_SGDT = 2,       /* out: struct lab_sgdt */
    LAB_PTEMOD = 3,     /* arg: number of updates; returns 0 when every remap was seen by a read */
    LAB_DISK_READ = 4,  /* arg: LBA; one sector read through the platform's block driver, no cache */
    LAB_PIO = 5,        /* arg: count; that many reads of port 0x80 in the kernel (Adams & Agesen's "in") */
};

struct lab_popf {
    uint32_t flags_before;   /* PUSHF before the experiment (IF=1: interrupts were enabled) */
    uint32_t flags_written;  /* the value given to POPF (IF=0) */
    uint32_t flags_after;    /* PUSHF right after that POPF */
    uint32_t ticks_during;   /* timer interrupts handled while interrupts were supposedly disabled */
    uint32_t spin_ms;        /* how long the kernel spun with "interrupts disabled" */
};

struct lab_sgdt {
    uint32_t loaded_base;    /* what the kernel gave LGDT */
    uint32_t loaded_limit;
    uint32_t kernel_base;    /* what SGDT returned in the kernel */
    uint32_t kernel_limit;
    uint32_t kernel_cpl;     /* CS & 3 as the kernel reads it: 0 unless deprivileged */
};

/* Namespace flags of clone_ns, with Linux's values (include/uapi/linux/sched.h). */
#define CLONE_NEWNS 0x00020000u  /* mount namespace: its own root directory */
#define CLONE_NEWUTS 0x04000000u /* UTS namespace: its own host name */
#define CLONE_NEWPID 0x20000000u /* PID namespace: its own process numbers, from 1 */

struct nsinfo {
    int32_t id;        /* namespace id (0 is the host's) */
    int32_t init;      /* host pid of its process 1, 0 before execve_ns or after it ended */
    uint32_t procs;    /* processes in it */
    uint32_t pids_max; /* its pids cgroup's limit, 0 for none */
    char hostname[NAME_MAX_LEN];
    char root[NAME_MAX_LEN];
};

#define EFLAGS_IF 0x200u

#endif
