/** What feeding input did: text to write to the terminal, and the lines the user entered. */
export interface EditResult {
  readonly echo: string
  readonly lines: readonly string[]
}

/** Terminal columns a character takes: 2 for East Asian wide and fullwidth forms (UAX #11), else 1. */
function width(ch: string): number {
  const c = ch.codePointAt(0) ?? 0
  return (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x20000 && c <= 0x3fffd)
    ? 2
    : 1
}

const columns = (chars: readonly string[]) => chars.reduce((a, ch) => a + width(ch), 0)

/** Escape sequences xterm sends for editing keys (VT100/xterm, normal and application cursor mode). */
const KEYS: ReadonlyArray<readonly [string, string]> = [
  ['\x1b[A', 'up'],
  ['\x1bOA', 'up'],
  ['\x1b[B', 'down'],
  ['\x1bOB', 'down'],
  ['\x1b[C', 'right'],
  ['\x1bOC', 'right'],
  ['\x1b[D', 'left'],
  ['\x1bOD', 'left'],
  ['\x1b[H', 'home'],
  ['\x1bOH', 'home'],
  ['\x1b[1~', 'home'],
  ['\x1b[F', 'end'],
  ['\x1bOF', 'end'],
  ['\x1b[4~', 'end'],
  ['\x1b[3~', 'delete'],
]

/**
 * A shell's line editing for a terminal that sends raw keys (xterm's onData): a prompt, insertion at
 * the cursor, Backspace and Delete, Left/Right, Home/End (and Ctrl-A/Ctrl-E), Ctrl-U to kill the line,
 * Ctrl-C to abandon it, and Up/Down through the history of entered lines. Output redraws the line in
 * place (CR, erase to end of line, prompt, text, cursor back).
 */
export class LineEditor {
  private chars: string[] = []
  private cursor = 0
  private readonly history: string[] = []
  /** Position in the history while browsing it (history.length: the line being edited). */
  private browsing = 0
  private draft: string[] = []

  constructor(
    private prompt: string,
    private readonly maxHistory = 100,
    readonly maxLength = 512,
  ) {}

  /** The line as typed so far. */
  get line(): string {
    return this.chars.join('')
  }

  setPrompt(prompt: string): void {
    this.prompt = prompt
  }

  /** The prompt and the line as it stands, drawn on the current terminal line. */
  redraw(): string {
    const back = columns(this.chars.slice(this.cursor))
    return `\r\x1b[K${this.prompt}${this.line}${back > 0 ? `\x1b[${back}D` : ''}`
  }

  feed(data: string): EditResult {
    const lines: string[] = []
    let echo = ''
    let changed = false
    for (let i = 0; i < data.length;) {
      const key = KEYS.find(([seq]) => data.startsWith(seq, i))
      if (key !== undefined) {
        i += key[0].length
        changed = this.key(key[1]) || changed
        continue
      }
      const ch = String.fromCodePoint(data.codePointAt(i) ?? 0)
      i += ch.length
      switch (ch) {
        case '\r':
        case '\n': {
          if (ch === '\n' && data[i - 2] === '\r') break
          const line = this.line
          echo += `${changed ? this.redraw() : ''}\r\n`
          changed = false
          if (line.trim() !== '' && this.history.at(-1) !== line) {
            this.history.push(line)
            if (this.history.length > this.maxHistory) this.history.shift()
          }
          lines.push(line)
          this.chars = []
          this.cursor = 0
          this.browsing = this.history.length
          break
        }
        case '\x7f':
        case '\b':
          if (this.cursor > 0) {
            this.chars.splice(--this.cursor, 1)
            changed = true
          }
          break
        case '\x03':
          echo += `${changed ? this.redraw() : ''}^C\r\n`
          this.chars = []
          this.cursor = 0
          this.browsing = this.history.length
          changed = true
          break
        case '\x15':
          this.chars.splice(0, this.cursor)
          this.cursor = 0
          changed = true
          break
        case '\x01':
          changed = this.key('home') || changed
          break
        case '\x05':
          changed = this.key('end') || changed
          break
        default:
          // Other control characters and lone escape sequences are not editing keys.
          if (ch < ' ' || ch === '\x1b' || this.chars.length >= this.maxLength) break
          this.chars.splice(this.cursor++, 0, ch)
          changed = true
      }
    }
    if (changed) echo += this.redraw()
    return { echo, lines }
  }

  private key(name: string): boolean {
    switch (name) {
      case 'left':
        if (this.cursor === 0) return false
        this.cursor--
        return true
      case 'right':
        if (this.cursor === this.chars.length) return false
        this.cursor++
        return true
      case 'home':
        this.cursor = 0
        return true
      case 'end':
        this.cursor = this.chars.length
        return true
      case 'delete':
        if (this.cursor === this.chars.length) return false
        this.chars.splice(this.cursor, 1)
        return true
      case 'up':
      case 'down': {
        const next = this.browsing + (name === 'up' ? -1 : 1)
        if (next < 0 || next > this.history.length) return false
        if (this.browsing === this.history.length) this.draft = this.chars
        this.browsing = next
        this.chars = next === this.history.length ? this.draft : [...(this.history[next] ?? '')]
        this.cursor = this.chars.length
        return true
      }
      default:
        return false
    }
  }
}
