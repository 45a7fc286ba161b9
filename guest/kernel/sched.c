/*
 * Processes and scheduling.
 *
 * Each process has its own page directory (its address space), a 4 KiB kernel stack, and a saved
 * kernel stack pointer. A process is switched out only inside the kernel, in schedule(), by swtch()
 * (entry.asm) saving its callee-saved registers on its kernel stack; it is resumed by switching back
 * to that stack. The kernel runs with interrupts disabled, except when it waits for one (the idle
 * loop and the disk drivers), so it needs no locks on this single CPU.
 *
 * Scheduling is round-robin with a one-tick (10 ms) time slice: every timer interrupt that arrives
 * while a process runs in ring 3 sends it to the back of the queue. Process 0 is the idle loop: it runs
 * only when nothing else can, and halts the CPU until the next interrupt.
 */
#include "sched.h"
#include "kernel.h"
#include "paging.h"
#include "gdt.h"
#include "elf.h"
#include "tarfs.h"
#include "../platform/platform.h"

#define USER_STACK_PAGES 4
#define MAX_ARGS 16
#define MAX_ARGS_LEN 256

static struct proc procs[NPROC];
static struct proc *const idle = &procs[0];
struct proc *current = &procs[0];
static int next_pid = 1;
static int need_resched;
static uint32_t loaded_cr3;
volatile uint32_t ticks;

void swtch(uint32_t *save_esp, uint32_t next_esp); /* entry.asm */
extern char trap_return[];                          /* entry.asm */

void sched_init(void)
{
    idle->pid = 0;
    idle->state = PROC_RUNNING;
    strncpy_z(idle->name, "idle", sizeof idle->name);
    idle->pgdir = kernel_pgdir;
    loaded_cr3 = (uint32_t)kernel_pgdir;
}

/* The next RUNNABLE process after the current one in table order, or idle. */
static struct proc *pick_next(void)
{
    int start = (int)(current - procs);
    for (int i = 1; i <= NPROC; i++) {
        struct proc *p = &procs[(start + i) % NPROC];
        if (p != idle && p->state == PROC_RUNNABLE)
            return p;
    }
    return idle;
}

/* Gives the CPU to the next process. The caller has set current->state to why it stops running. */
static void schedule(void)
{
    struct proc *prev = current, *next = pick_next();
    next->state = PROC_RUNNING;
    if (next == prev)
        return;
    current = next;
#ifdef RINGOS_CONTAINERS
    ns_switched(next);
#endif
    if (next != idle) {
        plat_set_kernel_stack(next->kstack + KSTACK_SIZE);
        if (loaded_cr3 != (uint32_t)next->pgdir) {
            loaded_cr3 = (uint32_t)next->pgdir;
            plat_load_cr3(loaded_cr3);
        }
    }
    /* The idle loop keeps whatever address space was loaded: it touches only the kernel half. */
    swtch(&prev->kesp, next->kesp);
}

void timer_tick(void)
{
    ticks++;
    current->ticks++;
    for (int i = 1; i < NPROC; i++)
        if (procs[i].state == PROC_SLEEPING && (int32_t)(ticks - procs[i].wake_tick) >= 0)
            procs[i].state = PROC_RUNNABLE;
    need_resched = 1;
}

void sched_return_to_user(void)
{
    if (need_resched) {
        need_resched = 0;
        proc_yield();
    }
}

void proc_yield(void)
{
    current->state = PROC_RUNNABLE;
    schedule();
}

void proc_block(void *chan)
{
    current->chan = chan;
    current->state = PROC_BLOCKED;
    schedule();
    current->chan = 0;
}

void proc_wakeup(void *chan)
{
    for (int i = 1; i < NPROC; i++)
        if (procs[i].state == PROC_BLOCKED && procs[i].chan == chan)
            procs[i].state = PROC_RUNNABLE;
}

void proc_sleep_ms(uint32_t ms)
{
    uint32_t n = (ms * TICK_HZ + 999) / 1000;
    if (n == 0) {
        proc_yield();
        return;
    }
    /* +1: the current tick is already partly over, and the sleep must last at least ms. */
    current->wake_tick = ticks + n + 1;
    current->state = PROC_SLEEPING;
    schedule();
}

