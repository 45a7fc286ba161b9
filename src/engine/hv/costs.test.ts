import { describe, expect, it } from 'vitest'
import { CostTableError, validateCostTable, cost, type CostTable } from './costs'
import { KVM_COSTS } from './kvm/costs'
import { MODELS } from './models'
import { SOURCES } from './sources'

/** Every model's cost table and its alternative profiles (the registry is what the session uses). */
const TABLES: Record<string, CostTable> = Object.fromEntries(
  Object.entries(MODELS).flatMap(([arch, f]): [string, CostTable][] => [
    [arch, f.costs],
    ...Object.entries(f.profiles ?? {}).map(([name, t]): [string, CostTable] => [
      `${arch} --cost-profile ${name}`,
      t,
    ]),
  ]),
)

describe('cost tables', () => {
  it.each(Object.entries(TABLES))(
    '%s: every entry names a source from the references and says how it was derived',
    (name, table) => {
      expect(() => validateCostTable(name, table)).not.toThrow()
      for (const e of Object.values(table)) expect(SOURCES[e.source].ref).toMatch(/\.md §/)
    },
  )

  it('rejects an entry without a known source or derivation', () => {
    expect(() => validateCostTable('t', { x: cost(1, 'made-up' as never, 'because I said so') })).toThrow(
      CostTableError,
    )
    expect(() => validateCostTable('t', { x: cost(1, 'intel-sdm-vmx', '') })).toThrow(/derived/)
    expect(() => validateCostTable('t', { x: cost(-1, 'intel-sdm-vmx', 'negative cycles') })).toThrow(
      /non-negative/,
    )
  })

  it("makes KVM's paths add up to the measurements they come from (Bonzini 2012, kvm-unit-tests vmexit.flat)", () => {
    const c = (k: keyof typeof KVM_COSTS) => KVM_COSTS[k].cycles
    // vmcall: exit + trivial handler + entry
    expect(c('exit') + c('entry')).toBe(3898)
    // inl_from_kernel: an in-kernel device
    expect(c('exit') + c('emulate-kernel-device') + c('entry')).toBe(7237)
    // inl_from_qemu: a device QEMU emulates
    expect(c('exit') + 2 * c('user-space-exit') + c('emulate-user-device') + c('entry')).toBe(20574)
    // outl_to_kernel: an in-kernel write handler
    expect(c('exit') + c('ioeventfd') + c('entry')).toBe(4451)
  })
})
