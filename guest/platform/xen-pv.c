/*
 * The xen-pv platform: ringos as a 32-bit paravirtualized Xen guest, the way XenoLinux ran (Barham et
 * al., SOSP 2003). The kernel runs in ring 1 and executes no privileged instruction: it asks Xen with
 * hypercalls (the stubs Xen wrote into hypercall_page) or writes memory it shares with Xen.
 *
 *   page tables   hold machine frame numbers; every entry goes to Xen in a validated, batched
 *                 mmu_update; page-table frames are mapped read-only; directories are pinned;
 *                 CR3 loads and TLB flushes are mmuext_op (update_va_mapping for a PTE + INVLPG)
 *   CLI / STI     a byte in shared_info (vcpu_info.evtchn_upcall_mask): no trap
 *   HLT           sched_op(SCHEDOP_block)
 *   IDT, GDT, TSS set_trap_table, set_gdt, stack_switch
 *   interrupts    event channels: Xen upcalls the registered callback with a bounce frame
 *   timer         vcpu_op(VCPUOP_set_periodic_timer): VIRQ_TIMER at 100 Hz
 *   console       the console ring of start_info, with xenconsoled/consoleback in Dom0
 *   disk          blkfront: a blkif shared ring and grant references, wired to blkback in Dom0
 *                 through xenstore
 *
 * docs/xen-pv-abi.md is the contract with Ringside's Xen, including what it simplifies.
 */
#include "platform.h"
#include "../kernel/kernel.h"
#include "../kernel/gdt.h"
#include "../kernel/multiboot.h"
#include "../kernel/paging.h"
#include "../kernel/trap.h"
#include "../kernel/x86.h"
#include "../include/abi.h"
#include "../drivers/xen.h"
#include "../drivers/xenstore.h"

/* Where ringos maps the pages Xen owns and shares with it (below the user half, in the kernel half
 * every address space copies). xen-pv-entry.asm uses SHARED_INFO_VA too. */
#define SHARED_INFO_VA 0x3FFFF000u
#define GRANT_TABLE_VA 0x3FFFE000u
/* Events reach the kernel as interrupt "line" 1 (vector 33): the event callback's trapframe. */
#define EVTCHN_LINE 1
#define MAX_PORTS 64
/* The first eight grant references are reserved for the toolstack (GNTTAB_NR_RESERVED_ENTRIES). */
#define GREF_BLK_RING 8
#define GREF_BLK_DATA 9
#define BLK_VDEV "51712" /* xvda (major 202, minor 0) */
#define MMU_BATCH 32
#define MAX_FRAMES (KERNEL_MAP_LIMIT / PAGE_SIZE)
#define HOLE_SLOT (HYPERVISOR_VIRT_START >> 22)

const char plat_name[] = "xen-pv";
const char plat_devices[] = "Xen 32-bit PV: hypercall page, event channels, console ring, blkfront";

struct start_info *xen_start_info;
static struct multiboot_info boot_info;
static char start_cmdline[256];

static struct shared_info *const shinfo = (struct shared_info *)SHARED_INFO_VA;
#define vcpu (&shinfo->vcpu_info[0])
static struct grant_entry_v1 *const gnttab = (struct grant_entry_v1 *)GRANT_TABLE_VA;
static const uint32_t *const m2p = (const uint32_t *)MACH2PHYS_VIRT_START;
static uint32_t *p2m;

/* ---- the hypercalls ringos makes (xen.h numbers; arguments in EBX, ECX, EDX, ESI) ---- */

/* Xen's own console (console_io): for messages when the console ring is not up yet. */
static void xen_console_write(const char *s)
{
    _hypercall3(console_io, CONSOLEIO_write, strlen(s), s);
}

/* A refused hypercall is a bug in ringos: say so on Xen's console too (the kernel's own console may
 * not be up yet), then panic. */
__attribute__((noreturn)) static void hcall_failed(const char *what, long rc)
{
    char msg[96];
    snprintf(msg, sizeof msg, "ringos: %s failed (%d)\r\n", what, (int)rc);
    xen_console_write(msg);
    panic("xen: %s failed (%d)", what, (int)rc);
}

static long evtchn_op(uint32_t cmd, void *arg) { return _hypercall2(event_channel_op, cmd, arg); }

