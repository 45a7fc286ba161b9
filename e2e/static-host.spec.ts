import { expect, test } from './fixtures'

const staticUrl = process.env.RINGSIDE_STATIC_URL

test('the static build works from a sub-path of a plain server, transferring batches without isolation', async ({
  ringside,
  page,
}) => {
  test.skip(!staticUrl, 'RINGSIDE_STATIC_URL is set by scripts/e2e.mjs')
  await ringside.open('', staticUrl)
  expect(new URL(page.url()).pathname).toBe(new URL(staticUrl ?? '').pathname)
  await expect(ringside.engineStatus).toHaveAttribute('data-transport', 'transfer')
  await expect(ringside.engineStatus).toContainText('not cross-origin isolated')
  await ringside.openAbout()
  expect(await ringside.synth(100_000)).toMatchObject({ received: 100_000, dropped: 0, seqErrors: 0 })
})
