/**
 * EPT (SDM Vol. 3C §29.3) from a guest's point of view: ept-exits.asm touches pages the monitor has
 * unmapped, write-protected, made non-executable or execute-only, runs with its page directory on a
 * page EPT does not map, reads the MMIO window KVM-style marked misconfigured, and walks a 4 KiB guest
 * page over 4 KiB EPT pages. Each exit is checked against Table 28-7 (the EPT-violation
 * qualification) with the guest-physical and guest-linear addresses; the monitor fixes the mapping
 * and the guest re-executes the instruction. The 2D walk's memory references are counted from the
 * CPU's own PageWalk events: 2 × (4 + 1) + 4 = 14 for 32-bit guest paging over 4-level EPT.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { EventKind, WalkStep } from '../../src/engine/trace/schema'
import type { GuestPhys, GuestVirt, HostPhys } from '../../src/engine/types'
import { EPT_EXEC, EPT_READ, EPT_RWX, EPT_WRITE, EptMemType } from '../../src/engine/vmx/ept'
import { twoDimensionalWalk } from '../../src/engine/vmx/two-dimensional-walk'
import { VmxGuest, cleanUp, haveNasm } from './harness'

afterAll(cleanUp)

// EPT-violation qualification bits (SDM Vol. 3C Table 28-7).
const READ = 1 << 0
const WRITE = 1 << 1
const FETCH = 1 << 2
const READABLE = 1 << 3
const WRITABLE = 1 << 4
const EXECUTABLE = 1 << 5
const LINEAR = 1 << 7
const TRANSLATION = 1 << 8

const page = (a: number): GuestPhys => a as GuestPhys

describe.skipIf(!haveNasm)(
  'EPT violations, misconfigurations and the 2D walk (needs nasm, Debian package nasm)',
  () => {
    it('reports each EPT exit with its qualification and addresses; the guest re-executes after the fix', () => {
      const g = new VmxGuest('ept-exits', { trace: true })
      const { m } = g
      const { ept, vmx, cpu } = m
      const [UNMAPPED, READONLY, NOEXEC, XONLY, PD1, PAGE_W, PD2, PT2, DATA] = [
        0x900000, 0x901000, 0x902000, 0x903000, 0x904000, 0x905000, 0x906000, 0x907000, 0x908000,
      ]
      const seen: string[] = []
      const r = g.run((e) => {
        if (e.reason === 18) {
          const step = cpu.r[0]
          seen.push(`ask ${step}`)
          if (step === 0) {
            ept.unmap(page(UNMAPPED), 0x1000)
            ept.protect(page(READONLY), 0x1000, EPT_READ | EPT_EXEC)
            ept.protect(page(NOEXEC), 0x1000, EPT_READ | EPT_WRITE)
            ept.protect(page(XONLY), 0x1000, EPT_EXEC)
            ept.unmap(page(PD1), 0x1000)
            vmx.flushTranslations() // the guest used these pages before: INVEPT
          } else if (step === 1) {
            ept.protect(page(PAGE_W), 0x1000, EPT_READ | EPT_EXEC)
            vmx.flushTranslations()
          } else if (step === 2) {
            for (const a of [PD2, PT2, DATA])
              ept.map(page(a), a as HostPhys, 0x1000, EPT_RWX, EptMemType.WB, 0x1000)
            vmx.flushTranslations()
            cpu.traceWalks = true
          } else if (step === 3) cpu.traceWalks = false
          vmx.skipInstruction()
          return true
        }
        if (e.reason === 49) {
          seen.push('misconfig')
          expect([e.rip, e.guestPhysical, e.qualification]).toEqual([g.at('mmio'), 0xfeb00000, 0])
          return false // the monitor emulates the MMIO read
        }
        if (e.reason !== 48) return false
        const rip = e.rip
        const fix = (a: number): void => {
          ept.map(page(a), a as HostPhys, 0x1000)
        }
        if (rip === g.at('touch')) {
          seen.push('first touch')
          expect([e.qualification, e.guestPhysical, e.guestLinear]).toEqual([
            READ | LINEAR | TRANSLATION,
            UNMAPPED,
            UNMAPPED,
          ])
          m.host.write32(UNMAPPED, 0x5a5a5a5a) // demand paging: fill, then map
          fix(UNMAPPED)
        } else if (rip === g.at('write_ro')) {
          seen.push('write read-only')
          expect([e.qualification, e.guestPhysical]).toEqual([
            WRITE | READABLE | EXECUTABLE | LINEAR | TRANSLATION,
            READONLY,
          ])
          fix(READONLY)
        } else if (rip === NOEXEC) {
          seen.push('fetch no-exec')
          expect([e.qualification, e.guestPhysical, e.guestLinear]).toEqual([
            FETCH | READABLE | WRITABLE | LINEAR | TRANSLATION,
            NOEXEC,
            NOEXEC,
          ])
          fix(NOEXEC)
        } else if (rip === g.at('xread')) {
          seen.push('read execute-only')
          expect([e.qualification, e.guestPhysical]).toEqual([
            READ | EXECUTABLE | LINEAR | TRANSLATION,
            XONLY,
          ])
          fix(XONLY)
        } else if (rip === g.at('after_pg')) {
          seen.push('page-table access')
          // The guest's PDE read, for the fetch at RIP: linear address valid, not the translation itself.
          expect([e.qualification, e.guestPhysical, e.guestLinear]).toEqual([
            READ | LINEAR,
            PD1,
            g.at('after_pg'),
          ])
          fix(PD1)
        } else if (rip === g.at('stale')) {
          seen.push('write after INVEPT')
          expect([e.qualification, e.guestPhysical]).toEqual([
            WRITE | READABLE | EXECUTABLE | LINEAR | TRANSLATION,
            PAGE_W,
          ])
          fix(PAGE_W)
        } else return false
        return true // resume at the same instruction
      })
      expect({ stop: r.stop, console: r.console }).toEqual({ stop: 'debug-exit', console: 'ok\n' })
      expect(seen).toEqual([
        'ask 0',
        'first touch',
        'write read-only',
        'fetch no-exec',
        'read execute-only',
        'page-table access',
        'misconfig',
        'ask 1',
        'write after INVEPT',
        'ask 2',
        'ask 3',
      ])

      // The 2D walk of the read at 0x400abc, as the CPU made it: EPT for the PDE's address, the PDE,
      // EPT for the PTE's address, the PTE, EPT for the data's address.
      const walk = g.events.filter((ev) => ev.kind === EventKind.PageWalk && ev.arg2 === 0x400abc)
      const E = WalkStep.Ept
      const G = WalkStep.Guest
      expect(walk.map((ev) => ev.reason)).toEqual([
        E | 4,
        E | 3,
        E | 2,
        E | 1,
        G | 2,
        E | 4,
        E | 3,
        E | 2,
        E | 1,
        G | 1,
        E | 4,
        E | 3,
        E | 2,
        E | 1,
      ])
      expect(walk).toHaveLength(2 * (4 + 1) + 4)
      // The guest entries were read where EPT put them: the PDE in PD2, the PTE in PT2 (identity EPT).
      expect([walk[4].arg0, walk[9].arg0]).toEqual([PD2 + 4, PT2])
      // The standalone 2D walk (two-dimensional-walk.ts) makes the same references at the same addresses.
      const regs = { cr0: 0x80000011, cr3: PD2, cr4: 1 << 4 }
      const standalone = twoDimensionalWalk(m.host, m.vmcs.eptp, regs, 0x400abc as GuestVirt, 'read')
      expect(standalone.outcome).toBe('ok')
      expect(walk.map((ev) => [ev.reason, ev.arg0])).toEqual(
        standalone.references.map((x) => [x.step, x.hostPhys]),
      )
    })
  },
)
