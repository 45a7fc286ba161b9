import { FitAddon } from '@xterm/addon-fit'
import { Terminal } from '@xterm/xterm'
import '@xterm/xterm/css/xterm.css'

/** A terminal on the page: what the console components need from xterm (loaded lazily, with its CSS). */
export interface TerminalHandle {
  write(data: Uint8Array | string): void
  reset(): void
  onData(listener: (data: string) => void): { dispose(): void }
  focus(): void
  /** Reads colours and font from the container's CSS (theme tokens) again. */
  restyle(): void
  setLabel(label: string): void
  dispose(): void
}

export interface TerminalOptions {
  readonly label: string
  /** Turn LF into CR LF (the management shell's output is Unix text; guests send CR LF themselves). */
  readonly convertEol: boolean
  /** Keys the page handles (Tab moves focus on, action shortcuts): xterm leaves them alone. */
  readonly passKey: (e: KeyboardEvent) => boolean
}

function themeOf(el: HTMLElement) {
  const css = getComputedStyle(el)
  return {
    theme: {
      background: css.backgroundColor,
      foreground: css.color,
      cursor: css.color,
      cursorAccent: css.backgroundColor,
      // The container's caret-color carries the accent token.
      selectionBackground: css.caretColor,
      selectionForeground: css.backgroundColor,
    },
    fontFamily: css.fontFamily,
    fontSize: parseFloat(css.fontSize) || 14,
  }
}

/** Opens an xterm.js terminal in `parent`, sized to it and resized with it (fit addon). */
export function openTerminal(parent: HTMLElement, options: TerminalOptions): TerminalHandle {
  const term = new Terminal({
    ...themeOf(parent),
    convertEol: options.convertEol,
    screenReaderMode: true,
    scrollback: 5000,
    cursorBlink: false,
  })
  const fit = new FitAddon()
  term.loadAddon(fit)
  term.attachCustomKeyEventHandler((e) => !options.passKey(e))
  term.open(parent)
  const label = (text: string) => term.textarea?.setAttribute('aria-label', text)
  label(options.label)
  let frame = 0
  const refit = () => {
    if (frame !== 0) return
    frame = requestAnimationFrame(() => {
      frame = 0
      if (parent.clientWidth > 0 && parent.clientHeight > 0) fit.fit()
    })
  }
  refit()
  const observer = new ResizeObserver(refit)
  observer.observe(parent)
  return {
    write: (data) => term.write(data),
    reset: () => term.reset(),
    onData: (listener) => term.onData(listener),
    focus: () => term.focus(),
    restyle: () => {
      const s = themeOf(parent)
      term.options.theme = s.theme
      term.options.fontFamily = s.fontFamily
      term.options.fontSize = s.fontSize
      refit()
    },
    setLabel: label,
    dispose: () => {
      observer.disconnect()
      cancelAnimationFrame(frame)
      term.dispose()
    },
  }
}
