import { describe, expect, it } from 'vitest'
import { utf8Decode, utf8Encode } from './utf8'

describe('utf8', () => {
  it('matches the platform encoder on mixed scripts', () => {
    for (const s of ['', 'hi', '虚拟机监控器', 'Ring −1', '😀 ok', 'é\u0000x']) {
      expect(Array.from(utf8Encode(s))).toEqual(Array.from(new TextEncoder().encode(s)))
      expect(utf8Decode(new TextEncoder().encode(s))).toBe(s)
    }
  })
  it('decodes malformed input like the WHATWG decoder', () => {
    for (const bytes of [[0xff], [0xe4, 0xb8], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x41, 0x80, 0x42]]) {
      const b = Uint8Array.from(bytes)
      expect(utf8Decode(b)).toBe(new TextDecoder().decode(b))
    }
  })
})
