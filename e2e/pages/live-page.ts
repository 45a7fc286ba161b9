import { expect, type Locator, type Page } from '@playwright/test'
import { RUN_SPEEDS, type RunSpeedId } from '../../src/state/slices/run-speed'

/** The flow the caption tells, from its test hooks. */
export interface CaptionFlow {
  /** Counts the flows shown. */
  readonly serial: number
  /** The hop on show; -1 once the flow has been shown whole. */
  readonly hop: number
  /** Its kind (`vm-exit`, `device-access`, …) and label (`VM exit 30 (IO_INSTRUCTION)`). */
  readonly kind: string
  readonly label: string
  /** Base ids of the components it passes through, in order, from where it starts. */
  readonly path: readonly string[]
}

/** The live view as a user drives it: architecture, scenario, run controls, consoles. */
export class LivePage {
  readonly status: Locator
  readonly caption: Locator
  readonly scenarioState: Locator
  readonly mgmt: Locator

  constructor(readonly page: Page) {
    this.status = page.getByTestId('live-status')
    this.caption = page.getByTestId('live-caption')
    this.scenarioState = page.getByTestId('scenario-state')
    this.mgmt = page.getByTestId('mgmt-console')
  }

  /** Chooses the architecture in the diagram's picker and waits for its session. */
  async chooseArch(arch: string): Promise<void> {
    await this.page.getByTestId('arch-picker').selectOption(arch)
    await expect(this.page.getByTestId('diagram')).toHaveAttribute('data-arch', arch)
    await expect(this.status).toHaveAttribute('data-state', /^(paused|running|stopped)$/, { timeout: 30_000 })
  }

  async setSpeed(id: RunSpeedId): Promise<void> {
    await this.page.getByTestId('speed').fill(String(RUN_SPEEDS.findIndex((s) => s.id === id)))
    await expect(this.page.getByTestId('speed-label')).toHaveAttribute('data-speed', id)
  }

  async playScenario(id: string): Promise<void> {
    await this.page.getByTestId('scenario-picker').selectOption(id)
    await this.page.getByTestId('scenario-run').click()
  }

  async waitForScenario(timeout = 60_000): Promise<void> {
    await expect(this.scenarioState).toHaveAttribute('data-state', 'done', { timeout })
  }

  /** Runs the boot scenario at full speed and waits for the guest's prompt in VM 1's console. */
  async boot(timeout = 60_000): Promise<void> {
    await this.setSpeed('full')
    await this.playScenario('boot')
    await this.waitForScenario(timeout)
    await expect(this.screen(this.console(1))).toContainText(/\$\s*$/)
  }

  /** Pauses the run and waits until the machine has stopped. */
  async pause(): Promise<void> {
    await this.page.getByTestId('pause').click()
    await expect(this.status).toHaveAttribute('data-state', 'paused')
    await expect(this.status).toHaveAttribute('data-running', 'false')
  }

  console(vm: number): Locator {
    return this.page.getByTestId(`console-${vm}`)
  }

  /** What a terminal shows, row by row. */
  screen(terminal: Locator): Locator {
    return terminal.locator('.xterm-rows')
  }

  /** Types into a terminal as a user does: focus it, then keys. */
  async typeInto(terminal: Locator, text: string): Promise<void> {
    await expect(terminal).toHaveAttribute('data-ready', 'true')
    await terminal.locator('textarea').focus()
    await this.page.keyboard.type(text)
  }

  /** The flow the caption tells, or null when it tells none. */
  async captionFlow(): Promise<CaptionFlow | null> {
    return this.caption.evaluate((el) => {
      const serial = el.getAttribute('data-flow')
      if (serial === null) return null
      return {
        serial: Number(serial),
        hop: Number(el.getAttribute('data-hop')),
        kind: el.getAttribute('data-kind') ?? '',
        label: el.getAttribute('data-label') ?? '',
        path: (el.getAttribute('data-path') ?? '').split(' ').map((id) => id.split('@')[0]),
      }
    })
  }

  /**
   * Steps flow by flow (the machine paused, at a speed that shows every flow) until the caption has
   * told a whole flow for which `wanted` holds, and returns it; fails naming the flows seen otherwise.
   */
  async stepToFlow(wanted: (f: CaptionFlow) => boolean, max = 40): Promise<CaptionFlow> {
    await this.page.getByTestId('step-unit').selectOption('flow')
    const seen: string[] = []
    let last = (await this.captionFlow())?.serial ?? -1
    for (let i = 0; i < max; i++) {
      await this.page.getByTestId('step').click()
      // The flow the step ended with, once shown whole (a step whose flow is not shown moves on).
      let f: CaptionFlow | null = null
      for (const end = Date.now() + 5_000; f === null && Date.now() < end;) {
        const c = await this.captionFlow()
        if (c !== null && c.serial !== last && c.hop === -1) f = c
        else await this.page.waitForTimeout(50)
      }
      if (f === null) continue
      if (wanted(f)) return f
      last = f.serial
      seen.push(`${f.label}: ${f.path.join('>')}`)
    }
    throw new Error(`no such flow in ${max} steps; seen:\n${seen.join('\n')}`)
  }

  async counts(): Promise<{ cycles: number; instructions: number }> {
    return {
      cycles: Number(await this.status.getAttribute('data-cycles')),
      instructions: Number(await this.status.getAttribute('data-instructions')),
    }
  }
}
