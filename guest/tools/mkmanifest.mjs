// Writes guests.json (which ELF boots with which disk, map and platform: what the runner and the app
// read to find an image's own disk) and toolchain.json (the tool versions the images were built with,
// which the reproducibility test compares with the local ones).
//
// usage: node mkmanifest.mjs OUT_DIR "PLATFORMS" GCC_VERSION NASM_VERSION LD_VERSION [NAME:PLATFORM:DISK...]
// (the optional words: kernel variants with a disk of their own, e.g. ringos-container)
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

const [out, platforms, gcc, nasm, binutils, ...variants] = process.argv.slice(2)
if (!out || !platforms || !gcc || !nasm || !binutils) {
  console.error('usage: node mkmanifest.mjs OUT_DIR "PLATFORMS" GCC_VERSION NASM_VERSION LD_VERSION')
  process.exit(2)
}
const images = platforms
  .split(/\s+/)
  .filter(Boolean)
  .map((platform) => ({
    name: `ringos-${platform}`,
    elf: `ringos-${platform}.elf`,
    map: `ringos-${platform}.map.json`,
    disk: 'ringos-disk.img',
    platform,
  }))
for (const v of variants) {
  const [name, platform, disk] = v.split(':')
  images.push({ name, elf: `${name}.elf`, map: `${name}.map.json`, disk, platform })
}
const json = (v) => JSON.stringify(v, null, 2) + '\n'
writeFileSync(join(out, 'guests.json'), json({ format: 'ringos-guests/1', images }))
writeFileSync(
  join(out, 'toolchain.json'),
  json({ gcc, nasm, binutils, sourceDateEpoch: Number(process.env.SOURCE_DATE_EPOCH) }),
)
