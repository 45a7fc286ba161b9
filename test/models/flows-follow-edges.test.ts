/**
 * Every hop a model reports is drawn by the diagram along an edge of the architecture's topology; a
 * hop between two components with no edge would make a token jump across the picture. This runs the
 * same day's work — boot, a line on the console, a file read, `ps`, two programs that fault (`fault
 * gp`, `fault pf`: the guest's exceptions), a management command, with a second VM running — on every
 * architecture (and on each paravirtual platform it offers) and checks every hop against the
 * instantiated topology's edges.
 */
import { describe, expect, it } from 'vitest'
import { EventBatcher } from '../../src/engine/trace/batcher'
import { RecordView, decodeEvent } from '../../src/engine/trace/codec'
import { EventKind } from '../../src/engine/trace/schema'
import { ARCH_PLATFORMS } from '../../src/engine/hv/platforms'
import { MODELS } from '../../src/engine/hv/models'
import type { ArchId } from '../../src/engine/hv/architectures'
import type { Platform } from '../../src/engine/session/config'
import { Session } from '../../src/engine/session/session'
import { utf8Decode, utf8Encode } from '../../src/engine/util/utf8'
import { guestFile } from './guest-fixture'

/** Image and disk per platform; containers need the kernel built with namespaces. */
function imageFor(arch: ArchId, platform: Platform): { image: string; disk: string } {
  if (arch === 'container') return { image: 'ringos-container.elf', disk: 'ringos-container-disk.img' }
  return { image: `ringos-${platform}.elf`, disk: 'ringos-disk.img' }
}

/** A management command that lists the VMs, per architecture with a shell. */
const LIST: Partial<Record<ArchId, string>> = {
  kvm: 'virsh list',
  'xen-hvm': 'xl list',
  'xen-pv': 'xl list',
  esxi: 'vim-cmd vmsvc/getallvms',
  'vmware-bt': 'vim-cmd vmsvc/getallvms',
  hyperv: 'Get-VM',
  workstation: 'vmrun list',
  container: 'runc list',
}

const CASES = (Object.keys(MODELS) as ArchId[]).flatMap((arch) =>
  ARCH_PLATFORMS[arch].map((platform) => ({ arch, platform })),
)

describe.each(CASES)('$arch on the $platform platform', ({ arch, platform }) => {
  it('moves every hop along an edge of the topology', () => {
    const { image, disk } = imageFor(arch, platform)
    const vms = MODELS[arch]!.maxVms >= 2 ? 2 : 1
    const s = new Session({
      arch,
      vms: Array.from({ length: vms }, () => ({ image: guestFile(image), disk: guestFile(disk), platform })),
    })
    const batcher = new EventBatcher(1 << 18)
    s.attachEvents(batcher)
    s.run({ maxInstructions: 60_000_000, untilIdleMs: 100 })
    s.input(1, utf8Encode('echo hi\ncat motd\nps\nfault gp\nfault pf\n'))
    s.run({ maxInstructions: 200_000_000, untilIdleMs: 100 })
    const out = s
      .takeConsoleOutput()
      .filter((o) => o.vm === 1)
      .map((o) => utf8Decode(o.bytes))
      .join('')
    expect(out).toMatch(
      /hi\r\n[\s\S]*ringos[\s\S]*PID[\s\S]*killed by exception 13[\s\S]*killed by exception 14[\s\S]*\$ $/,
    )
    const list = LIST[arch]
    if (list !== undefined) expect(s.manage(list).exitCode).toBe(0)
    s.run({ maxInstructions: 20_000_000, untilIdleMs: 50 })

    const b = batcher.take()
    expect(b.dropped).toBe(0)
    const view = new RecordView(b.buffer, 0, b.count)
    const hops = Array.from({ length: b.count }, (_, i) => decodeEvent(view, i)).filter(
      (e) => e.kind === EventKind.Hop,
    )
    expect(hops.length).toBeGreaterThan(0)
    const edges = new Set(s.topology.edges.map((e) => `${e.from}>${e.to}`))
    const name = (i: number) => s.topology.components[i]!.id
    const off = new Set(
      hops.filter((e) => !edges.has(`${e.from}>${e.to}`)).map((e) => `${name(e.from)}>${name(e.to)}`),
    )
    expect([...off]).toEqual([])
  })
})