static void evtchn_send(uint32_t port)
{
    long rc = evtchn_op(EVTCHNOP_send, &port);
    if (rc)
        hcall_failed("EVTCHNOP_send", rc);
}

static void mmuext(uint32_t cmd, uint32_t arg1)
{
    struct mmuext_op op = { cmd, arg1, 0 };
    long rc = _hypercall4(mmuext_op, &op, 1, 0, DOMID_SELF);
    if (rc)
        hcall_failed("mmuext_op", rc);
}

__attribute__((noreturn)) static void fail(const char *why)
{
    xen_console_write("ringos (xen-pv platform): ");
    xen_console_write(why);
    xen_console_write("\r\n");
    plat_halt();
}

/* ---- start of day: from start_info to what kmain expects ---- */

/* Frames Xen has typed as page tables or descriptor tables: never mapped writable (Xen refuses). */
static uint32_t typed_frame[MAX_FRAMES / 32];
/* Of those, the page directories (Xen owns their slots from HYPERVISOR_VIRT_START up). */
static uint32_t l2_frame[MAX_FRAMES / 32];

static int bit(const uint32_t *map, uint32_t pfn) { return pfn < MAX_FRAMES && (map[pfn / 32] >> (pfn % 32)) & 1; }
static void set_bit(uint32_t *map, uint32_t pfn, int on)
{
    if (pfn >= MAX_FRAMES)
        return;
    if (on)
        map[pfn / 32] |= 1u << (pfn % 32);
    else
        map[pfn / 32] &= ~(1u << (pfn % 32));
}

/*
 * Called by xen-pv-entry.asm with the start_info Xen put in ESI. The kernel proper boots from a
 * multiboot information block, so this builds one: memory from nr_pages, the command line from
 * cmd_line. The bootstrap page tables Xen built (pt_base, nr_pt_frames) are page tables already.
 */
const struct multiboot_info *xen_start(struct start_info *si)
{
    xen_start_info = si;
    p2m = (uint32_t *)si->mfn_list;
    boot_info.flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE;
    boot_info.mem_lower = 640;
    boot_info.mem_upper = si->nr_pages * (PAGE_SIZE / 1024) - 1024;
    strncpy_z(start_cmdline, si->cmd_line, sizeof start_cmdline);
    boot_info.cmdline = (uint32_t)start_cmdline;
    for (uint32_t i = 0; i < si->nr_pt_frames; i++)
        set_bit(typed_frame, (si->pt_base / PAGE_SIZE) + i, 1);
    set_bit(l2_frame, si->pt_base / PAGE_SIZE, 1);
    return &boot_info;
}

static uint32_t pfn_to_mfn(uint32_t pfn) { return p2m[pfn]; }
static uint32_t virt_to_mfn(const void *p) { return pfn_to_mfn((uint32_t)p / PAGE_SIZE); }

/* ---- page tables: batched mmu_update ---- */

static struct mmu_update mmu_queue[MMU_BATCH];
static unsigned mmu_queued, mmu_queued_l2;
static int own_tables_loaded;     /* ringos's page directory is in CR3 (bootstrap tables before) */
static uint32_t *loaded_pd;

static void mmu_flush(void)
{
    if (!mmu_queued)
        return;
    uint32_t done = 0;
    long rc = _hypercall4(mmu_update, mmu_queue, mmu_queued, &done, DOMID_SELF);
    if (rc) {
        char what[80];
        snprintf(what, sizeof what, "mmu_update of entry %u of %u (ptr 0x%08x val 0x%08x)", done, mmu_queued,
            (uint32_t)mmu_queue[done].ptr, (uint32_t)mmu_queue[done].val);
        hcall_failed(what, rc);
    }
    mmu_queued = mmu_queued_l2 = 0;
}

static uint32_t entry_maddr(const uint32_t *entry)
{
    return virt_to_mfn(entry) * PAGE_SIZE + ((uint32_t)entry & (PAGE_SIZE - 1));
}

static int in_l2(const uint32_t *entry) { return bit(l2_frame, (uint32_t)entry / PAGE_SIZE); }
static int in_hole(const uint32_t *entry) { return ((uint32_t)entry & (PAGE_SIZE - 1)) / 4 >= HOLE_SLOT && in_l2(entry); }

