/**
 * Events in VMX non-root operation: event-exits.asm asks for each step with VMCALL (EAX = step), and
 * the handler below plays the hypervisor — reflecting exceptions the exception bitmap selects (as KVM
 * does for a guest's own faults), holding an acknowledged interrupt until the guest can take it,
 * injecting each event type — while asserting what the CPU recorded for every exit against the SDM
 * (Vol. 3C §28.2.2 interruption information, §28.2.4 IDT-vectoring information, Table 28-7).
 */
import { afterAll, describe, expect, it } from 'vitest'
import {
  EXIT_ACK_INTR_ON_EXIT,
  EXIT_SAVE_PREEMPTION_TIMER,
  PIN_PREEMPTION_TIMER,
  PROC_HLT_EXITING,
  PROC_INTR_WINDOW_EXITING,
} from '../../src/engine/vmx/controls'
import { IntrType } from '../../src/engine/vmx/interruption-info'
import { VmcsField as F } from '../../src/engine/vmx/vmcs-fields'
import type { GuestPhys, HostPhys } from '../../src/engine/types'
import { VmxGuest, cleanUp, haveNasm } from './harness'

afterAll(cleanUp)

const UNMAPPED = 0xd00000
/** An interruption-information value written out: valid (bit 31), type (10:8), deliver error code (11), vector (7:0). */
const info = (type: number, vector: number, errorCode = false): number =>
  (0x80000000 | (type << 8) | (errorCode ? 1 << 11 : 0) | vector) >>> 0

