/*
 * The part of Xen's public interface the xen-pv platform uses, for a 32-bit PV guest without PAE
 * (xen/include/public/: xen.h, arch-x86/xen-x86_32.h, event_channel.h, grant_table.h, sched.h,
 * vcpu.h, callback.h, io/ring.h, io/blkif.h, io/console.h, io/xs_wire.h). Layouts are those of
 * gcc -m32 (i386 alignment: a uint64_t inside a struct is 4-byte aligned), which is what Xen's
 * 32-bit ABI is defined by. docs/xen-pv-abi.md is the contract with Ringside's Xen.
 */
#ifndef RINGOS_XEN_H
#define RINGOS_XEN_H

#include <stdint.h>

/* Hypercall numbers (xen.h). Each is a 32-byte stub in the hypercall page: mov $n,%eax; int $0x82; ret. */
#define __HYPERVISOR_set_trap_table 0
#define __HYPERVISOR_mmu_update 1
#define __HYPERVISOR_set_gdt 2
#define __HYPERVISOR_stack_switch 3
#define __HYPERVISOR_set_callbacks 4
#define __HYPERVISOR_update_va_mapping 14
#define __HYPERVISOR_set_timer_op 15
#define __HYPERVISOR_xen_version 17
#define __HYPERVISOR_console_io 18
#define __HYPERVISOR_grant_table_op 20
#define __HYPERVISOR_iret 23
#define __HYPERVISOR_vcpu_op 24
#define __HYPERVISOR_mmuext_op 26
#define __HYPERVISOR_sched_op 29
#define __HYPERVISOR_event_channel_op 32

/* Errors come back negated, as in Linux (xen/include/public/errno.h). */
#define XEN_EINVAL 22

#define DOMID_SELF 0x7FF0u

/* Xen's own flat segments, in the GDT entries it reserves (arch-x86/xen-x86_32.h): the kernel starts
 * on FLAT_RING1_CS/DS. Their limit stops below Xen's area (3.94 GiB, up to MACH2PHYS_VIRT_END). */
#define FLAT_RING1_CS 0xe019
#define FLAT_RING1_DS 0xe021
#define FLAT_RING3_CS 0xe02b
#define FLAT_RING3_DS 0xe033

/* Xen's part of every address space (non-PAE x86_32): from HYPERVISOR_VIRT_START up; the guest may
 * read the machine-to-physical table at its bottom. */
#define HYPERVISOR_VIRT_START 0xFC000000u
#define MACH2PHYS_VIRT_START 0xFC000000u
#define INVALID_M2P_ENTRY 0xFFFFFFFFu

/* start_info (xen.h): at the virtual address in ESI when the kernel starts. */
struct start_info {
    char magic[32];             /* "xen-3.0-x86_32" */
    uint32_t nr_pages;          /* pages of memory the domain owns */
    uint32_t shared_info;       /* MACHINE address of the shared-info page */
    uint32_t flags;
    uint32_t store_mfn;         /* MACHINE frame of the xenstore ring */
    uint32_t store_evtchn;
    uint32_t console_mfn;       /* console.domU.mfn */
    uint32_t console_evtchn;    /* console.domU.evtchn */
    uint32_t pt_base;           /* VIRTUAL address of the bootstrap page directory */
    uint32_t nr_pt_frames;      /* bootstrap page-table frames (the directory and its tables) */
    uint32_t mfn_list;          /* VIRTUAL address of the pseudo-physical to machine list */
    uint32_t mod_start, mod_len;
    char cmd_line[1024];
    uint32_t first_p2m_pfn, nr_p2m_frames;
};

