import type { Messages } from '../messages'

export const en: Messages = {
  app: {
    name: 'Ringside',
    tagline: 'Hypervisor architecture visualizer',
    title: 'Ringside — hypervisor architecture visualizer',
    skipToMain: 'Skip to main content',
  },
  toolbar: {
    label: 'Application settings',
    language: 'Language',
    theme: 'Theme',
  },
  theme: {
    light: 'Light',
    dark: 'Dark',
    projector: 'Projector (high contrast)',
  },
  actions: {
    aboutOpen: 'About Ringside',
    languageToggle: 'Switch interface language',
    languageZh: 'Interface language: Chinese',
    languageEn: 'Interface language: English',
    themeCycle: 'Switch to the next theme',
    themeLight: 'Light theme',
    themeDark: 'Dark theme',
    themeProjector: 'Projector theme (high contrast)',
    layoutReset: 'Reset panel sizes',
    focusDiagram: 'Go to the diagram',
    focusConsoles: 'Go to the consoles',
    focusInspector: 'Go to the inspector',
    focusTimeline: 'Go to the timeline',
    engineRestart: 'Restart the engine',
    enginePing: 'Ping the engine',
  },
  panels: {
    diagram: {
      title: 'Diagram',
      empty:
        'The layered diagram of the chosen architecture will appear here: one row per privilege level (ring 3, ring 0, VMX root "ring −1", and the VMX non-root band where guests run), one column per domain (host, VM, Dom0, …), and the hardware at the bottom. Every VM exit, hypercall and interrupt moves as a token from component to component, labelled with its reason and cost.',
    },
    consoles: {
      title: 'Consoles',
      empty:
        "Each virtual machine's console will appear here, with the architecture's management shell (xl, virsh, vim-cmd, PowerShell), whose commands are animated on the diagram too.",
    },
    inspector: {
      title: 'Inspector',
      empty:
        'Registers, the current privilege level and VMX mode, the instruction being executed, the VMCS fields and exit reason of the last VM exit, and the page tables (guest paging and the two-dimensional EPT walk) will appear here.',
    },
    timeline: {
      title: 'Timeline',
      empty:
        'A timeline of events per physical CPU and vCPU will appear here, coloured by privilege level, with zoom and pan; click an event to see it in the inspector.',
    },
  },
  layout: {
    resizeInspector: 'Resize the inspector',
    resizeBottom: 'Resize the consoles and timeline',
    resizeConsoles: 'Resize the consoles',
  },
  engine: {
    status: {
      idle: 'Engine not started',
      connecting: 'Engine starting…',
      ready: 'Engine ready',
      failed: 'Engine stopped',
      disposed: 'Engine closed',
    },
    version: 'Engine {{version}}',
    isolated: 'cross-origin isolated',
    notIsolated: 'not cross-origin isolated',
    transport: {
      ring: 'SharedArrayBuffer ring',
      transfer: 'transferred buffers',
      direct: 'in-process',
    },
    error: {
      crashed: 'The engine stopped: {{message}}',
      command: 'The engine failed while running “{{command}}”: {{message}}',
      other: 'Engine error: {{message}}',
      keepsSettings: 'Restarting the engine keeps your settings.',
      dismiss: 'Dismiss',
      details: 'Technical details',
    },
  },
  events: {
    label: 'Event stream',
    received: 'Events {{count}}',
    rate: '{{rate}}/s',
    dropped: 'dropped {{count}}',
  },
  about: {
    title: 'About Ringside',
    close: 'Close',
    what: 'Ringside runs real x86 guest code in your browser and shows, live, where control goes on every trap, VM exit, hypercall and interrupt: which privilege level the CPU is in, which component and which hypervisor handles it, and how many cycles it costs.',
    architectures:
      'You can compare architectures on the same workload: bare metal, KVM + QEMU, Xen (HVM and paravirtualized), ESXi, Hyper-V, VMware binary translation, classic trap-and-emulate, hosted hypervisors and containers.',
    audience:
      'It is made for students of operating-systems and virtualization courses, and for teachers who project it in class.',
    local:
      'Everything runs locally in your browser; nothing is uploaded. Time is virtual (CPU cycles): the same inputs always give the same results.',
    shortcuts: 'Keyboard shortcuts',
    shortcutAction: 'Action',
    shortcutKeys: 'Keys',
    diagnostics: 'Engine diagnostics',
    engineVersion: 'Engine version',
    protocol: 'Protocol version',
    isolation: 'Cross-origin isolated',
    transport: 'Event transport',
    yes: 'yes',
    no: 'no',
    pingResult: 'Round trip {{ms}} ms',
    synthCount: 'Synthetic events',
    synthPace: 'Pace',
    paceLossless: 'Lossless (wait for the main thread)',
    paceFlatOut: 'Flat out (drop when behind)',
    synthRun: 'Generate events',
    synthRunning: 'Generating…',
    synthResult: 'Received {{received}} events, dropped {{dropped}}, in {{ms}} ms: {{rate}} events/s.',
    faultTitle: 'Fault drill',
    faultThrow: 'Make a command throw',
    faultCrash: 'Crash the engine thread',
  },
}