describe.skipIf(!haveNasm)('event exits and injection (needs nasm, Debian package nasm)', () => {
  it('exceptions, external interrupts, the interrupt window, HLT, injection of each type, IDT vectoring, the preemption timer', () => {
    const g = new VmxGuest('event-exits')
    const { m } = g
    const v = m.vmcs
    const cpu = m.cpu
    const vmx = m.vmx
    v.write(F.EXCEPTION_BITMAP, (1 << 3) | (1 << 6) | (1 << 13) | (1 << 14))
    v.write(F.PAGE_FAULT_ERROR_CODE_MASK, 2) // only write faults (error code bit 1) exit
    v.write(F.PAGE_FAULT_ERROR_CODE_MATCH, 2)
    m.ept.unmap(UNMAPPED as GuestPhys, 0x1000)
    const set = (field: number, bits: number, on: boolean): void =>
      v.write(field, on ? (v.read(field) | bits) >>> 0 : (v.read(field) & ~bits) >>> 0)

    let started = false
    let pending = -1
    let windows = 0
    let armedAt = 0
    const notes: string[] = []
    const r = g.run((e) => {
      const reason = e.reason
      if (reason === 18) {
        const step = cpu.r[0]
        if (step === 0) started = true
        notes.push(`ask ${step}`)
        switch (step) {
          case 1:
            set(F.VM_EXIT_CONTROLS, EXIT_ACK_INTR_ON_EXIT, true)
            m.pc.pic.line(5).pulse()
            break
          case 2:
            set(F.CPU_BASED_VM_EXEC_CONTROL, PROC_INTR_WINDOW_EXITING, true)
            break
          case 3:
            m.pc.pic.line(5).pulse()
            break
          case 4:
            set(F.CPU_BASED_VM_EXEC_CONTROL, PROC_HLT_EXITING, false)
            set(F.VM_EXIT_CONTROLS, EXIT_ACK_INTR_ON_EXIT, false)
            break
          case 5:
            vmx.inject(2, IntrType.Nmi)
            break
          case 6:
            vmx.inject(13, IntrType.HardwareException, 0x18)
            break
          case 7:
            vmx.inject(0x30, IntrType.SoftwareInterrupt, -1, e.length) // as INT 0x30 in the VMCALL's place
            return true
          case 8:
            vmx.inject(3, IntrType.SoftwareException, -1, e.length)
            return true
          case 9:
            vmx.inject(1, IntrType.PrivilegedSoftwareException, -1, e.length)
            return true
          case 10:
            set(F.PIN_BASED_VM_EXEC_CONTROL, PIN_PREEMPTION_TIMER, true)
            set(F.VM_EXIT_CONTROLS, EXIT_SAVE_PREEMPTION_TIMER, true)
            v.write(F.VMX_PREEMPTION_TIMER_VALUE, 50)
            armedAt = m.clock.cycles
            break
        }
        vmx.skipInstruction()
        return true
      }
      if (!started) return false
      switch (reason) {
        case 0: {
          // Reflect the exception into the guest (KVM: kvm_queue_exception from handle_exception_nmi).
          const vector = e.intrInfo & 0xff
          const type = ((e.intrInfo >>> 8) & 7) as IntrType
          notes.push(`exception ${vector}`)
          if (vector === 14) {
            expect(e.rip).toBe(g.at('pfwrite'))
            expect(e.qualification).toBe(0x400010)
            expect(e.intrInfo).toBe(info(3, 14, true))
            expect(e.intrError).toBe(2)
            expect(cpu.cr2).toBe(0x400000) // the exit did not write CR2 (the read fault before did)
            cpu.cr2 = e.qualification
          }
          if (vector === 6) expect([e.rip, e.intrInfo, e.length]).toEqual([g.at('ud'), info(3, 6), 0])
          if (vector === 13)
            expect([e.rip, e.intrInfo, e.intrError]).toEqual([g.at('gp'), info(3, 13, true), 0x78])
          if (vector === 3) expect([e.rip, e.intrInfo, e.length]).toEqual([g.at('int3'), info(6, 3), 1])
          vmx.inject(vector, type, e.intrInfo & (1 << 11) ? e.intrError : -1, e.length)
          return true
        }
        case 1:
          notes.push('external')
          if (pending === -2) {
            // HLT without HLT exiting: the interrupt ends the HLT activity state; the monitor injects it.
            expect(v.read(F.GUEST_ACTIVITY_STATE)).toBe(1)
            expect(e.rip).toBe(g.at('after_hlt2'))
            expect(e.intrInfo).toBe(0)
            return false
          }
          expect(e.intrInfo).toBe(info(0, 0x25)) // acknowledged on exit: vector 0x25, external interrupt
          expect(vmx.guestRflags & 0x200).toBe(0) // IF = 0: the exit happened anyway
          expect(e.rip).toBe(windows === 0 ? g.at('ext') : g.at('hlt') - 1) // right after the VMCALL that raised it
          pending = e.intrInfo & 0xff
          if (windows === 0) set(F.CPU_BASED_VM_EXEC_CONTROL, PROC_INTR_WINDOW_EXITING, true)
          return true
        case 7:
          notes.push('window')
          expect(e.rip).toBe(g.at(windows === 0 ? 'window' : 'window2'))
          expect(vmx.guestInterruptible).toBe(true)
          if (windows === 0) {
            vmx.inject(pending, IntrType.ExternalInterrupt)
            pending = -1
          }
          windows++
          set(F.CPU_BASED_VM_EXEC_CONTROL, PROC_INTR_WINDOW_EXITING, false)
          return true
        case 12:
          notes.push('hlt')
          expect([e.rip, e.length]).toEqual([g.at('hlt'), 1])
          expect(v.read(F.GUEST_INTERRUPTIBILITY_INFO)).toBe(1) // the HLT ran in the STI shadow
          vmx.skipInstruction()
          vmx.inject(pending, IntrType.ExternalInterrupt)
          pending = -2
          return true
        case 48:
          notes.push('ept')
          expect(e.rip).toBe(g.at('intn'))
          expect(e.qualification).toBe((1 << 1) | (1 << 7) | (1 << 8)) // write, linear valid, to the translation; nothing allowed
          expect(e.guestPhysical).toBe(UNMAPPED + 0x1000 - 12)
          expect(e.guestLinear).toBe(UNMAPPED + 0x1000 - 12)
          expect(e.idtVectoring).toBe(info(4, 0x30)) // INT 0x30, software interrupt
          expect(e.length).toBe(2)
          m.ept.map(UNMAPPED as GuestPhys, UNMAPPED as HostPhys, 0x1000)
          vmx.inject(0x30, IntrType.SoftwareInterrupt, -1, e.length)
          return true
        case 52:
          notes.push('timer')
          expect(e.rip).toBe(g.at('timer'))
          expect(m.clock.cycles - armedAt).toBe(50 * 32)
          expect(v.read(F.VMX_PREEMPTION_TIMER_VALUE)).toBe(0)
          set(F.PIN_BASED_VM_EXEC_CONTROL, PIN_PREEMPTION_TIMER, false)
          set(F.VM_EXIT_CONTROLS, EXIT_SAVE_PREEMPTION_TIMER, false) // an entry would fail with it alone (§27.2.1.2)
          return true
      }
      return false
    })
    expect({ stop: r.stop, console: r.console, entryFailure: m.entryFailure }).toEqual({
      stop: 'debug-exit',
      console: 'ok\n',
      entryFailure: null,
    })
    expect(notes).toEqual([
      'ask 0',
      'exception 6',
      'exception 13',
      'exception 3',
      'exception 14',
      'ask 1',
      'external',
      'window',
      'ask 2',
      'window',
      'ask 3',
      'external',
      'hlt',
      'ask 4',
      'external',
      'ask 5',
      'ask 6',
      'ask 7',
      'ask 8',
      'ask 9',
      'ept',
      'ask 10',
      'timer',
      'ask 11',
    ])
  })
})
