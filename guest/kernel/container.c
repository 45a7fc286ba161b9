/*
 * Containers, the Linux way (namespaces(7), cgroups(7), runc(8)): no hypervisor and no second kernel,
 * just processes of this kernel that see less of it.
 *
 *  - A PID namespace numbers its processes from 1 and shows them only each other: ps in a container
 *    lists the container. The host (namespace 0) sees every process, with host pids.
 *  - A mount namespace gives the container its own "/": a directory of the disk (pivot_root).
 *  - A UTS namespace gives it its own host name: the container's id.
 *  - A pids cgroup limits how many processes it may have.
 *
 * runc (container/runc.c) starts a container in four system calls, the steps of the real one: clone_ns
 * (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS), cgroup, pivot_root, execve_ns. ringos has no fork, so the
 * namespaces come first, as unshare(2) makes them, and the container's process 1 is created by the
 * execve_ns that starts its program. Only kernels built with RINGOS_CONTAINERS have this file.
 */
#ifdef RINGOS_CONTAINERS
#include "container.h"
#include "kernel.h"
#include "paging.h"
#include "sched.h"
#include "syscall.h"
#include "tarfs.h"

#define NNS 8 /* namespace sets, the host's included */
#define ROOT_MAX 24

struct ns {
    int used;
    uint32_t flags;   /* the CLONE_NEW* namespaces it has of its own */
    int init;         /* host pid of its process 1 */
    int next_pid;     /* the next pid inside it */
    uint32_t procs;   /* processes in it (the pids cgroup's count) */
    uint32_t pids_max;
    char hostname[NAME_MAX_LEN];
    char root[ROOT_MAX]; /* "" for the disk's root, else "dir/" */
};

static struct ns nss[NNS] = { [0] = { .used = 1, .hostname = "ringos" } };
/* The namespaces execve_ns is creating a process in, or -1. */
static int exec_target = -1;

/* What runs now, for debuggers and for Ringside's container view: the current process's host pid, its
 * pid in its own namespace, its namespace and its name. The scheduler updates it on every switch. */
struct ns_now {
    int32_t pid, nspid, ns;
    char name[16];
} ns_now;

void ns_switched(const struct proc *next)
{
    ns_now.pid = next->pid;
    ns_now.nspid = next->nspid;
    ns_now.ns = next->ns;
    strncpy_z(ns_now.name, next->name, sizeof ns_now.name);
}

static int target_ns(void) { return exec_target >= 0 ? exec_target : current->ns; }

int ns_spawn_check(void)
{
    const struct ns *n = &nss[target_ns()];
    return n->pids_max && n->procs >= n->pids_max ? -EAGAIN : 0;
}

void ns_spawned(struct proc *p)
{
    int id = target_ns();
    struct ns *n = &nss[id];
    p->ns = id;
    if (id == 0)
        p->nspid = p->pid;
    else {
        p->nspid = ++n->next_pid;
        if (p->nspid == 1)
            n->init = p->pid;
    }
    n->procs++;
}

void ns_exited(struct proc *p)
{
    struct ns *n = &nss[p->ns];
    if (n->procs)
        n->procs--;
    if (p->ns != 0 && p->pid == n->init)
        n->init = 0;
    if (p->ns != 0 && n->procs == 0)
        memset(n, 0, sizeof *n); /* the last process is gone: so are its namespaces and cgroup */
}

int ns_view(const struct proc *p)
{
    if (!p)
        return 0;
    if (current->ns == 0)
        return p->pid;
    return p->ns == current->ns ? p->nspid : 0;
}

const char *ns_path(const char *path, char *buf, size_t size)
{
    const char *root = nss[target_ns()].root;
    if (!root[0])
        return path;
    while (*path == '/')
        path++;
    size_t n = strlen(root);
    if (n + strlen(path) + 1 > size)
        return "";
    memcpy(buf, root, n);
    strncpy_z(buf + n, path, size - n);
    return buf;
}

int ns_readdir(int index, struct dirent *out)
{
    const char *root = nss[current->ns].root;
    size_t n = strlen(root);
    for (int i = 0, seen = 0; tarfs_stat(i, out) == 0; i++) {
        if (strncmp(out->name, root, n) != 0 || seen++ != index)
            continue;
        memmove(out->name, out->name + n, strlen(out->name + n) + 1);
        return 0;
    }
    return -1;
}

/* A NUL-terminated user string, checked page by page (as syscall.c's copy_string). */
static int user_string(char *dst, uint32_t src, uint32_t size)
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

