#!/bin/sh
# Builds the CPU benchmark workload: one i386 ELF, linked at 1 MiB, that runs both as a Linux process
# and on the Ringside PC (see platform.h). Usage: build.sh OUT [SCALE]
set -e
out=$1
scale=${2:-16}
here=$(dirname "$0")
gcc -m32 -O2 -march=i686 -ffreestanding -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables \
  -nostdlib -static -Wl,-Ttext-segment=0x100000 -Wl,--build-id=none -DSCALE="$scale" \
  -o "$out" "$here/workload.c" -lgcc
