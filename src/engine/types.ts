/**
 * Branded unit types. A guest-physical address and a host-physical address are both numbers, and
 * confusing them is exactly the bug a two-dimensional (guest paging + EPT) walk invites; brands make
 * the compiler catch it. Brands cost nothing at run time.
 */
declare const brand: unique symbol
export type Brand<T, B extends string> = T & { readonly [brand]: B }

/** Guest-physical address (what the guest's page tables produce; the input of EPT). */
export type GuestPhys = Brand<number, 'GuestPhys'>
/** Guest-linear (virtual) address (what guest instructions use, after segmentation). */
export type GuestVirt = Brand<number, 'GuestVirt'>
/** Host-physical address: an offset into the machine's one physical memory array. */
export type HostPhys = Brand<number, 'HostPhys'>
/** Virtual time: CPU cycles since power-on. Wall-clock time never enters the engine. */
export type Cycles = Brand<number, 'Cycles'>
/** A count of retired guest instructions. */
export type InsnCount = Brand<number, 'InsnCount'>

/** Ends an exhaustive switch: the compiler proves `x` is `never`; at run time it is an engine bug. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${String(x)}`)
}
