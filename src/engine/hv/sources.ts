/**
 * Where every figure and fact a student sees comes from. Cost-table entries and component
 * descriptions name one of these ids; a test fails when an id is unknown. The `ref` points into the
 * team's sourced notes (`shared/reference/`), which carry the primary citation; `tag` repeats their
 * confidence tag: V verified in a source, R recalled/inferred (a modelling choice), M measured.
 */
export interface Source {
  readonly title: string
  /** File and section in shared/reference/. */
  readonly ref: string
  readonly tag: 'V' | 'R' | 'M'
}

export const SOURCES = {
  'intel-sdm-vmx': {
    title: 'Intel SDM Vol. 3C, VMX chapters and Appendix C (basic exit reasons)',
    ref: 'hypervisor-flows.md §1',
    tag: 'V',
  },
  'adams-agesen-2006': {
    title:
      'Adams & Agesen, "A Comparison of Software and Hardware Techniques for x86 Virtualization", ASPLOS 2006 (Pentium 4 672, first-generation VT-x)',
    ref: 'x86-virtualization-facts.md §3.1; hypervisor-flows.md §6.3, §10',
    tag: 'R',
  },
  'kvm-unit-tests-2012': {
    title:
      'P. Bonzini, kvm-unit-tests commit 00bfecaa "vmexit: time the number of cycles for simple PIO" (2012): vmcall 3,898; inl_from_kernel 7,237; inl_from_qemu 20,574; outl_to_kernel 4,451',
    ref: 'x86-virtualization-facts.md §3.3',
    tag: 'V',
  },
  'kvm-vmcall-skx-2020': {
    title: 'Wanpeng Li, KVM list (2020-03), Skylake-SP: vmcall 1,529 cycles',
    ref: 'x86-virtualization-facts.md §3.3',
    tag: 'V',
  },
  'kvm-cpuid-2024': {
    title:
      'S. Christopherson / B. Kauer, KVM list (2024-12): CPUID exit ≈ 1,018–1,101 cycles on recent Intel',
    ref: 'x86-virtualization-facts.md §3.3',
    tag: 'V',
  },
  'kvm-ipi-2020': {
    title:
      'Wanpeng Li, "Ultra fast single target IPI fastpath" (2020-04), SKX: IPI round trip 3,293–4,238 cycles; tscdeadline 5,285–5,766',
    ref: 'x86-virtualization-facts.md §3.3',
    tag: 'V',
  },
  'kvm-mmu-cr0-2022': {
    title:
      'P. Bonzini, KVM MMU patch (2022): CR0-toggle exit with TDP 46,754 → 4,879 cycles; legacy 5,096 → 4,875; shadow 5,150 → 5,006',
    ref: 'x86-virtualization-facts.md §3.3',
    tag: 'V',
  },
  'splitx-2011': {
    title:
      'Landau, Ben-Yehuda, Gordon, "SplitX", HotCloud 2011: direct cost of one exit ~2,000 cycles (Nehalem, KVM, EPT+VPID)',
    ref: 'hypervisor-flows.md §10',
    tag: 'V',
  },
  'svm-kvm-run-2020': {
    title:
      'LKML 2020-12 SVM vmload thread: KVM_RUN ioctl round trip ~2,530 cycles, ~1,350 inside VMRUN→#VMEXIT',
    ref: 'hypervisor-flows.md §10',
    tag: 'V',
  },
  'local-kvm-measurement': {
    title:
      'Measurement in a KVM guest (Xeon 2.5 GHz): CPUID exit ~2,200–2,600 TSC cycles; native getppid syscall ~250–380 cycles',
    ref: 'hypervisor-flows.md §10',
    tag: 'M',
  },
  'sugerman-2001': {
    title:
      'Sugerman, Venkitachalam, Lim, "Virtualizing I/O Devices on VMware Workstation\'s Hosted Virtual Machine Monitor", USENIX ATC 2001 (733 MHz Pentium III): IN/OUT to virtual PIC in VMM 0.78 µs; transmit via host (world switch + write) 22.7 µs',
    ref: 'hypervisor-flows.md §7.1, §10',
    tag: 'V',
  },
  'barham-2003': {
    title:
      'Barham et al., "Xen and the Art of Virtualization", SOSP 2003: lmbench null call L 0.45 µs / Xen 0.46 µs; page fault 1.42 / 2.73 µs; fork 110 / 198 µs (2.4 GHz Xeon)',
    ref: 'x86-virtualization-facts.md §3.2',
    tag: 'R',
  },
  'xen-pv-abi': {
    title:
      'Xen public headers and guest guide: hypercall numbers (xen.h), hypercall page ABI, PV traps, event channels, grant tables',
    ref: 'hypervisor-flows.md §4.1–4.2',
    tag: 'V',
  },
  'xen-hvm-ioreq': {
    title:
      'Xen HVM port I/O: vmx_vmexit_handler → hvm emulation → ioreq server (QEMU in Dom0) via event channel (xen/common/ioreq.c, QEMU xen-hvm-common.c)',
    ref: 'hypervisor-flows.md §4.3',
    tag: 'V',
  },
  'kvm-api': {
    title:
      'Linux Documentation/virt/kvm/api.rst and arch/x86/kvm/vmx/vmx.c: KVM_RUN, KVM_EXIT_IO/MMIO, ioeventfd, irqfd, exit handlers',
    ref: 'hypervisor-flows.md §3',
    tag: 'V',
  },
  'hyperv-tlfs': {
    title:
      'Hyper-V TLFS and architecture docs: hypercall page, SynIC, intercept messages to the root partition, VMBus, VMMS/VMWP',
    ref: 'hypervisor-flows.md §5',
    tag: 'V',
  },
  'esxi-architecture': {
    title:
      'VMware ESXi architecture (VMkernel, VMM per VM, VMX user world, hostd/vpxa), vSphere docs and Packt excerpts',
    ref: 'hypervisor-flows.md §6.1–6.2',
    tag: 'V',
  },
  'vmware-bt': {
    title:
      'Bugnion et al., ACM TOCS 2012, and Adams & Agesen 2006: classic VMware binary translation, translation cache, adaptive BT',
    ref: 'hypervisor-flows.md §6.3',
    tag: 'R',
  },
  'popek-goldberg-1974': {
    title:
      'Popek & Goldberg, CACM 17(7), 1974; Robin & Irvine, USENIX Security 2000 (the 17 sensitive-but-unprivileged x86 instructions)',
    ref: 'x86-virtualization-facts.md §2',
    tag: 'V',
  },
  'containers-namespaces': {
    title: 'namespaces(7), runc(8): one shared kernel, isolation by namespaces and cgroups',
    ref: 'hypervisor-flows.md §8',
    tag: 'V',
  },
  'virtio-spec': {
    title:
      'Russell, "virtio: Towards a De-Facto Standard for Virtual I/O Devices" (2008); virtio 1.1 spec: one notification per batch',
    ref: 'x86-virtualization-facts.md §3.4',
    tag: 'V',
  },
  'ringside-model': {
    title:
      "Ringside modelling choice where the references give no figure; the entry's derivation says how it was chosen",
    ref: 'hypervisor-flows.md §10 (rules of thumb)',
    tag: 'R',
  },
} as const satisfies Record<string, Source>

export type SourceId = keyof typeof SOURCES

export function isSourceId(s: string): s is SourceId {
  return Object.prototype.hasOwnProperty.call(SOURCES, s)
}