/* A new entry in the kernel's terms (pseudo-physical frame) becomes Xen's (machine frame). A page
 * table entry (level 1) that maps a frame Xen has typed as a page table maps it read-only, as Linux's
 * xen_set_pte does while it boots. */
void plat_set_pte(uint32_t *entry, uint32_t value)
{
    if (in_hole(entry))
        return; /* Xen's slots of a directory: not the kernel's to copy */
    if (value & PTE_P) {
        uint32_t pfn = value / PAGE_SIZE;
        if (bit(typed_frame, pfn) && !bit(l2_frame, (uint32_t)entry / PAGE_SIZE))
            value &= ~PTE_W;
        value = pfn_to_mfn(pfn) * PAGE_SIZE | (value & (PAGE_SIZE - 1));
    }
    if (mmu_queued == MMU_BATCH)
        mmu_flush();
    mmu_queued_l2 += in_l2(entry);
    mmu_queue[mmu_queued++] = (struct mmu_update){ entry_maddr(entry) | MMU_NORMAL_PT_UPDATE, value };
}

/* Reads an entry back in the kernel's terms: a queued update first, then the table itself, with its
 * machine frame turned back into a pseudo-physical one through Xen's read-only M2P table. */
uint32_t plat_get_pte(const uint32_t *entry)
{
    if (in_hole(entry))
        return 0;
    uint32_t v = *(const volatile uint32_t *)entry;
    if (in_l2(entry) ? mmu_queued_l2 : mmu_queued - mmu_queued_l2) {
        uint32_t ptr = entry_maddr(entry);
        for (unsigned i = mmu_queued; i-- > 0;) {
            if ((uint32_t)mmu_queue[i].ptr == ptr) {
                v = (uint32_t)mmu_queue[i].val;
                break;
            }
        }
    }
    if (!(v & PTE_P))
        return v;
    uint32_t pfn = m2p[v / PAGE_SIZE];
    return pfn == INVALID_M2P_ENTRY ? 0 : pfn * PAGE_SIZE | (v & (PAGE_SIZE - 1));
}

/* Drops a writable mapping of frame `phys` from the kernel's 1:1 map (and from the bootstrap map
 * while that is still in use), so that Xen can make it a page table or a descriptor table. */
static void make_readonly(uint32_t phys)
{
    uint32_t *pte = kernel_pgdir ? paging_pte(kernel_pgdir, phys) : 0;
    uint32_t e = pte ? plat_get_pte(pte) : 0;
    if (e & PTE_W)
        plat_set_pte(pte, e & ~PTE_W);
    mmu_flush();
    if (own_tables_loaded) {
        mmuext(MMUEXT_INVLPG_LOCAL, phys);
    } else {
        long rc = _hypercall3(update_va_mapping, phys, pfn_to_mfn(phys / PAGE_SIZE) * PAGE_SIZE | PTE_P, UVMF_INVLPG);
        if (rc)
            hcall_failed("update_va_mapping", rc);
    }
}

static void make_writable(uint32_t phys)
{
    uint32_t *pte = paging_pte(kernel_pgdir, phys);
    if (pte) {
        plat_set_pte(pte, phys | PTE_P | PTE_W);
        mmu_flush();
        mmuext(MMUEXT_INVLPG_LOCAL, phys);
    }
}

/* Page tables freed while their directory still references them, waiting for its unpin. */
static uint32_t released_tables[USER_TOP / (4u << 20) - USER_BASE / (4u << 20)];
static unsigned released_count;

/* A directory is pinned at once (Xen validates it and fills in its own slots); a table becomes one
 * when a directory entry first points at it. Both must be read-only everywhere first. */
void plat_pagetable_created(uint32_t phys, int level)
{
    mmu_flush();
    set_bit(typed_frame, phys / PAGE_SIZE, 1);
    make_readonly(phys);
    if (level == 2) {
        set_bit(l2_frame, phys / PAGE_SIZE, 1);
        mmuext(MMUEXT_PIN_L2_TABLE, pfn_to_mfn(phys / PAGE_SIZE));
    }
}

/* A table stays a page table until its directory is unpinned (ringos frees a process's tables, then
 * its directory); then all of them become ordinary, writable memory again. */