/* shared_info (xen.h, arch-x86/xen-x86_32.h): one page Xen shares with the domain. */
struct vcpu_time_info {
    uint32_t version, pad0;
    uint64_t tsc_timestamp, system_time;
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
    int8_t pad1[3];
};
struct vcpu_info {
    volatile uint8_t evtchn_upcall_pending;
    volatile uint8_t evtchn_upcall_mask;  /* the virtual interrupt flag, inverted: 1 = events off */
    uint8_t pad[2];
    volatile uint32_t evtchn_pending_sel; /* which words of evtchn_pending to look at */
    uint32_t cr2;                         /* arch_vcpu_info: the faulting address of the last #PF */
    uint32_t arch_pad[5];
    struct vcpu_time_info time;
};
struct shared_info {
    struct vcpu_info vcpu_info[32];
    volatile uint32_t evtchn_pending[32];
    volatile uint32_t evtchn_mask[32];
    uint32_t wc_version, wc_sec, wc_nsec;
};

/* set_trap_table: one entry per vector, ended by address 0. flags bits 1:0 = DPL that may use INT n;
 * bit 2 = events masked on entry (like an interrupt gate clearing IF). */
struct trap_info {
    uint8_t vector, flags;
    uint16_t cs;
    uint32_t address;
};
#define TI_SET_IF 4

/* mmu_update: ptr = MACHINE address of the entry | command, val = the new entry. */
struct mmu_update {
    uint64_t ptr, val;
};
#define MMU_NORMAL_PT_UPDATE 0

struct mmuext_op {
    uint32_t cmd;
    uint32_t arg1; /* mfn or linear address */
    uint32_t arg2;
};
#define MMUEXT_PIN_L1_TABLE 0
#define MMUEXT_PIN_L2_TABLE 1
#define MMUEXT_UNPIN_TABLE 4
#define MMUEXT_NEW_BASEPTR 5
#define MMUEXT_TLB_FLUSH_LOCAL 6
#define MMUEXT_INVLPG_LOCAL 7

/* update_va_mapping flags. */
#define UVMF_INVLPG 2

/* sched_op */
#define SCHEDOP_yield 0
#define SCHEDOP_block 1
#define SCHEDOP_shutdown 2
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_crash 3

/* vcpu_op */
#define VCPUOP_set_periodic_timer 6

/* console_io */
#define CONSOLEIO_write 0

/* event_channel_op (event_channel.h) */
#define EVTCHNOP_bind_virq 1
#define EVTCHNOP_send 4
#define EVTCHNOP_alloc_unbound 6
#define EVTCHNOP_unmask 9
#define VIRQ_TIMER 0
struct evtchn_alloc_unbound {
    uint16_t dom, remote_dom;
    uint32_t port; /* OUT */
};
struct evtchn_bind_virq {
    uint32_t virq, vcpu;
    uint32_t port; /* OUT */
};

/* grant_table_op (grant_table.h): version-1 entries in the table Xen gives the domain. */
#define GNTTABOP_setup_table 2
struct gnttab_setup_table {
    uint16_t dom;
    uint32_t nr_frames;
    int16_t status;
    uint32_t *frame_list;
};
struct grant_entry_v1 {
    volatile uint16_t flags;
    uint16_t domid;
    uint32_t frame;
};
#define GTF_permit_access 1
#define GTF_readonly 4
#define GTF_reading 8
#define GTF_writing 16

/* Shared rings (io/ring.h): a 64-byte header, then a power-of-two number of entries. */
#define RING_HEADER 64

/* The block interface (io/blkif.h), x86_32 layout: a 108-byte request, a 12-byte response. */
#define BLKIF_OP_READ 0
#define BLKIF_OP_WRITE 1
#define BLKIF_RSP_OKAY 0
struct blkif_request_segment {
    uint32_t gref;
    uint8_t first_sect, last_sect;
    uint16_t pad;
};
struct blkif_request {
    uint8_t operation, nr_segments;
    uint16_t handle;
    uint64_t id;
    uint64_t sector_number;
    struct blkif_request_segment seg[11];
};
struct blkif_response {
    uint64_t id;
    uint8_t operation;
    int16_t status;
};
union blkif_sring_entry {
    struct blkif_request req;
    struct blkif_response rsp;
};
struct blkif_sring {
    volatile uint32_t req_prod, req_event, rsp_prod, rsp_event;
    uint8_t pad[48];
    union blkif_sring_entry ring[32]; /* __RING_SIZE: (4096 - 64) / 108 rounded down to a power of 2 */
};
#define BLKIF_RING_SIZE 32

