/**
 * UTF-8 encode/decode for the engine, which compiles without DOM or Node lib types (so without
 * TextEncoder/TextDecoder). Malformed input decodes to U+FFFD, as the WHATWG decoder does.
 */
export function utf8Encode(s: string): Uint8Array {
  const out: number[] = []
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0xfffd
    if (c < 0x80) out.push(c)
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63))
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63))
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63))
  }
  return Uint8Array.from(out)
}

/** The WHATWG UTF-8 decoder (Encoding Standard §9.1.1), replacing each maximal invalid subpart with U+FFFD. */
export function utf8Decode(b: Uint8Array): string {
  let s = ''
  let cp = 0
  let need = 0
  let seen = 0
  let lower = 0x80
  let upper = 0xbf
  for (let i = 0; i < b.length; i++) {
    const c = b[i]
    if (need === 0) {
      if (c < 0x80) s += String.fromCharCode(c)
      else if (c >= 0xc2 && c <= 0xdf) [need, cp] = [1, c & 0x1f]
      else if (c >= 0xe0 && c <= 0xef) {
        if (c === 0xe0) lower = 0xa0
        if (c === 0xed) upper = 0x9f
        ;[need, cp] = [2, c & 0x0f]
      } else if (c >= 0xf0 && c <= 0xf4) {
        if (c === 0xf0) lower = 0x90
        if (c === 0xf4) upper = 0x8f
        ;[need, cp] = [3, c & 0x07]
      } else s += '\ufffd'
      continue
    }
    if (c < lower || c > upper) {
      cp = need = seen = 0
      lower = 0x80
      upper = 0xbf
      s += '\ufffd'
      i--
      continue
    }
    lower = 0x80
    upper = 0xbf
    cp = (cp << 6) | (c & 0x3f)
    if (++seen === need) {
      s += String.fromCodePoint(cp)
      cp = need = seen = 0
    }
  }
  if (need !== 0) s += '\ufffd'
  return s
}