void plat_pagetable_freed(uint32_t phys, int level)
{
    mmu_flush();
    if (level == 1) {
        if (released_count < ARRAY_SIZE(released_tables))
            released_tables[released_count++] = phys;
        return;
    }
    mmuext(MMUEXT_UNPIN_TABLE, pfn_to_mfn(phys / PAGE_SIZE));
    set_bit(l2_frame, phys / PAGE_SIZE, 0);
    set_bit(typed_frame, phys / PAGE_SIZE, 0);
    make_writable(phys);
    while (released_count) {
        uint32_t t = released_tables[--released_count];
        set_bit(typed_frame, t / PAGE_SIZE, 0);
        make_writable(t);
    }
}

/* Paging is on from the start under Xen: this switches from Xen's bootstrap tables to the kernel's,
 * then unpins the bootstrap directory, so that its tables no longer hold (writable) mappings of the
 * kernel's frames and Xen lets those frames become page tables. */
void plat_paging_enable(uint32_t pd_phys)
{
    plat_load_cr3(pd_phys);
    own_tables_loaded = 1;
    mmuext(MMUEXT_UNPIN_TABLE, pfn_to_mfn(xen_start_info->pt_base / PAGE_SIZE));
}

void plat_load_cr3(uint32_t pd_phys)
{
    mmu_flush();
    mmuext(MMUEXT_NEW_BASEPTR, pfn_to_mfn(pd_phys / PAGE_SIZE));
    loaded_pd = (uint32_t *)pd_phys;
}

/* INVLPG after a single queued update of the entry that maps va: one update_va_mapping does both
 * (Linux does the same); otherwise the batch goes first, then MMUEXT_INVLPG_LOCAL. */
void plat_invlpg(uint32_t va)
{
    if (mmu_queued == 1 && loaded_pd) {
        uint32_t *pte = paging_pte(loaded_pd, va);
        if (pte && entry_maddr(pte) == (uint32_t)mmu_queue[0].ptr) {
            mmu_queued = mmu_queued_l2 = 0;
            long rc = _hypercall3(update_va_mapping, va, (uint32_t)mmu_queue[0].val, UVMF_INVLPG);
            if (rc)
                hcall_failed("update_va_mapping", rc);
            return;
        }
    }
    mmu_flush();
    mmuext(MMUEXT_INVLPG_LOCAL, va);
}

void plat_flush_tlb(void)
{
    mmu_flush();
    mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0);
}

/* ---- descriptor tables and the kernel stack ---- */

static uint64_t gdt_page[PAGE_SIZE / 8] __attribute__((aligned(PAGE_SIZE)));
static uint32_t gdt_given_base;
static uint16_t gdt_given_limit;

/*
 * The kernel's GDT goes to Xen by frame (set_gdt takes machine frames, never an address): a copy in a
 * page of its own, which must be read-only, without the TSS descriptor (Xen keeps the TSS; it refuses
 * system descriptors, and Linux's PV GDT writes skip them too). Xen validates every descriptor (DPL 0
 * becomes 1; limits stop below Xen's area) and loads GDTR with its own per-vCPU mapping of the frame.
 * Then the segment registers are reloaded from the new table (KERNEL_CS/DS with RPL 1).
 */
void plat_lgdt(const void *base, uint16_t limit)
{
    const uint64_t *src = base;
    uint32_t entries = (limit + 1u) / 8;
    for (uint32_t i = 0; i < entries && i < ARRAY_SIZE(gdt_page); i++)
        gdt_page[i] = (src[i] >> 44) & 1 ? src[i] : 0; /* S = 1: code or data */
    gdt_given_base = (uint32_t)base;
    gdt_given_limit = limit;
    set_bit(typed_frame, (uint32_t)gdt_page / PAGE_SIZE, 1);
    make_readonly((uint32_t)gdt_page);
    uint32_t frame = virt_to_mfn(gdt_page);
    long rc = _hypercall2(set_gdt, &frame, entries);
    if (rc)
        hcall_failed("set_gdt", rc);
    __asm__ volatile("ljmp %0, $1f\n1:\n\t"
                     "mov %w1, %%ds\n\tmov %w1, %%es\n\tmov %w1, %%fs\n\tmov %w1, %%gs\n\tmov %w1, %%ss"
                     : : "i"(KERNEL_CS), "r"(KERNEL_DS) : "memory");
}

