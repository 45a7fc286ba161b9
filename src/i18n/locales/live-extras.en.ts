import type { LiveExtrasMessages } from './live-extras.zh-CN'

/** English texts of the live view's extras (see live-extras.zh-CN.ts). */
export const liveExtrasEn: LiveExtrasMessages = {
  timeline: {
    hypercallNamed: 'hypercall {{name}} (number {{n}})',
  },
  sensitive: {
    region: 'Sensitive instruction that did not trap',
    caption: '{{insn}} ran in ring {{cpl}} without trapping — the monitor never saw it',
    popf: 'The guest kernel tried to turn interrupts off (IF = 0); in ring {{cpl}} the CPU leaves IF at 1, without a fault, and timer interrupts keep coming.',
    table: 'It read the real base {{value}}: the monitor’s shadow table, not the one the guest loaded.',
    register: 'It read the real value {{value}}, not the one the guest believes in.',
    whyTitle: 'Why it matters',
    why: 'Popek and Goldberg: trap-and-emulate works only if every sensitive instruction is privileged (traps when deprivileged). x86 fails that test.',
    others:
      'IRET, PUSHF and segment-register reads and writes are sensitive too and do not trap either; IRET and the segment registers come with every interrupt, so the timeline lists them all and the diagram marks only POPF clearing IF and the instructions that reveal the monitor’s tables (SGDT, SIDT, SLDT, STR, SMSW).',
    dismiss: 'Close',
  },
  bt: {
    title: 'Binary-translation cache',
    note: 'Each column is a span of virtual time (logarithmic: wider to the right), split by share into translations, cache hits, call-outs into the VMM and invalidations. Cache hits are reported 256 at a time.',
    series: {
      translations: 'Blocks translated',
      hits: 'Cache hits',
      callouts: 'Call-outs into the VMM',
      invalidations: 'Invalidations',
    },
    axis: 'Virtual time (logarithmic)',
    summary: 'Before {{from}}: {{early}} translations. After {{to}}: {{late}} cache hits.',
    none: 'No binary-translation events yet.',
  },
}
