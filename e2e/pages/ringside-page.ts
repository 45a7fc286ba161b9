import { expect, type Locator, type Page } from '@playwright/test'

export type Region = 'diagram' | 'consoles' | 'inspector' | 'timeline'

export interface SynthOutcome {
  received: number
  dropped: number
  seqErrors: number
  ms: number
  eventsPerSecond: number
}

/** The application as a user sees it; specs drive it through these methods and data-testid hooks. */
export class RingsidePage {
  readonly engineStatus: Locator
  readonly eventStream: Locator
  readonly languageSelect: Locator
  readonly themeSelect: Locator
  readonly about: Locator
  readonly engineError: Locator

  constructor(readonly page: Page) {
    this.engineStatus = page.getByTestId('engine-status')
    this.eventStream = page.getByTestId('event-stream')
    this.languageSelect = page.getByTestId('language-select')
    this.themeSelect = page.getByTestId('theme-select')
    this.about = page.getByTestId('about')
    this.engineError = page.getByTestId('engine-error')
  }

  /** Opens the app (optionally with a query such as `?transport=transfer`) and waits for the engine. */
  async open(query = '', baseURL?: string): Promise<void> {
    await this.page.goto(baseURL ? new URL(query, baseURL).href : `./${query}`)
    await this.waitForEngine()
  }

  async waitForEngine(): Promise<void> {
    await expect(this.engineStatus).toHaveAttribute('data-status', 'ready')
  }

  panel(region: Region): Locator {
    return this.page.getByTestId(`panel-${region}`)
  }

  separator(name: 'inspector' | 'bottom' | 'consoles'): Locator {
    return this.page.getByTestId(`separator-${name}`)
  }

  async htmlLang(): Promise<string | null> {
    return this.page.locator('html').getAttribute('lang')
  }

  async theme(): Promise<string | null> {
    return this.page.locator('html').getAttribute('data-theme')
  }

  /** A --rs- design token as the page computes it. */
  async token(name: `--rs-${string}`): Promise<string> {
    return this.page.evaluate(
      (n) => getComputedStyle(document.documentElement).getPropertyValue(n).trim(),
      name,
    )
  }

  async openAbout(): Promise<void> {
    await this.page.getByTestId('about-open').click()
    await expect(this.about).toBeVisible()
  }

  async closeAbout(): Promise<void> {
    await this.page.getByTestId('about-close').click()
    await expect(this.about).toBeHidden()
  }

  /** Runs the synthetic event generator from the About panel and returns what the page measured. */
  async synth(
    count: number,
    pace: 'lossless' | 'flat-out' = 'lossless',
    timeout = 60_000,
  ): Promise<SynthOutcome> {
    await this.page.getByTestId('synth-count').fill(String(count))
    await this.page.getByTestId('synth-pace').selectOption(pace)
    const result = this.page.getByTestId('synth-result')
    const before = await result.getAttribute('data-ms')
    await this.page.getByTestId('synth-run').click()
    await expect(result).toHaveAttribute('data-state', 'done', { timeout })
    await expect(result).not.toHaveAttribute('data-ms', before ?? '', { timeout })
    const d = await result.evaluate((el) => ({ ...(el as HTMLElement).dataset }))
    return {
      received: Number(d.received),
      dropped: Number(d.dropped),
      seqErrors: Number(d.seqErrors),
      ms: Number(d.ms),
      eventsPerSecond: Number(d.eventsPerSecond),
    }
  }
}
