#!/usr/bin/env bash
# Builds every ringos image, reproducibly, with Debian's gcc-multilib, nasm and binutils:
#
#   public/guests/ringos-native.elf     kernel + native platform (UART, ATA, PIC, PIT)
#   public/guests/ringos-virtio.elf     kernel + virtio platform (virtio-mmio console and block)
#   public/guests/ringos-hyperv.elf     kernel + hyperv platform (hypercall page, SynIC, VMBus console and disk)
#   public/guests/ringos-xen-pv.elf     kernel in ring 1 + xen-pv platform (hypercalls, event channels, split drivers)
#   public/guests/ringos-*.map.json     symbol and line maps (kernel and every program)
#   public/guests/ringos-container.elf  the native kernel with namespaces and a pids cgroup (RINGOS_CONTAINERS)
#   public/guests/ringos-disk.img       the disk they boot from: a ustar archive with /bin and text files
#   public/guests/ringos-container-disk.img  the container kernel's disk: the same, runc, and rootfs/
#   public/guests/guests.json           which image uses which disk, map and platform
#   public/guests/toolchain.json        the compiler, assembler and linker versions used
#
# usage: guest/build.sh [OUT_DIR]     (OUT_DIR defaults to public/guests; objects go to $GUEST_BUILD_DIR
#                                      or guest/build)
set -euo pipefail

export LC_ALL=C TZ=UTC
export SOURCE_DATE_EPOCH=1735689600 # 2025-01-01T00:00:00Z: the time stamp of every file on the disk

GUEST=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$GUEST")
OUT=$(mkdir -p "${1:-$REPO/public/guests}" && cd "${1:-$REPO/public/guests}" && pwd)
BUILD=$(mkdir -p "${GUEST_BUILD_DIR:-$GUEST/build}" && cd "${GUEST_BUILD_DIR:-$GUEST/build}" && pwd)
cd "$GUEST" # sources are named relative to guest/, so no absolute path reaches the images

PLATFORMS="native virtio hyperv xen-pv"
# Each platform: its files under platform/ (cpu.c: the CPU instructions the ring-0 kernels execute;
# pc.c: the PIC and PIT) and the drivers they use (variable names spell "-" as "_").
PLATFORM_native="cpu pc native"
PLATFORM_virtio="cpu pc virtio"
PLATFORM_hyperv="cpu hyperv"
PLATFORM_xen_pv="xen-pv"
DRIVERS_native="pic pit uart ata"
DRIVERS_virtio="pic pit virtio"
DRIVERS_hyperv="hyperv vmbus uart"
DRIVERS_xen_pv="xenstore"
# Xen PV runs the kernel proper in ring 1 (RINGOS_XEN_PV: kernel/gdt.h's selectors), starts it from
# platform/xen-pv-entry.asm (start_info, not Multiboot; it also assembles kernel/entry.asm) and links
# it with platform/xen-pv.ld, which keeps Xen's ELF notes.
XEN_PV_FLAGS=(-DRINGOS_XEN_PV)
KERNEL_C="kmain gdt idt paging sched elf syscall console tarfs lab"
PROGRAMS="init sh clockd ps ls cat uptime cpuinfo bench forkwait ptemod popf sgdt fault true"
DISK_KIB=512

# -Os -march=i686: small integer code the Ringside CPU runs (no x87/SSE: -mgeneral-regs-only).
# -fno-tree-loop-distribute-patterns keeps gcc from turning memset's own loop into a call to memset.
# -ffile-prefix-map makes the debug information name guest/... wherever the checkout is.
CFLAGS=(-m32 -march=i686 -Os -std=gnu11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector
  -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -fno-tree-loop-distribute-patterns
  -mgeneral-regs-only -mpreferred-stack-boundary=2 -g -ffile-prefix-map="$GUEST"=guest
  -Wall -Wextra -Werror)
LDFLAGS=(-m elf_i386 -nostdlib --build-id=none -z noexecstack)

cc() { mkdir -p "$(dirname "$BUILD/$2")" && gcc "${CFLAGS[@]}" "${@:3}" -c "$1" -o "$BUILD/$2"; }
asm() { mkdir -p "$(dirname "$BUILD/$2")" && nasm -f elf32 -g -F dwarf "$1" -o "$BUILD/$2"; }

# Shared library code and the kernel proper.
for f in string fmt; do cc "lib/$f.c" "lib/$f.o"; done
asm kernel/boot.asm kernel/boot.o
asm kernel/entry.asm kernel/entry.o
for f in $KERNEL_C; do cc "kernel/$f.c" "kernel/$f.o"; done
for f in $KERNEL_C; do cc "kernel/$f.c" "kernel-xen-pv/$f.o" "${XEN_PV_FLAGS[@]}"; done
for f in pic pit uart ata virtio hyperv vmbus xenstore; do cc "drivers/$f.c" "drivers/$f.o"; done
for p in cpu pc native virtio hyperv; do cc "platform/$p.c" "platform/$p.o"; done
cc platform/xen-pv.c platform/xen-pv.o "${XEN_PV_FLAGS[@]}"
asm platform/xen-pv-entry.asm platform/xen-pv-entry.o