static struct proc *find_pid(int pid)
{
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state != PROC_UNUSED && procs[i].pid == pid)
            return &procs[i];
    return 0;
}

static void release(struct proc *p)
{
    if (p->pgdir)
        pgdir_destroy(p->pgdir);
    if (p->kstack)
        frame_free(p->kstack);
    memset(p, 0, sizeof *p);
}

/* argv under construction: the words, copied one after another, and their future user addresses. */
struct args {
    char strings[MAX_ARGS_LEN];
    uint32_t argv[MAX_ARGS + 1];
    uint32_t len, argc;
};
#define ARGS_AT (USER_TOP - MAX_ARGS_LEN) /* where the strings go: the top of the user stack */

static int add_words(struct args *a, const char *s)
{
    for (;;) {
        while (*s == ' ')
            s++;
        if (!*s)
            return 0;
        if (a->argc == MAX_ARGS)
            return -EINVAL;
        a->argv[a->argc++] = ARGS_AT + a->len;
        while (*s && *s != ' ') {
            if (a->len == MAX_ARGS_LEN - 1)
                return -EINVAL;
            a->strings[a->len++] = *s++;
        }
        a->strings[a->len++] = 0;
    }
}

/*
 * The initial user stack, as crt0.asm expects it: argc and argv on top, then the argv array, then the
 * strings. argv[0] is the path; the words of args follow.
 */
static int setup_stack(struct proc *p, const char *path, const char *args, uint32_t *esp)
{
    uint32_t top_frame = 0;
    for (uint32_t i = 0; i < USER_STACK_PAGES; i++) {
        uint32_t frame = frame_alloc();
        if (!frame || paging_map(p->pgdir, USER_TOP - (i + 1) * PAGE_SIZE, frame, PTE_P | PTE_W | PTE_U) < 0)
            return -ENOMEM;
        p->user_pages++;
        if (i == 0)
            top_frame = frame;
    }
    struct args a;
    a.len = a.argc = 0;
    if (add_words(&a, path) < 0 || (args && add_words(&a, args) < 0))
        return -EINVAL;
    a.argv[a.argc] = 0;
    uint32_t argv_at = ARGS_AT - (a.argc + 1) * 4, sp = argv_at - 8;
    /* Written through the top page's 1:1 kernel mapping; the pointers are user addresses. */
    uint8_t *page = (uint8_t *)top_frame;
    uint32_t base = USER_TOP - PAGE_SIZE;
    memcpy(page + (ARGS_AT - base), a.strings, a.len);
    memcpy(page + (argv_at - base), a.argv, (a.argc + 1) * 4);
    uint32_t top[2] = { a.argc, argv_at };
    memcpy(page + (sp - base), top, sizeof top);
    *esp = sp;
    return 0;
}

static const char *basename(const char *path)
{
    const char *b = path;
    for (const char *s = path; *s; s++)
        if (*s == '/')
            b = s + 1;
    return b;
}

int proc_spawn(const char *path, const char *args, int ppid)
{
#ifdef RINGOS_CONTAINERS
    char in_ns[100];
    int file = tarfs_lookup(ns_path(path, in_ns, sizeof in_ns));
    if (file >= 0 && ns_spawn_check() < 0)
        file = -EAGAIN;
#else
    int file = tarfs_lookup(path);
#endif
    if (file < 0)
        return file;
    struct proc *p = 0;
    for (int i = 1; i < NPROC && !p; i++)
        if (procs[i].state == PROC_UNUSED)
            p = &procs[i];
    if (!p)
        return -EAGAIN;
    uint32_t entry, esp;
    int r = -ENOMEM;
    p->state = PROC_BLOCKED; /* claimed, not yet runnable */
    p->kstack = frame_alloc();
    p->pgdir = pgdir_create();
    if (!p->kstack || !p->pgdir
        || (r = elf_load(p->pgdir, file, &entry, &p->user_pages)) < 0
        || (r = setup_stack(p, path, args, &esp)) < 0) {
        release(p);
        return r;
    }

    /* The kernel stack starts as if the process had entered the kernel from ring 3 and called
     * schedule(): a trapframe for its first IRET to user mode, under a swtch() frame returning to
     * trap_return. */
    struct trapframe *tf = (struct trapframe *)(p->kstack + KSTACK_SIZE) - 1;
    memset(tf, 0, sizeof *tf);
    tf->cs = USER_CS;
    tf->ds = tf->es = tf->fs = tf->gs = tf->user_ss = USER_DS;
    tf->eflags = 0x202; /* IF = 1; bit 1 is always 1 */
    tf->eip = entry;
    tf->user_esp = esp;
    uint32_t *sp = (uint32_t *)tf;
    *--sp = (uint32_t)trap_return;
    for (int i = 0; i < 4; i++)
        *--sp = 0; /* EBP, EBX, ESI, EDI */
    p->kesp = (uint32_t)sp;

    p->pid = next_pid++;
    p->ppid = ppid;
    strncpy_z(p->name, basename(path), sizeof p->name);
    p->state = PROC_RUNNABLE;
#ifdef RINGOS_CONTAINERS
    ns_spawned(p);
#endif
    return PID_VIEW(p);
}

