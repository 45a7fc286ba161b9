import { describe, expect, it } from 'vitest'
import { LineEditor } from './line-editor'

const LEFT = '\x1b[D'
const UP = '\x1b[A'
const DOWN = '\x1b[B'

describe('LineEditor', () => {
  it('inserts at the cursor, erases before it, and enters the line on Enter', () => {
    const e = new LineEditor('# ')
    e.feed('virsh lst')
    e.feed(LEFT + LEFT + 'i')
    expect(e.line).toBe('virsh list')
    e.feed('\x1b[F --alll\x7f')
    const r = e.feed('\r')
    expect(r.lines).toEqual(['virsh list --all'])
    expect(r.echo).toBe('\r\n')
    expect(e.line).toBe('')
  })

  it('redraws the prompt and line in place, with the cursor moved back over the rest', () => {
    const e = new LineEditor('PS C:\\> ')
    expect(e.feed('Get-VM').echo).toBe('\r\x1b[KPS C:\\> Get-VM')
    // Home, then the cursor sits six columns back.
    expect(e.feed('\x01').echo).toBe('\r\x1b[KPS C:\\> Get-VM\x1b[6D')
    // Chinese characters take two columns each.
    const zh = new LineEditor('$ ')
    expect(zh.feed('中文' + LEFT).echo.endsWith('中文\x1b[2D')).toBe(true)
  })

  it('browses the history with Up and Down and returns to the line being typed', () => {
    const e = new LineEditor('$ ')
    e.feed('xl list\r')
    e.feed('xl create vm1\r')
    e.feed('xl des')
    e.feed(UP)
    expect(e.line).toBe('xl create vm1')
    e.feed(UP + UP)
    expect(e.line).toBe('xl list')
    e.feed(DOWN + DOWN)
    expect(e.line).toBe('xl des')
    expect(e.feed(DOWN).echo).toBe('')
  })

  it('abandons the line on Ctrl-C and kills it on Ctrl-U', () => {
    const e = new LineEditor('$ ')
    const r = e.feed('Stop-VM\x03')
    expect(r.lines).toEqual([])
    expect(r.echo).toContain('^C\r\n')
    e.feed('abc def' + LEFT + LEFT + LEFT + '\x15')
    expect(e.line).toBe('def')
    e.feed('\x1b[H\x1b[3~')
    expect(e.line).toBe('ef')
  })

  it('takes pasted text with several lines, CR LF counted once', () => {
    const e = new LineEditor('$ ')
    expect(e.feed('a\r\nb\rc').lines).toEqual(['a', 'b'])
    expect(e.line).toBe('c')
  })

  it('ignores other control characters and stops at the maximum length', () => {
    const e = new LineEditor('$ ', 10, 4)
    e.feed('\x07ab\x1bcdef')
    expect(e.line).toBe('abcd')
  })
})
