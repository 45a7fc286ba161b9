#!/usr/bin/env bash
# Development aid, not part of `npm test` (CI has no qemu-system): boots an image on QEMU and types
# commands into its console.
#
#   guest/tools/qemu-smoke.sh native|virtio [IMAGE_DIR] < commands.txt
#
# native: QEMU's `pc` machine (the PC devices ringos's native platform drives).
# virtio: QEMU's `microvm` machine, whose virtio-mmio window is at 0xFEB00000 like the Ringside PC's,
#         but with slot i on IRQ 5 + i and devices filled in from the last slot: hence
#         virtio.irqbase=5, modern (version 2) transports, no ACPI/IOAPIC routing, no local APIC
#         (so the 8259A reaches the CPU directly).
set -euo pipefail
platform=${1:?usage: qemu-smoke.sh native|virtio [IMAGE_DIR]}
dir=${2:-$(dirname "$0")/../../public/guests}
common=(-m 64 -display none -no-reboot -device isa-debug-exit,iobase=0x501,iosize=2)
# Give the guest a second to boot, then type each line with a pause, then power off.
feed() { sleep 1; while IFS= read -r line; do printf '%s\n' "$line"; sleep 0.5; done; sleep 1; printf 'poweroff\n'; }
case "$platform" in
native)
  feed | timeout 60 qemu-system-i386 -kernel "$dir/ringos-native.elf" "${common[@]}" -serial stdio -monitor none \
    -drive file="$dir/ringos-disk.img",format=raw,if=ide,index=0,snapshot=on ;;
virtio)
  feed | timeout 60 qemu-system-i386 -M microvm,pic=on,pit=on,rtc=off,isa-serial=off,ioapic2=off,acpi=off \
    -cpu qemu32,-apic -global virtio-mmio.force-legacy=false -kernel "$dir/ringos-virtio.elf" \
    -append "virtio.irqbase=5" "${common[@]}" -nodefaults -chardev stdio,id=c0 \
    -device virtio-serial-device -device virtconsole,chardev=c0 \
    -drive file="$dir/ringos-disk.img",if=none,id=d0,format=raw,snapshot=on -device virtio-blk-device,drive=d0 ;;
*) echo "unknown platform $platform" >&2; exit 2 ;;
esac