/* SGDT is no use here (it shows Xen's GDT mapping): the kernel asked for this table, so it knows. */
void plat_sgdt(uint32_t *base, uint16_t *limit)
{
    *base = gdt_given_base;
    *limit = gdt_given_limit;
}

extern char xen_int80_entry[], xen_event_callback[], xen_failsafe_callback[];

/* An IDT gate (SDM Vol. 3A Figure 6-2), as kernel/idt.c builds them. */
struct gate {
    uint16_t offset_lo, selector;
    uint8_t zero, type_attr;
    uint16_t offset_hi;
} __attribute__((packed));

#define GATE_INTERRUPT 0xE

/*
 * The IDT becomes Xen's trap table: each present exception gate becomes a trap_info entry (an
 * interrupt gate asks Xen to mask events on entry, as the CPU clears IF). Vectors 32-47 have no
 * hardware behind them (events replace interrupts). The system call gets its own entry stub that
 * masks events itself, so its entry can leave them on: then Xen puts a DPL-3 trap gate straight to
 * it into the real IDT, and INT 0x80 from ring 3 reaches the kernel without entering Xen (Xen's
 * 32-bit fast system-call path).
 */
void plat_lidt(const void *base, uint16_t limit)
{
    static struct trap_info traps[34];
    const struct gate *idt = base;
    unsigned n = 0;
    for (unsigned v = 0; v < (limit + 1u) / 8 && n < ARRAY_SIZE(traps) - 1; v++) {
        const struct gate *g = &idt[v];
        if (!(g->type_attr & 0x80) || (v >= IRQ_VECTOR_BASE && v < IRQ_VECTOR_BASE + IRQ_LINES))
            continue;
        uint32_t handler = g->offset_lo | (uint32_t)g->offset_hi << 16;
        uint8_t flags = (g->type_attr >> 5) & 3;
        if (v == SYSCALL_VECTOR)
            handler = (uint32_t)xen_int80_entry;
        else if ((g->type_attr & 0xF) == GATE_INTERRUPT)
            flags |= TI_SET_IF;
        traps[n++] = (struct trap_info){ (uint8_t)v, flags, g->selector, handler };
    }
    traps[n] = (struct trap_info){ 0, 0, 0, 0 };
    long rc = _hypercall1(set_trap_table, traps);
    if (rc)
        hcall_failed("set_trap_table", rc);
    rc = _hypercall4(set_callbacks, KERNEL_CS, xen_event_callback, KERNEL_CS, xen_failsafe_callback);
    if (rc)
        hcall_failed("set_callbacks", rc);
}

void plat_ltr(uint16_t selector) { (void)selector; }

/* The stack Xen (and the CPU, through the TSS Xen keeps) switches to when ring 3 is interrupted. */
void plat_set_kernel_stack(uint32_t esp0)
{
    long rc = _hypercall2(stack_switch, KERNEL_DS, esp0);
    if (rc)
        hcall_failed("stack_switch", rc);
}

/* Xen could not load the segment registers of a frame it returned to (callback.h, failsafe). */
void xen_failsafe(void) { panic("xen: failsafe callback (bad segment in a return frame)"); }

/* ---- the virtual interrupt flag ---- */

/* A hypercall (any: xen_version is the cheapest) makes Xen deliver the pending upcall on its way back. */
static void force_evtchn_callback(void) { _hypercall2(xen_version, 0, 0); }

void plat_irq_disable(void)
{
    vcpu->evtchn_upcall_mask = 1;
    barrier();
}

void plat_irq_enable(void)
{
    vcpu->evtchn_upcall_mask = 0;
    barrier();
    if (vcpu->evtchn_upcall_pending)
        force_evtchn_callback();
}

/* PUSHF would show the real IF (always 1 in a PV guest): the kernel's IF is the inverted mask. */
uint32_t plat_flags_read(void)
{
    uint32_t f;
    __asm__ volatile("pushf; pop %0" : "=r"(f) : : "memory");
    return (f & ~EFLAGS_IF) | (vcpu->evtchn_upcall_mask ? 0 : EFLAGS_IF);
}

void plat_flags_write(uint32_t flags)
{
    __asm__ volatile("push %0; popf" : : "r"(flags) : "memory", "cc"); /* IF and IOPL: ignored in ring 1 */
    if (flags & EFLAGS_IF)
        plat_irq_enable();
    else
        plat_irq_disable();
}