void proc_exit(int status)
{
    struct proc *init = find_pid(1);
    if (current == init)
        panic("init exited with status %d", status);
    for (int i = 1; i < NPROC; i++) {
        if (procs[i].state != PROC_UNUSED && procs[i].ppid == current->pid) {
            procs[i].ppid = 1; /* orphans are adopted by init, which reaps them */
            if (procs[i].state == PROC_ZOMBIE)
                proc_wakeup(init);
        }
    }
    current->exit_status = status;
    current->state = PROC_ZOMBIE;
#ifdef RINGOS_CONTAINERS
    ns_exited(current);
#endif
    struct proc *parent = find_pid(current->ppid);
    if (parent)
        proc_wakeup(parent);
    schedule(); /* a zombie never runs again; its parent frees it in proc_wait() */
    panic("zombie %d scheduled", current->pid);
}

int proc_wait(int pid, int *status)
{
    for (;;) {
        int children = 0;
        for (int i = 1; i < NPROC; i++) {
            struct proc *p = &procs[i];
            if (p->state == PROC_UNUSED || p->ppid != current->pid || (pid > 0 && PID_VIEW(p) != pid))
                continue;
            children++;
            if (p->state == PROC_ZOMBIE) {
                int found = PID_VIEW(p);
                *status = p->exit_status;
                release(p);
                return found;
            }
        }
        if (!children)
            return -ECHILD;
        proc_block(current);
    }
}

int proc_info(int index, struct procinfo *out)
{
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = &procs[i];
        if (p->state == PROC_UNUSED || !PROC_VISIBLE(p) || index-- > 0)
            continue;
        out->pid = PID_VIEW(p);
#ifdef RINGOS_CONTAINERS
        out->ppid = ns_view(find_pid(p->ppid)); /* 0 for a parent outside the namespace */
#else
        out->ppid = p->ppid;
#endif
        out->state = p->state;
        out->ring = p == idle ? KERNEL_RPL : 3;
        out->ticks = p->ticks;
        out->pages = p->user_pages;
        strncpy_z(out->name, p->name, sizeof out->name);
        return 0;
    }
    return -1;
}

#ifdef RINGOS_CONTAINERS
struct proc *proc_slot(int i) { return &procs[i]; }

/* Ends p as if it had called exit(status) (kill, kernel/container.c). */
void proc_kill(struct proc *p, int status)
{
    if (p == current)
        proc_exit(status);
    struct proc *init = find_pid(1);
    for (int i = 1; i < NPROC; i++) {
        if (procs[i].state != PROC_UNUSED && procs[i].ppid == p->pid) {
            procs[i].ppid = 1;
            if (procs[i].state == PROC_ZOMBIE)
                proc_wakeup(init);
        }
    }
    p->exit_status = status;
    p->state = PROC_ZOMBIE;
    ns_exited(p);
    struct proc *parent = find_pid(p->ppid);
    if (parent)
        proc_wakeup(parent);
}
#endif

void sched_idle(void)
{
    for (;;) {
        int runnable = 0;
        for (int i = 1; i < NPROC; i++)
            if (procs[i].state == PROC_RUNNABLE)
                runnable = 1;
        if (runnable) {
            current->state = PROC_RUNNABLE;
            schedule();
        }
        else
            plat_wait_for_interrupt();
    }
}
