import type { LiveExtrasMessages } from './live-extras.zh-CN'

/** English texts of the live view's extras (see live-extras.zh-CN.ts). */
export const liveExtrasEn: LiveExtrasMessages = {
  timeline: {
    hypercallNamed: 'hypercall {{name}} (number {{n}})',
  },
  sensitive: {
    region: 'Sensitive instruction that did not trap',
    caption: '{{insn}} ran in ring {{cpl}} without trapping — the monitor never saw it',
    popf: 'The guest kernel asked for IF = {{value}}; in ring {{cpl}} the CPU leaves IF as it is, without a fault.',
    pushf: 'It read IF = {{value}}: the real flag, not the virtual CPU’s.',
    table: 'It read the real base {{value}}: the monitor’s shadow table, not the one the guest loaded.',
    register: 'It read the real value {{value}}, not the one the guest believes in.',
    why: 'Popek and Goldberg: trap-and-emulate works only if every sensitive instruction is privileged (traps when deprivileged). x86 fails that test.',
    others:
      '{{count}} sensitive instructions have run without trapping in this session (IRET and segment-register reads and writes come with every interrupt: counted, not marked).',
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