/* SCHEDOP_block enables events itself and returns once one is pending; the upcall runs on the way. */
void plat_wait_for_interrupt(void)
{
    mmu_flush();
    _hypercall2(sched_op, SCHEDOP_block, 0);
    plat_irq_disable();
}

void plat_poweroff(unsigned code)
{
    (void)code; /* SCHEDOP_shutdown carries a reason, not an exit code */
    uint32_t reason = SHUTDOWN_poweroff;
    for (;;)
        _hypercall2(sched_op, SCHEDOP_shutdown, &reason);
}

void plat_halt(void)
{
    uint32_t reason = SHUTDOWN_crash;
    for (;;)
        _hypercall2(sched_op, SCHEDOP_shutdown, &reason);
}

/* ---- event channels ---- */

static void (*port_handler[MAX_PORTS])(void);

static void evtchn_bind(uint32_t port, void (*handler)(void))
{
    if (port >= MAX_PORTS)
        panic("xen: event channel %u beyond the %u ringos handles", port, MAX_PORTS);
    port_handler[port] = handler;
    long rc = evtchn_op(EVTCHNOP_unmask, &port);
    if (rc)
        hcall_failed("EVTCHNOP_unmask", rc);
}

/* The upcall (two-level event channels, xen.h "Event channel endpoints"): Xen set the port's bit in
 * evtchn_pending, its word's bit in evtchn_pending_sel and evtchn_upcall_pending. Clear, then handle. */
static void evtchn_upcall(void)
{
    while (vcpu->evtchn_upcall_pending) {
        vcpu->evtchn_upcall_pending = 0;
        uint32_t sel;
        __asm__ volatile("xchg %0, %1" : "=r"(sel), "+m"(vcpu->evtchn_pending_sel) : "0"(0u) : "memory");
        while (sel) {
            unsigned w = __builtin_ctz(sel);
            sel &= sel - 1;
            uint32_t pend;
            while ((pend = shinfo->evtchn_pending[w] & ~shinfo->evtchn_mask[w])) {
                unsigned port = w * 32 + __builtin_ctz(pend);
                __asm__ volatile("lock btrl %1, %0" : "+m"(shinfo->evtchn_pending[w]) : "r"(port % 32) : "memory");
                if (port < MAX_PORTS && port_handler[port])
                    port_handler[port]();
            }
        }
    }
}

void plat_irq_unmask(unsigned line) { (void)line; }
void plat_irq_mask(unsigned line) { (void)line; }
void plat_irq_eoi(unsigned line) { (void)line; }
int plat_irq_spurious(unsigned line) { (void)line; return 0; }

/* Maps a page Xen owns (shared_info, the grant table) at va in the kernel half. */
static void map_xen_page(uint32_t va, uint32_t mfn)
{
    if (paging_map(kernel_pgdir, va, 0, 0) < 0)
        panic("xen: no memory to map a shared page");
    mmu_flush();
    long rc = _hypercall3(update_va_mapping, va, mfn * PAGE_SIZE | PTE_P | PTE_W, UVMF_INVLPG);
    if (rc)
        hcall_failed("update_va_mapping", rc);
}

static void *mfn_to_virt(uint32_t mfn) { return (void *)(m2p[mfn] * PAGE_SIZE); }

/* ---- timer ---- */

void plat_timer_start(unsigned hz)
{
    struct evtchn_bind_virq bind = { VIRQ_TIMER, 0, 0 };
    long rc = evtchn_op(EVTCHNOP_bind_virq, &bind);
    if (rc)
        hcall_failed("EVTCHNOP_bind_virq", rc);
    evtchn_bind(bind.port, timer_tick);
    uint64_t period_ns = 1000000000u / hz;
    rc = _hypercall3(vcpu_op, VCPUOP_set_periodic_timer, 0, &period_ns);
    if (rc)
        hcall_failed("VCPUOP_set_periodic_timer", rc);
}

/* ---- console: the ring in start_info, drained by the console backend in Dom0 ---- */

static struct xencons_interface *cons;
static uint32_t cons_port;

