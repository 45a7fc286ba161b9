import AxeBuilder from '@axe-core/playwright'
import type { Page, TestInfo } from '@playwright/test'
import { expect } from './fixtures'

/** WCAG 2.2 at levels A and AA, the level the app is held to. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

/**
 * Runs axe on the page as it is now (or on the parts `include` selects), attaches its violations to
 * the test as `axe-<name>.json`, and fails on any.
 */
export async function expectNoViolations(
  page: Page,
  testInfo: TestInfo,
  name: string,
  include: readonly string[] = [],
): Promise<void> {
  let axe = new AxeBuilder({ page }).withTags(WCAG_TAGS)
  for (const selector of include) axe = axe.include(selector)
  const results = await axe.analyze()
  await testInfo.attach(`axe-${name}.json`, {
    body: JSON.stringify(results.violations, null, 2),
    contentType: 'application/json',
  })
  expect(
    results.violations.map(
      (v) => `${v.id}: ${v.nodes.map((n) => `${n.target.join(' ')} (${n.failureSummary ?? ''})`).join(', ')}`,
    ),
    `axe violations (${name})`,
  ).toEqual([])
}