/* Only the host (namespace 0) manages containers, and only existing ones. */
static struct ns *managed(uint32_t id)
{
    return current->ns == 0 && id > 0 && id < NNS && nss[id].used ? &nss[id] : 0;
}

static int sys_clone_ns(uint32_t flags, uint32_t uname)
{
    char name[NAME_MAX_LEN];
    if (current->ns != 0 || (flags & CLONE_NEWPID) == 0)
        return -EINVAL;
    int r = user_string(name, uname, sizeof name);
    if (r < 0)
        return r;
    for (int id = 1; id < NNS; id++) {
        struct ns *n = &nss[id];
        if (n->used)
            continue;
        memset(n, 0, sizeof *n);
        n->used = 1;
        n->flags = flags;
        strncpy_z(n->hostname, flags & CLONE_NEWUTS ? name : nss[0].hostname, sizeof n->hostname);
        return id;
    }
    return -EAGAIN;
}

static int sys_cgroup(uint32_t id, uint32_t pids_max)
{
    struct ns *n = managed(id);
    if (!n)
        return -EINVAL;
    n->pids_max = pids_max;
    return 0;
}

static int sys_pivot_root(uint32_t id, uint32_t uroot)
{
    struct ns *n = managed(id);
    char root[ROOT_MAX];
    if (!n || (n->flags & CLONE_NEWNS) == 0)
        return -EINVAL;
    int r = user_string(root, uroot, sizeof root - 1);
    if (r < 0)
        return r;
    const char *s = root;
    while (*s == '/')
        s++;
    size_t len = strlen(s);
    strncpy_z(n->root, s, sizeof n->root);
    if (len && n->root[len - 1] != '/') {
        n->root[len] = '/';
        n->root[len + 1] = 0;
    }
    return 0;
}

static int sys_execve_ns(uint32_t id, uint32_t upath, uint32_t uargs)
{
    char path[100], args[200];
    struct ns *n = managed(id);
    if (!n || n->init || n->next_pid)
        return -EINVAL; /* a namespace gets one process 1 */
    int r = user_string(path, upath, sizeof path);
    if (r == 0 && uargs)
        r = user_string(args, uargs, sizeof args);
    if (r < 0)
        return r;
    exec_target = (int)id;
    r = proc_spawn(path, uargs ? args : 0, current->pid);
    exec_target = -1;
    return r;
}

static int sys_kill(uint32_t pid)
{
    for (int i = 1; i < NPROC; i++) {
        struct proc *p = proc_slot(i);
        if (p->state == PROC_UNUSED || p->state == PROC_ZOMBIE || ns_view(p) != (int)pid || p->pid <= 1)
            continue;
        /* The end of a PID namespace's process 1 ends every process in it (pid_namespaces(7)). */
        if (p->ns != 0 && p->nspid == 1)
            for (int k = 1; k < NPROC; k++) {
                struct proc *q = proc_slot(k);
                if (q != p && q->state != PROC_UNUSED && q->state != PROC_ZOMBIE && q->ns == p->ns)
                    proc_kill(q, 128 + 9);
            }
        proc_kill(p, 128 + 9);
        return 0;
    }
    return -ENOENT;
}

static int sys_nsinfo(uint32_t index, uint32_t out)
{
    for (int id = 0; id < NNS; id++) {
        const struct ns *n = &nss[id];
        if (!n->used || (current->ns != 0 && id != current->ns) || index-- > 0)
            continue;
        struct nsinfo info = { id, n->init, n->procs, n->pids_max, { 0 }, { 0 } };
        strncpy_z(info.hostname, n->hostname, sizeof info.hostname);
        strncpy_z(info.root, n->root, sizeof info.root);
        return copy_to_user(out, &info, sizeof info);
    }
    return -1;
}

int container_syscall(uint32_t nr, uint32_t a, uint32_t b, uint32_t c, int *result)
{
    switch (nr) {
    case SYS_CLONE_NS: *result = sys_clone_ns(a, b); return 1;
    case SYS_CGROUP: *result = sys_cgroup(a, b); return 1;
    case SYS_PIVOT_ROOT: *result = sys_pivot_root(a, b); return 1;
    case SYS_EXECVE_NS: *result = sys_execve_ns(a, b, c); return 1;
    case SYS_KILL: *result = sys_kill(a); return 1;
    case SYS_NSINFO: *result = sys_nsinfo(a, b); return 1;
    default: return 0;
    }
}
#endif