# User programs: each a static ELF at 0x40000000.
asm user/crt0.asm user/crt0.o
cc user/ulib.c user/ulib.o
mkdir -p "$BUILD/bin" "$BUILD/disk/bin"
disk_entries=()
for prog in $PROGRAMS; do
  cc "user/$prog.c" "user/$prog.o"
  ld "${LDFLAGS[@]}" -T user/user.ld -o "$BUILD/bin/$prog" \
    "$BUILD/user/crt0.o" "$BUILD/user/$prog.o" "$BUILD/user/ulib.o" "$BUILD/lib/string.o" "$BUILD/lib/fmt.o"
  strip --strip-all -o "$BUILD/disk/bin/$prog" "$BUILD/bin/$prog"
  disk_entries+=("bin/$prog=$BUILD/disk/bin/$prog:755")
done
for f in motd readme.txt lab.txt; do disk_entries+=("$f=fs/$f:644"); done
node tools/mkustar.mjs "$OUT/ringos-disk.img" "$DISK_KIB" "${disk_entries[@]}"

# Containers (the `container` architecture): the native kernel built with RINGOS_CONTAINERS
# (kernel/container.c: PID, mount and UTS namespaces and a pids cgroup), on a disk of its own with
# runc (container/runc.c) and, under rootfs/, the root file system runc gives a container. The other
# images and their disk stay as they are.
CONTAINER_FLAGS=(-DRINGOS_CONTAINERS)
CONTAINER_ROOTFS="sh ps ls cat clockd uptime"
for f in $KERNEL_C container; do cc "kernel/$f.c" "kernel-container/$f.o" "${CONTAINER_FLAGS[@]}"; done
cc container/runc.c container/runc.o
ld "${LDFLAGS[@]}" -T user/user.ld -o "$BUILD/bin/runc" \
  "$BUILD/user/crt0.o" "$BUILD/container/runc.o" "$BUILD/user/ulib.o" "$BUILD/lib/string.o" "$BUILD/lib/fmt.o"
strip --strip-all -o "$BUILD/disk/bin/runc" "$BUILD/bin/runc"
container_entries=("${disk_entries[@]}" "bin/runc=$BUILD/disk/bin/runc:755")
for prog in $CONTAINER_ROOTFS; do container_entries+=("rootfs/bin/$prog=$BUILD/disk/bin/$prog:755"); done
container_entries+=("rootfs/motd=container/motd:644")
node tools/mkustar.mjs "$OUT/ringos-container-disk.img" "$DISK_KIB" "${container_entries[@]}"

# One kernel per platform: the kernel proper, the platform's implementation of platform/platform.h,
# and the drivers it uses.
for plat in $PLATFORMS; do
  platform_var="PLATFORM_${plat//-/_}"
  drivers_var="DRIVERS_${plat//-/_}"
  if [ "$plat" = xen-pv ]; then
    objs=("$BUILD/platform/xen-pv-entry.o")
    for f in $KERNEL_C; do objs+=("$BUILD/kernel-xen-pv/$f.o"); done
    script=platform/xen-pv.ld
  else
    objs=("$BUILD/kernel/boot.o" "$BUILD/kernel/entry.o")
    for f in $KERNEL_C; do objs+=("$BUILD/kernel/$f.o"); done
    script=kernel/kernel.ld
  fi
  for p in ${!platform_var}; do objs+=("$BUILD/platform/$p.o"); done
  for d in ${!drivers_var}; do objs+=("$BUILD/drivers/$d.o"); done
  objs+=("$BUILD/lib/string.o" "$BUILD/lib/fmt.o")
  ld "${LDFLAGS[@]}" -T "$script" -o "$BUILD/ringos-$plat.elf" "${objs[@]}"
  programs=()
  for prog in $PROGRAMS; do programs+=("$prog=$BUILD/bin/$prog"); done
  node tools/mkmap.mjs "$OUT/ringos-$plat.map.json" "kernel=$BUILD/ringos-$plat.elf" "${programs[@]}"
  objcopy --strip-debug "$BUILD/ringos-$plat.elf" "$OUT/ringos-$plat.elf"
done

objs=("$BUILD/kernel/boot.o" "$BUILD/kernel/entry.o")
for f in $KERNEL_C container; do objs+=("$BUILD/kernel-container/$f.o"); done
for p in $PLATFORM_native; do objs+=("$BUILD/platform/$p.o"); done
for d in $DRIVERS_native; do objs+=("$BUILD/drivers/$d.o"); done
objs+=("$BUILD/lib/string.o" "$BUILD/lib/fmt.o")
ld "${LDFLAGS[@]}" -T kernel/kernel.ld -o "$BUILD/ringos-container.elf" "${objs[@]}"
programs=()
for prog in $PROGRAMS runc; do programs+=("$prog=$BUILD/bin/$prog"); done
node tools/mkmap.mjs "$OUT/ringos-container.map.json" "kernel=$BUILD/ringos-container.elf" "${programs[@]}"
objcopy --strip-debug "$BUILD/ringos-container.elf" "$OUT/ringos-container.elf"

node tools/mkmanifest.mjs "$OUT" "$PLATFORMS" \
  "$(gcc --version | head -n1)" "$(nasm -v)" "$(ld --version | head -n1)" \
  "ringos-container:native:ringos-container-disk.img"
echo "ringos: built $(cd "$OUT" && ls ringos-*.elf | tr '\n' ' ')in $OUT"
