/*
 * runc: starts, lists and stops containers (runc(8), the OCI runtime), on kernels built with
 * RINGOS_CONTAINERS (ringos-container.elf; kernel/container.c). A host program like any other: it
 * has no powers but the system calls it makes, one per step of starting a container:
 *
 *   clone_ns(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS, id)   new PID, mount and UTS namespaces
 *   cgroup(ns, pids_max)                                       a pids cgroup for them
 *   pivot_root(ns, "/rootfs")                                  the container's "/" is the disk's rootfs/
 *   execve_ns(ns, program, args)                               its process 1 runs the program
 *
 * usage: runc run [-d] ID [PROGRAM [ARGS...]]    start a container (PROGRAM: /bin/sh), wait for it unless -d
 *        runc list                               the containers
 *        runc kill ID                            end a container (its process 1, and so all of it)
 */
#include "../user/ulib.h"

#define PIDS_MAX 8
#define ROOTFS "/rootfs"

static inline int sys(int nr, uint32_t a, uint32_t b, uint32_t c)
{
    int r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

static int find(const char *id, struct nsinfo *out)
{
    for (unsigned i = 0; sys(SYS_NSINFO, i, (uint32_t)out, 0) == 0; i++)
        if (out->id != 0 && strcmp(out->hostname, id) == 0)
            return 0;
    return -1;
}

static int list(void)
{
    struct nsinfo n;
    printf("%-10s %-6s %-8s %-6s %-9s %s\n", "ID", "PID", "STATUS", "PROCS", "PIDS.MAX", "ROOTFS");
    for (unsigned i = 0; sys(SYS_NSINFO, i, (uint32_t)&n, 0) == 0; i++)
        if (n.id != 0)
            printf("%-10s %-6d %-8s %-6u %-9u /%s\n", n.hostname, n.init, n.init ? "running" : "created", n.procs,
                n.pids_max, n.root);
    return 0;
}

static int run(int argc, char **argv)
{
    int detach = argc > 0 && strcmp(argv[0], "-d") == 0;
    if (detach)
        argc--, argv++;
    if (argc < 1) {
        printf("runc run: a container id is needed\n");
        return 1;
    }
    const char *id = argv[0];
    struct nsinfo n;
    if (find(id, &n) == 0) {
        printf("runc run: container %s exists already\n", id);
        return 1;
    }
    const char *prog = argc > 1 ? argv[1] : "/bin/sh";
    char args[128] = "";
    for (int i = 2, len = 0; i < argc && len < (int)sizeof args - 1; i++)
        len += snprintf(args + len, sizeof args - (size_t)len, i > 2 ? " %s" : "%s", argv[i]);
    int ns = sys(SYS_CLONE_NS, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS, (uint32_t)id, 0);
    if (ns < 0) {
        printf("runc run: clone: error %d\n", ns);
        return 1;
    }
    int r = sys(SYS_CGROUP, (uint32_t)ns, PIDS_MAX, 0);
    if (r == 0)
        r = sys(SYS_PIVOT_ROOT, (uint32_t)ns, (uint32_t)ROOTFS, 0);
    int pid = r < 0 ? r : sys(SYS_EXECVE_NS, (uint32_t)ns, (uint32_t)prog, args[0] ? (uint32_t)args : 0);
    if (pid < 0) {
        printf("runc run: cannot start %s in %s (error %d)\n", prog, id, pid);
        return 1;
    }
    if (detach) {
        printf("%d\n", pid);
        return 0;
    }
    int status = 0;
    wait(pid, &status);
    return status;
}

static int kill(const char *id)
{
    struct nsinfo n;
    if (find(id, &n) < 0 || n.init == 0) {
        printf("runc kill: container %s does not exist\n", id);
        return 1;
    }
    return sys(SYS_KILL, (uint32_t)n.init, 0, 0) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return list();
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        return run(argc - 2, argv + 2);
    if (argc >= 3 && strcmp(argv[1], "kill") == 0)
        return kill(argv[2]);
    printf("usage: runc run [-d] ID [PROGRAM [ARGS...]] | runc list | runc kill ID\n");
    return 1;
}
