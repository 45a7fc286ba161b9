/*
 * System calls. A program executes `int 0x80` with the call number in EAX and arguments in EBX, ECX,
 * EDX; the IDT gate for vector 0x80 has DPL 3, so the CPU lets ring 3 through, switches to the kernel
 * stack from the TSS and lands in trap() (SDM Vol. 3A §6.12.1). The result goes back in the saved EAX.
 *
 * The kernel checks every user pointer against the process's page tables before using it, so a bad
 * pointer is an error code for the program, not a page fault in the kernel.
 */
#include "syscall.h"
#include "kernel.h"
#include "sched.h"
#include "paging.h"
#include "console.h"
#include "tarfs.h"
#include "../platform/platform.h"

#define PATH_MAX_LEN 100
#define ARGS_MAX_LEN 200

int copy_to_user(uint32_t dst, const void *src, uint32_t n)
{
    if (!user_range_ok(current->pgdir, dst, n, 1))
        return -EFAULT;
    memcpy((void *)dst, src, n);
    return 0;
}

/* Copies a NUL-terminated string from user memory; 0, -EFAULT, or -EINVAL when it is too long. */
static int copy_string(char *dst, uint32_t src, uint32_t size)
{
    for (uint32_t i = 0; i < size; i++) {
        if ((i == 0 || ((src + i) & (PAGE_SIZE - 1)) == 0) && !user_range_ok(current->pgdir, src + i, 1, 0))
            return -EFAULT;
        dst[i] = ((const char *)src)[i];
        if (!dst[i])
            return 0;
    }
    return -EINVAL;
}

static struct file *fd_file(uint32_t fd)
{
    if (fd < 3 || fd >= 3 + NFILE || !current->files[fd - 3].used)
        return 0;
    return &current->files[fd - 3];
}

static int sys_write(uint32_t fd, uint32_t buf, uint32_t len)
{
    if (fd != 1 && fd != 2)
        return -EBADF;
    if (!user_range_ok(current->pgdir, buf, len, 0))
        return -EFAULT;
    console_write((const char *)buf, len);
    return (int)len;
}

static int sys_read(uint32_t fd, uint32_t buf, uint32_t len)
{
    if (!user_range_ok(current->pgdir, buf, len, 1))
        return -EFAULT;
    if (fd == 0)
        return console_read((char *)buf, len);
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    int n = tarfs_read(f->entry, f->offset, (void *)buf, len);
    if (n > 0)
        f->offset += (uint32_t)n;
    return n;
}

static int sys_spawn(uint32_t upath, uint32_t uargs)
{
    char path[PATH_MAX_LEN], args[ARGS_MAX_LEN];
    int r = copy_string(path, upath, sizeof path);
    if (r == 0 && uargs)
        r = copy_string(args, uargs, sizeof args);
    if (r < 0)
        return r;
    return proc_spawn(path, uargs ? args : 0, current->pid);
}

static int sys_wait(int32_t pid, uint32_t ustatus)
{
    int status = 0;
    if (ustatus && !user_range_ok(current->pgdir, ustatus, 4, 1))
        return -EFAULT;
    int r = proc_wait(pid, &status);
    if (r > 0 && ustatus)
        *(int *)ustatus = status;
    return r;
}

static int sys_open(uint32_t upath)
{
    char path[PATH_MAX_LEN];
    int r = copy_string(path, upath, sizeof path);
    if (r < 0)
        return r;
#ifdef RINGOS_CONTAINERS
    char in_ns[PATH_MAX_LEN];
    int entry = tarfs_lookup(ns_path(path, in_ns, sizeof in_ns));
#else
    int entry = tarfs_lookup(path);
#endif
    if (entry < 0)
        return entry;
    for (int i = 0; i < NFILE; i++) {
        if (!current->files[i].used) {
            current->files[i] = (struct file){ 1, entry, 0 };
            return 3 + i;
        }
    }
    return -EMFILE;
}

static int sys_close(uint32_t fd)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    f->used = 0;
    return 0;
}

static int sys_readdir(uint32_t index, uint32_t out)
{
    struct dirent d;
#ifdef RINGOS_CONTAINERS
    if (ns_readdir((int)index, &d) < 0)
#else
    if (tarfs_stat((int)index, &d) < 0)
#endif
        return -1;
    return copy_to_user(out, &d, sizeof d);
}

static int sys_procinfo(uint32_t index, uint32_t out)
{
    struct procinfo p;
    if (proc_info((int)index, &p) < 0)
        return -1;
    return copy_to_user(out, &p, sizeof p);
}

void syscall_dispatch(struct trapframe *tf)
{
    uint32_t a = tf->ebx, b = tf->ecx, c = tf->edx;
    int r;
    switch (tf->eax) {
    case SYS_EXIT: proc_exit((int)a);
    case SYS_WRITE: r = sys_write(a, b, c); break;
    case SYS_READ: r = sys_read(a, b, c); break;
    case SYS_GETPID: r = PID_VIEW(current); break;
    case SYS_YIELD: proc_yield(); r = 0; break;
    case SYS_SLEEP: proc_sleep_ms(a); r = 0; break;
    case SYS_UPTIME: r = (int)ticks; break;
    case SYS_SPAWN: r = sys_spawn(a, b); break;
    case SYS_WAIT: r = sys_wait((int32_t)a, b); break;
    case SYS_OPEN: r = sys_open(a); break;
    case SYS_CLOSE: r = sys_close(a); break;
    case SYS_READDIR: r = sys_readdir(a, b); break;
    case SYS_PROCINFO: r = sys_procinfo(a, b); break;
    case SYS_LAB: r = lab_call(a, b, c); break;
    case SYS_POWEROFF: plat_poweroff(a);
    default:
#ifdef RINGOS_CONTAINERS
        if (container_syscall(tf->eax, a, b, c, &r))
            break;
#endif
        r = -ENOSYS;
        break;
    }
    tf->eax = (uint32_t)r;
}
