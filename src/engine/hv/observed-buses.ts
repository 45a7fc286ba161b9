import { MmioBus, PortBus, type AccessSize } from '../machine/bus'

/**
 * Buses that report every access before passing it on — how a model with no hypervisor on the path
 * (bare metal, containers) still shows a guest driver reaching a device as a flow.
 */
export class ObservedPortBus extends PortBus {
  constructor(
    private readonly inner: PortBus,
    private readonly observe: (port: number, size: AccessSize, write: boolean, value: number) => void,
  ) {
    super()
  }
  override in(port: number, size: AccessSize): number {
    const v = this.inner.in(port, size)
    this.observe(port, size, false, v)
    return v
  }
  override out(port: number, size: AccessSize, value: number): void {
    this.observe(port, size, true, value)
    this.inner.out(port, size, value)
  }
}

export class ObservedMmioBus extends MmioBus {
  constructor(
    private readonly inner: MmioBus,
    private readonly observe: (addr: number, size: AccessSize, write: boolean, value: number) => void,
  ) {
    super()
  }
  override claims(addr: number): boolean {
    return this.inner.claims(addr)
  }
  override read(addr: number, size: AccessSize): number {
    const v = this.inner.read(addr, size)
    this.observe(addr, size, false, v)
    return v
  }
  override write(addr: number, size: AccessSize, value: number): void {
    this.observe(addr, size, true, value)
    this.inner.write(addr, size, value)
  }
}