static void console_event(void)
{
    char buf[64];
    for (;;) {
        uint32_t c = cons->in_cons, p = cons->in_prod, n = 0;
        barrier();
        while (c != p && n < sizeof buf)
            buf[n++] = cons->in[c++ % sizeof cons->in];
        if (!n)
            break;
        barrier();
        cons->in_cons = c;
        console_input(buf, n);
    }
    evtchn_send(cons_port); /* room in the input ring again */
}

/* One notification per write: the bytes go into the output ring, then one EVTCHNOP_send. */
void plat_console_write(const char *s, size_t n)
{
    while (n) {
        uint32_t c = cons->out_cons, p = cons->out_prod, room = sizeof cons->out - (p - c), k = 0;
        barrier();
        while (k < n && k < room) {
            cons->out[p++ % sizeof cons->out] = s[k];
            k++;
        }
        barrier();
        cons->out_prod = p;
        evtchn_send(cons_port);
        s += k;
        n -= k;
        if (n && !k)
            _hypercall2(sched_op, SCHEDOP_yield, 0); /* ring full: let Dom0 drain it */
    }
}

/* ---- blkfront: one request at a time on a blkif ring, the data in a granted bounce page ---- */

static struct blkif_sring blk_ring __attribute__((aligned(PAGE_SIZE)));
static uint8_t blk_data[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint32_t blk_port, blk_backend_id, blk_sectors, blk_req_prod, blk_rsp_cons;
static int have_disk;

static void blk_event(void) {} /* the waiting request looks at the ring itself */

static void grant(uint32_t ref, const void *page, int readonly)
{
    gnttab[ref].domid = (uint16_t)blk_backend_id;
    gnttab[ref].frame = virt_to_mfn(page);
    barrier();
    gnttab[ref].flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
}

/* Revokes a grant (gnttab_end_foreign_access): only once the backend no longer uses it. */
static void end_grant(uint32_t ref)
{
    while (gnttab[ref].flags & (GTF_reading | GTF_writing))
        plat_wait_for_interrupt();
    gnttab[ref].flags = 0;
}

static void blk_path(char *out, size_t size, const char *key)
{
    snprintf(out, size, "device/vbd/" BLK_VDEV "/%s", key);
}

/*
 * XenBus handshake (io/blkif.h, xenbus.h): find the backend, share the ring (grant) and an unbound
 * event channel, say Initialised, wait (watching the backend's state) until blkback is Connected,
 * read the disk size, say Connected.
 */
static void blkfront_init(void)
{
    char key[64], backend[96], value[32];
    unsigned n;
    blk_path(key, sizeof key, "backend-id");
    if (xs_read(key, value, sizeof value) < 0 || parse_uint(value, &n))
        return;
    blk_backend_id = n;
    blk_path(key, sizeof key, "backend");
    if (xs_read(key, backend, sizeof backend) < 0)
        return;
    blk_ring.req_event = blk_ring.rsp_event = 1; /* SHARED_RING_INIT */
    grant(GREF_BLK_RING, &blk_ring, 0);
    struct evtchn_alloc_unbound alloc = { DOMID_SELF, (uint16_t)blk_backend_id, 0 };
    long rc = evtchn_op(EVTCHNOP_alloc_unbound, &alloc);
    if (rc)
        hcall_failed("EVTCHNOP_alloc_unbound", rc);
    blk_port = alloc.port;
    evtchn_bind(blk_port, blk_event);
    static const char *const keys[][2] = { { "ring-ref", "8" }, { "protocol", "x86_32-abi" } };
    for (unsigned i = 0; i < ARRAY_SIZE(keys); i++) {
        blk_path(key, sizeof key, keys[i][0]);
        xs_write(key, keys[i][1]);
    }
    blk_path(key, sizeof key, "event-channel");
    snprintf(value, sizeof value, "%u", blk_port);
    xs_write(key, value);
    blk_path(key, sizeof key, "state");
    xs_write(key, "3"); /* XenbusStateInitialised */
    char path[128];
    snprintf(path, sizeof path, "%s/state", backend);
    xs_watch(path, "backend");
    while (xs_read(path, value, sizeof value) < 0 || strcmp(value, "4") != 0) {
        while (!xs_watch_events())
            plat_wait_for_interrupt();
    }
    snprintf(path, sizeof path, "%s/sectors", backend);
    if (xs_read(path, value, sizeof value) < 0 || parse_uint(value, &n))
        return;
    blk_sectors = n;
    xs_write(key, "4"); /* XenbusStateConnected */
    have_disk = 1;
}

static int blk_request(uint8_t op, uint32_t lba, void *buf)
{
    if (!have_disk || lba >= blk_sectors)
        return -1;
    if (op == BLKIF_OP_WRITE)
        memcpy(blk_data, buf, 512);
    grant(GREF_BLK_DATA, blk_data, op == BLKIF_OP_WRITE);
    struct blkif_request *r = &blk_ring.ring[blk_req_prod % BLKIF_RING_SIZE].req;
    memset(r, 0, sizeof *r);
    r->operation = op;
    r->nr_segments = 1;
    r->id = blk_req_prod;
    r->sector_number = lba;
    r->seg[0] = (struct blkif_request_segment){ GREF_BLK_DATA, 0, 0, 0 };
    /* RING_PUSH_REQUESTS_AND_CHECK_NOTIFY: a kick only if the backend asked for one (req_event). */
    uint32_t old = blk_ring.req_prod, new = ++blk_req_prod;
    barrier();
    blk_ring.req_prod = new;
    barrier();
    if ((uint32_t)(new - blk_ring.req_event) < (uint32_t)(new - old))
        evtchn_send(blk_port);
    /* RING_FINAL_CHECK_FOR_RESPONSES: wait for the response, asking to be notified of the next. */
    for (;;) {
        if (blk_rsp_cons != blk_ring.rsp_prod)
            break;
        blk_ring.rsp_event = blk_rsp_cons + 1;
        barrier();
        if (blk_rsp_cons == blk_ring.rsp_prod)
            plat_wait_for_interrupt();
    }
    barrier();
    int16_t status = blk_ring.ring[blk_rsp_cons % BLKIF_RING_SIZE].rsp.status;
    blk_rsp_cons++;
    end_grant(GREF_BLK_DATA);
    if (op == BLKIF_OP_READ)
        memcpy(buf, blk_data, 512);
    return status == BLKIF_RSP_OKAY ? 0 : -1;
}

uint32_t plat_block_sectors(void) { return have_disk ? blk_sectors : 0; }
int plat_block_read(uint32_t lba, void *buf) { return blk_request(BLKIF_OP_READ, lba, buf); }
int plat_block_write(uint32_t lba, const void *buf) { return blk_request(BLKIF_OP_WRITE, lba, (void *)buf); }

/* ---- bring-up ---- */

/*
 * CPUID with Xen's forced-emulation prefix (ud2a; .ascii "xen"; cpuid): the #UD takes it into Xen,
 * which answers with the domain's CPUID policy. A plain CPUID in a PV guest does not trap (without
 * CPUID faulting) and answers for the bare CPU, as ringos's cpuinfo shows from ring 3.
 */
static void xen_cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("ud2a; .ascii \"xen\"; cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "0"(leaf), "2"(0));
}

void plat_init(void)
{
    struct start_info *si = xen_start_info;
    uint32_t id[4];
    xen_cpuid(0x40000000, id);
    if (id[1] != 0x566e6558u || id[2] != 0x65584d4du || id[3] != 0x4d4d566eu) /* "XenVMMXenVMM" */
        fail("no Xen signature at CPUID leaf 0x40000000");
    map_xen_page(SHARED_INFO_VA, si->shared_info / PAGE_SIZE);
    for (unsigned w = 0; w < ARRAY_SIZE(shinfo->evtchn_mask); w++)
        shinfo->evtchn_mask[w] = ~0u; /* every port masked until it has a handler */
    irq_set_handler(EVTCHN_LINE, evtchn_upcall);

    uint32_t frame;
    struct gnttab_setup_table setup = { DOMID_SELF, 1, 0, &frame };
    long rc = _hypercall3(grant_table_op, GNTTABOP_setup_table, &setup, 1);
    if (rc || setup.status)
        fail("GNTTABOP_setup_table failed");
    map_xen_page(GRANT_TABLE_VA, frame);

    cons = mfn_to_virt(si->console_mfn);
    cons_port = si->console_evtchn;
    evtchn_bind(cons_port, console_event);
    xs_init(mfn_to_virt(si->store_mfn), si->store_evtchn);
    evtchn_bind(si->store_evtchn, blk_event);
    blkfront_init();
}