/* The console ring (io/console.h). */
struct xencons_interface {
    char in[1024];
    char out[2048];
    volatile uint32_t in_cons, in_prod;
    volatile uint32_t out_cons, out_prod;
};

/* The xenstore ring and wire protocol (io/xs_wire.h). */
struct xenstore_domain_interface {
    char req[1024];
    char rsp[1024];
    volatile uint32_t req_cons, req_prod;
    volatile uint32_t rsp_cons, rsp_prod;
};
struct xsd_sockmsg {
    uint32_t type, req_id, tx_id, len;
};
#define XS_READ 2
#define XS_WATCH 4
#define XS_WRITE 11
#define XS_WATCH_EVENT 15
#define XS_ERROR 16

/* XenBus states (io/xenbus.h). */
#define XenbusStateInitialised 3
#define XenbusStateConnected 4

/* ELF note types the domain builder reads (elfnote.h). */
#define XEN_ELFNOTE_ENTRY 1
#define XEN_ELFNOTE_HYPERCALL_PAGE 2
#define XEN_ELFNOTE_VIRT_BASE 3
#define XEN_ELFNOTE_PADDR_OFFSET 4
#define XEN_ELFNOTE_XEN_VERSION 5
#define XEN_ELFNOTE_GUEST_OS 6
#define XEN_ELFNOTE_LOADER 8
#define XEN_ELFNOTE_PAE_MODE 9

/* Hypercalls: a call into the 32-byte stub Xen wrote for each (arguments in EBX, ECX, EDX, ESI, EDI,
 * the result in EAX; Xen may change the argument registers, so they are outputs too). */
extern char hypercall_page[];

#define _hypercall1(name, a1)                                                                   \
    ({                                                                                          \
        long __r, __b;                                                                          \
        __asm__ volatile("call hypercall_page + %c[off]"                                        \
                         : "=a"(__r), "=b"(__b)                                                 \
                         : [off] "i"(__HYPERVISOR_##name * 32), "1"((long)(a1))                 \
                         : "memory");                                                           \
        __r;                                                                                    \
    })
#define _hypercall2(name, a1, a2)                                                               \
    ({                                                                                          \
        long __r, __b, __c;                                                                     \
        __asm__ volatile("call hypercall_page + %c[off]"                                        \
                         : "=a"(__r), "=b"(__b), "=c"(__c)                                      \
                         : [off] "i"(__HYPERVISOR_##name * 32), "1"((long)(a1)), "2"((long)(a2))  \
                         : "memory");                                                           \
        __r;                                                                                    \
    })
#define _hypercall3(name, a1, a2, a3)                                                           \
    ({                                                                                          \
        long __r, __b, __c, __d;                                                                \
        __asm__ volatile("call hypercall_page + %c[off]"                                        \
                         : "=a"(__r), "=b"(__b), "=c"(__c), "=d"(__d)                           \
                         : [off] "i"(__HYPERVISOR_##name * 32), "1"((long)(a1)), "2"((long)(a2)), \
                         "3"((long)(a3))                                                        \
                         : "memory");                                                           \
        __r;                                                                                    \
    })
#define _hypercall4(name, a1, a2, a3, a4)                                                       \
    ({                                                                                          \
        long __r, __b, __c, __d, __s;                                                           \
        __asm__ volatile("call hypercall_page + %c[off]"                                        \
                         : "=a"(__r), "=b"(__b), "=c"(__c), "=d"(__d), "=S"(__s)                \
                         : [off] "i"(__HYPERVISOR_##name * 32), "1"((long)(a1)), "2"((long)(a2)), \
                         "3"((long)(a3)), "4"((long)(a4))                                       \
                         : "memory");                                                           \
        __r;                                                                                    \
    })

#endif
