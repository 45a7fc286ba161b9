/*
 * Boot: from the multiboot loader's hand-off to the first process.
 *
 *   descriptor tables (GDT with TSS, IDT) -> free page frames -> paging -> platform devices ->
 *   console -> timer (and a TSC measurement against it) -> file system -> /bin/init -> idle loop
 */
#include "kernel.h"
#include "multiboot.h"
#include "gdt.h"
#include "paging.h"
#include "sched.h"
#include "console.h"
#include "tarfs.h"
#include "x86.h"
#include "../platform/platform.h"

#define DEFAULT_MEM_KIB (64 * 1024)

uint32_t mem_kib;
uint32_t tsc_per_tick;
const char *boot_cmdline = "";
static char cmdline_copy[256];

extern char _end[]; /* kernel/kernel.ld: the end of the kernel image and its .bss */
void idt_init(void);

const char *cmdline_get(const char *key)
{
    size_t n = strlen(key);
    for (const char *s = boot_cmdline; *s;) {
        while (*s == ' ')
            s++;
        if (strncmp(s, key, n) == 0 && s[n] == '=')
            return s + n + 1;
        while (*s && *s != ' ')
            s++;
    }
    return 0;
}

/* How many TSC cycles one timer period takes: the CPU's clock rate as the timer sees it. */
static void calibrate_tsc(void)
{
    uint32_t t = ticks;
    while (ticks == t)
        plat_wait_for_interrupt();
    uint64_t start = rdtsc();
    t = ticks;
    while (ticks - t < 2)
        plat_wait_for_interrupt();
    tsc_per_tick = (uint32_t)((rdtsc() - start) / 2);
    if (!tsc_per_tick)
        tsc_per_tick = 1;
}

static void read_boot_info(uint32_t magic, const struct multiboot_info *mbi)
{
    mem_kib = DEFAULT_MEM_KIB;
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
        return;
    if (mbi->flags & MULTIBOOT_INFO_MEMORY)
        mem_kib = 1024 + mbi->mem_upper;
    if (mbi->flags & MULTIBOOT_INFO_CMDLINE) {
        strncpy_z(cmdline_copy, (const char *)mbi->cmdline, sizeof cmdline_copy);
        boot_cmdline = cmdline_copy;
    }
}

void kmain(uint32_t magic, const struct multiboot_info *mbi)
{
    read_boot_info(magic, mbi);
    uint32_t mem_end = mem_kib >= KERNEL_MAP_LIMIT / 1024 ? KERNEL_MAP_LIMIT : (mem_kib * 1024) & ~(PAGE_SIZE - 1);

    gdt_init();
    idt_init();
    frames_init(((uint32_t)_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), mem_end);
    paging_init(mem_end);
    plat_init();
    console_start();

    kprintf("ringos %s on the %s platform (%s)\n", RINGOS_VERSION, plat_name, plat_devices);
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
        kprintf("no multiboot information (EAX 0x%08x): assuming %u KiB\n", magic, mem_kib);
    kprintf("memory: %u KiB, %u pages free; command line: \"%s\"\n", mem_end / 1024, frames_free_count(), boot_cmdline);

    sched_init();
    plat_timer_start(TICK_HZ);
    calibrate_tsc();
    kprintf("timer: %u Hz; TSC: %u kHz (measured against the timer)\n", TICK_HZ,
        (uint32_t)udiv64((uint64_t)tsc_per_tick * TICK_HZ, 1000, 0));

    int files = tarfs_mount();
    if (files < 0)
        panic("disk: no ustar file system (%u sectors)", plat_block_sectors());
    kprintf("disk: %u sectors, %d files\n", plat_block_sectors(), files);

    int pid = proc_spawn("/bin/init", 0, 0);
    if (pid != 1)
        panic("cannot start /bin/init (error %d)", pid);
    sched_idle();
}
