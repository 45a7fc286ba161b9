/**
 * Adams & Agesen's comparison of software and hardware virtualization (ASPLOS 2006;
 * x86-virtualization-facts.md §3.1), reproduced in shape with ringos's lab programs: the same
 * microbenchmarks on bare metal, under VMware's binary translation, and under first-generation VT-x
 * (KVM with the paper's hardware costs and shadow page tables, as that hardware had no EPT). The
 * cycle counts come from the models' cost tables and the guest's own instructions; what must match
 * the paper is which technique wins each microbenchmark.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Session } from '../../src/engine/session/session'
import { utf8Decode, utf8Encode } from '../../src/engine/util/utf8'

const GUESTS = join(import.meta.dirname, '..', '..', 'public', 'guests')

export type Technique = 'native' | 'software' | 'hardware'
export type Micro = 'syscall' | 'in' | 'ptemod' | 'forkwait'

/** How each technique runs: the paper's native machine, its software VMM, its first-generation hardware VMM. */
export const TECHNIQUES: Record<Technique, Record<string, unknown>> = {
  native: { arch: 'bare' },
  software: { arch: 'vmware-bt' },
  hardware: { arch: 'kvm', paging: 'shadow', costProfile: 'vtx-2006' },
}

/** The paper's winner of each pairwise software-versus-hardware contest (§3.1), and what it isolates. */
export const PAPER: Record<Micro, { readonly winner: 'software' | 'hardware'; readonly why: string }> = {
  syscall: {
    winner: 'hardware',
    why: "VT-x runs the guest's system calls natively; BT must interpose (≈ native + 2,000 cycles)",
  },
  in: {
    winner: 'software',
    why: 'BT turns `in` into a call to the virtual chipset (~15× faster than native); VT-x pays an exit (15,826)',
  },
  ptemod: {
    winner: 'software',
    why: 'adaptive BT makes the traced PTE write a short call-out (391); first-generation VT-x exits (12,733)',
  },
  forkwait: {
    winner: 'software',
    why: 'process creation is MMU work: 36.9 s under BT, 106.4 s under first-generation VT-x (native 6.0 s)',
  },
}

/** The lab command measuring each microbenchmark, and the result field giving cycles per operation. */
const LAB: Record<
  Micro,
  { readonly command: (n: number) => string; readonly field: string; readonly prefix: string }
> = {
  syscall: { command: (n) => `bench syscall ${n}`, field: 'cycles_per_call', prefix: 'bench syscall:' },
  in: { command: (n) => `bench pio ${n}`, field: 'cycles_per_read', prefix: 'bench pio:' },
  ptemod: { command: (n) => `ptemod ${n}`, field: 'cycles_per_update', prefix: 'ptemod:' },
  forkwait: {
    command: (n) => `forkwait ${Math.max(2, n >> 5)}`,
    field: 'cycles_per_child',
    prefix: 'forkwait:',
  },
}

function file(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(GUESTS, name)))
}

function typeLine(s: Session, line: string): string {
  s.input(1, utf8Encode(`${line}\n`))
  s.run({ maxInstructions: 2_000_000_000, untilIdleMs: 100 })
  return s
    .takeConsoleOutput()
    .map((o) => utf8Decode(o.bytes))
    .join('')
}

function field(out: string, prefix: string, name: string): number {
  const line = out.split(/\r?\n/).find((l) => l.startsWith(prefix))
  const m = line ? new RegExp(`\\b${name}=([\\d.]+)`).exec(line) : null
  if (!m) throw new Error(`no ${name} in: ${out}`)
  return Number(m[1])
}

/** Cycles per operation of each microbenchmark under each technique; `n` operations per measurement. */
export function measure(n: number): Record<Micro, Record<Technique, number>> {
  const table = {} as Record<Micro, Record<Technique, number>>
  for (const micro of Object.keys(LAB) as Micro[]) table[micro] = {} as Record<Technique, number>
  for (const [technique, config] of Object.entries(TECHNIQUES) as [Technique, Record<string, unknown>][]) {
    const s = new Session({
      ...config,
      vms: [{ image: file('ringos-native.elf'), disk: file('ringos-disk.img'), platform: 'native' }],
    })
    s.run({ maxInstructions: 100_000_000, untilIdleMs: 100 })
    s.takeConsoleOutput()
    // Warm the guest's file cache, as the paper's fork/exec loop ran from the page cache.
    typeLine(s, LAB.forkwait.command(n))
    for (const [micro, lab] of Object.entries(LAB) as [Micro, (typeof LAB)[Micro]][]) {
      table[micro][technique] = field(typeLine(s, lab.command(n)), lab.prefix, lab.field)
    }
  }
  return table
}

/** Which of software and hardware virtualization wins each microbenchmark (fewer cycles). */
export function winners(
  table: Record<Micro, Record<Technique, number>>,
): Record<Micro, 'software' | 'hardware'> {
  const w = {} as Record<Micro, 'software' | 'hardware'>
  for (const micro of Object.keys(table) as Micro[])
    w[micro] = table[micro].software < table[micro].hardware ? 'software' : 'hardware'
  return w
}
