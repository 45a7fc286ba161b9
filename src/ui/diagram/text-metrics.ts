/**
 * Text width estimates for laying out SVG labels without a DOM (the layout is a pure function, run
 * in tests under Node). Estimates err on the wide side so that labels fit the boxes drawn for them.
 */

/** Ideographs, kana, hangul, full-width forms: one em each. */
function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    code === 0x25a3
  )
}

function charEm(ch: string): number {
  const code = ch.codePointAt(0) ?? 0
  if (isWide(code)) return 1
  if (ch === ' ') return 0.3
  if (/[iljtf.,:;'|!()[\]]/.test(ch)) return 0.36
  if (/[MWmw@%]/.test(ch)) return 0.9
  if (/[A-Z0-9#&]/.test(ch)) return 0.7
  return 0.58
}

/** Semibold Latin glyphs are up to about a tenth wider than regular ones. */
const BOLD = 1.1

/** Estimated rendered width of `text` in pixels at `fontSize` px (a proportional sans-serif face, semibold). */
export function textWidth(text: string, fontSize: number): number {
  let em = 0
  for (const ch of text) em += charEm(ch)
  return em * fontSize * BOLD
}

/** Splits text into breakable pieces: words (with their trailing space) and single wide characters. */
function pieces(text: string): string[] {
  const out: string[] = []
  let word = ''
  for (const ch of text) {
    const wide = isWide(ch.codePointAt(0) ?? 0)
    if (wide) {
      if (word) out.push(word)
      word = ''
      out.push(ch)
    } else if (ch === ' ') {
      out.push(word + ' ')
      word = ''
    } else word += ch
  }
  if (word) out.push(word)
  return out
}

/**
 * Wraps text into lines no wider than `maxWidth` (estimated), breaking between words or between
 * CJK characters, and inside a word only when the word alone is too wide. At most `maxLines` lines;
 * the last is cut with an ellipsis when the text does not fit.
 */
export function wrapText(text: string, maxWidth: number, fontSize: number, maxLines = 3): string[] {
  const lines: string[] = []
  let line = ''
  const push = () => {
    if (line.trim()) lines.push(line.trimEnd())
    line = ''
  }
  for (const piece of pieces(text)) {
    if (textWidth((line + piece).trimEnd(), fontSize) <= maxWidth) {
      line += piece
      continue
    }
    push()
    if (textWidth(piece.trimEnd(), fontSize) <= maxWidth) {
      line = piece
      continue
    }
    for (const ch of piece) {
      if (line && textWidth(line + ch, fontSize) > maxWidth) push()
      line += ch
    }
  }
  push()
  if (lines.length <= maxLines) return lines
  const kept = lines.slice(0, maxLines)
  let last = kept[maxLines - 1]
  while (last.length > 1 && textWidth(last + '…', fontSize) > maxWidth) last = last.slice(0, -1)
  kept[maxLines - 1] = last.trimEnd() + '…'
  return kept
}
