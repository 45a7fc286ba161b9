import type { Page } from '@playwright/test'
import type { ArchId } from '../src/engine/hv/architectures'
import { MODELS } from '../src/engine/hv/models'
import { SCENARIOS, manageLine } from '../src/engine/session/scenarios'
import { exitReasonName } from '../src/engine/vmx/exit-reasons'
import { defaultGuest } from '../src/state/slices/guest-platforms'
import { expectNoViolations } from './axe'
import { expect, test } from './fixtures'
import { LivePage } from './pages/live-page'

/** What ringos's cpuinfo prints about the hypervisor under each architecture (issue 7, item 4). */
const SIGNATURES: Readonly<Record<string, RegExp>> = {
  bare: /hypervisor: none/,
  kvm: /hypervisor: "KVMKVMKVM"/,
  'xen-hvm': /hypervisor: "XenVMMXenVMM"/,
  esxi: /hypervisor: "VMwareVMware"/,
  hyperv: /hypervisor: "Microsoft Hv"/,
}

/** Exit reason 30 with its SDM name, as a flow's label gives it (Intel SDM Vol. 3C, Appendix C). */
const IO_EXIT = ` 30 (${exitReasonName(30)})`

/**
 * The flow that carries a guest's port I/O to the UART under each architecture, and the components it
 * must pass through: the handler the references name (issue 7, tests; hypervisor-flows.md) and, where
 * the path goes on to it, the device.
 */
const PORT_IO: Readonly<Record<string, { kind: string; label?: string; through: readonly string[] }>> = {
  bare: { kind: 'device-access', label: '(COM1)', through: ['guest-kernel', 'uart'] },
  container: { kind: 'device-access', label: '(COM1)', through: ['host-kernel', 'uart'] },
  kvm: { kind: 'vm-exit', label: IO_EXIT, through: ['kvm', 'qemu'] },
  'xen-hvm': { kind: 'vm-exit', label: IO_EXIT, through: ['xen', 'dom0-qemu'] },
  // The UART is emulated in the VMM itself.
  esxi: { kind: 'vm-exit', label: IO_EXIT, through: ['vmm'] },
  hyperv: { kind: 'vm-exit', label: IO_EXIT, through: ['hypervisor', 'vmwp'] },
  // Device I/O: VMM → world switch → vmmon → the VMware application on the host.
  workstation: { kind: 'vm-exit', label: IO_EXIT, through: ['vmm', 'vmmon', 'vmapp'] },
  // A deprivileged kernel's IN/OUT is a #GP at CPL 1; the monitor emulates it on the device.
  'trap-emulate': { kind: 'exception', label: ' 13 (#GP)', through: ['monitor', 'uart'] },
  // Translated kernel code calls out to the VMM, which performs the access.
  'vmware-bt': { kind: 'binary-translation', through: ['bt', 'vmm', 'uart'] },
  // A PV guest has no port I/O: its console is a ring shared with Dom0's console backend, which an
  // event-channel hypercall notifies; the backend writes the UART.
  'xen-pv': { kind: 'hypercall', label: 'event_channel_op', through: ['xen', 'consoleback', 'uart'] },
}

/** Where the management scenario's line alone shows little: lines to type after it, and what they show on VM 1's console. */
const MANAGEMENT_MORE: Readonly<Record<string, { lines: readonly string[]; shows: RegExp }>> = {
  // runc runs on the host's console: a container started in the background, then listed.
  container: {
    lines: ['runc run -d db /bin/clockd', 'runc list'],
    shows: /db\s+\d+\s+running\s+\d+\s+8\s+\/rootfs/,
  },
}

/** Base ids of the components at both ends of every edge a token has passed or heat is shown on. */
async function passedEdges(page: Page): Promise<string[][]> {
  const ids = await page
    .locator('.rs-dg-edge-visual[data-used="true"], .rs-dg-edge-visual[data-rate]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-edge') ?? ''))
  return ids.map((id) => id.split('>').map((end) => end.split('@')[0]))
}

/** The inspector's decoded exit qualification: each field's name and value. */
async function qualificationFields(page: Page): Promise<Record<string, string>> {
  return page
    .getByTestId('inspector-exit')
    .locator('dt')
    .evaluateAll((dts) =>
      Object.fromEntries(dts.map((dt) => [dt.textContent ?? '', dt.nextElementSibling?.textContent ?? ''])),
    )
}

for (const arch of Object.keys(MODELS) as ArchId[])
  test(`${arch}: boot to the prompt, cpuinfo tells where it runs, the port-I/O flow through its handler named in the inspector, a management command on the diagram`, async ({
    ringside,
    page,
  }) => {
    const live = new LivePage(page)
    await ringside.open()
    await live.chooseArch(arch)
    // The image the architecture boots unless the user picks another (containers: ringos-container).
    const picker = page.getByTestId('guest-picker')
    if ((await picker.count()) > 0) await expect(picker).toHaveValue(defaultGuest(arch))
    await live.boot()
    await live.typeInto(live.console(1), 'cpuinfo\n')
    await expect(live.screen(live.console(1))).toContainText(SIGNATURES[arch] ?? /hypervisor: /, {
      timeout: 20_000,
    })

    // Console output is port I/O to the UART: step flow by flow to the flow that carries it.
    await live.pause()
    await live.setSpeed('25m')
    await live.typeInto(live.console(1), 'echo hello\n')
    const io = PORT_IO[arch]
    if (io === undefined) throw new Error(`no port-I/O flow is listed for ${arch}`)
    const flow = await live.stepToFlow(
      (f) =>
        f.kind === io.kind &&
        f.label.includes(io.label ?? '') &&
        io.through.every((id) => f.path.includes(id)),
    )
    if (flow.kind === 'vm-exit') {
      // The inspector names that exit and decodes its qualification (SDM Vol. 3C, Table 28-5).
      const reason = page.getByTestId('inspector-exit-reason')
      await expect(reason).toHaveAttribute('data-reason', '30')
      await expect(reason).toContainText(`30: ${exitReasonName(30)}`)
      const q = await qualificationFields(page)
      expect(q.port, JSON.stringify(q)).toMatch(/^0x3f[8-f] \(10(1[6-9]|2[0-3])\)$/)
      expect(q.direction).toMatch(/^(IN|OUT)$/)
      expect(q.size).toBe('0x1 (1)')
    }

    // A management command animates through the management components.
    const tools = await live.mgmt.getAttribute('data-tools')
    const manage = SCENARIOS.find((s) => s.id === 'manage')?.steps.find((s) => s.kind === 'manage')
    const line = tools && manage ? manageLine(manage, tools.split(',')) : null
    if (line === null) {
      expect(['bare', 'vmware-bt', 'trap-emulate'], `${arch} has a management shell`).toContain(arch)
      return
    }
    const management = await page
      .locator('[data-testid^="component-"][data-management="true"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-base-id') ?? ''))
    // (Under containers runc is a program of the host: its system calls are the management flow,
    // shown ahead of the disk reads that load it.)
    await page.getByTestId('run').click()
    await live.typeInto(live.mgmt, `${line}\n`)
    await expect
      .poll(async () => (await passedEdges(page)).some((e) => e.some((end) => management.includes(end))))
      .toBe(true)
    const more = MANAGEMENT_MORE[arch]
    if (more === undefined) return
    for (const l of more.lines) await live.typeInto(live.mgmt, `${l}\n`)
    await expect(live.screen(live.console(1))).toContainText(more.shows, { timeout: 20_000 })
  })

test('bare: stepping by instruction, by event and by flow each moves what the page shows', async ({
  ringside,
  page,
}) => {
  const live = new LivePage(page)
  await ringside.open()
  await live.chooseArch('bare')
  const unit = page.getByTestId('step-unit')
  const step = page.getByTestId('step')

  await unit.selectOption('instruction')
  await step.click()
  await expect(live.status).toHaveAttribute('data-instructions', '1')
  await step.click()
  await expect(live.status).toHaveAttribute('data-instructions', '2')
  await expect(live.status).toContainText(/step done/)

  await unit.selectOption('event')
  const before = await live.counts()
  await step.click()
  await expect.poll(async () => (await live.counts()).instructions).toBeGreaterThan(before.instructions)

  await unit.selectOption('flow')
  await step.click()
  // One whole flow: its label and its hops from the guest kernel on, in the caption.
  await expect(live.caption).toHaveAttribute('data-kind', /.+/)
  await expect(live.caption).toContainText('Guest kernel')
  await expect(page.getByTestId('flow-token')).toBeVisible()
})

test('bare: a flow token passes through the guest kernel and a device, and the CPU is shown where it runs', async ({
  ringside,
  page,
}) => {
  const live = new LivePage(page)
  await ringside.open()
  await live.chooseArch('bare')
  await live.boot()
  // After the boot, system calls have moved the CPU between the user programs and the kernel.
  await expect(
    page.locator('[data-testid^="component-"][data-base-id^="guest-"][data-active="true"]'),
  ).toHaveCount(1)
  await page.getByTestId('pause').click()
  await live.setSpeed('25m')
  await page.getByTestId('step-unit').selectOption('flow')
  const token = page.getByTestId('flow-token')
  const device = /^(cpu|memory|disk|nic|uart|timer)$/
  const passed = async () =>
    (
      await page
        .locator('.rs-dg-edge-visual[data-used="true"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-edge') ?? ''))
    ).map((id) => id.split('>'))
  for (let i = 0; i < 10; i++) {
    await page.getByTestId('step').click()
    await expect(token).toBeVisible()
    await expect(token).toBeHidden({ timeout: 20_000 })
    const edges = await passed()
    if (
      edges.some(
        ([a, b]) => (a === 'guest-kernel' && device.test(b)) || (b === 'guest-kernel' && device.test(a)),
      )
    )
      return
  }
  throw new Error(`no token passed between the guest kernel and a device: ${JSON.stringify(await passed())}`)
})

test('bare: pause stops the virtual clock', async ({ ringside, page }) => {
  const live = new LivePage(page)
  await ringside.open()
  await live.chooseArch('bare')
  await live.setSpeed('5m')
  await page.getByTestId('run').click()
  await expect(live.status).toHaveAttribute('data-state', 'running')
  await expect.poll(async () => (await live.counts()).cycles).toBeGreaterThan(1_000_000)
  await page.getByTestId('pause').click()
  await expect(live.status).toHaveAttribute('data-state', 'paused')
  await expect(live.status).toHaveAttribute('data-running', 'false')
  const paused = await live.counts()
  await page.waitForTimeout(1000)
  expect(await live.counts()).toEqual(paused)
})

test('the run controls work from the keyboard alone', async ({ ringside, page }) => {
  const live = new LivePage(page)
  await ringside.open()
  await live.chooseArch('bare')
  // Tab reaches each control.
  await page.getByTestId('language-select').focus()
  const reached = new Set<string>()
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab')
    const id = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))
    if (id) reached.add(id)
  }
  for (const id of ['scenario-picker', 'run', 'step', 'speed']) expect(reached).toContain(id)

  await page.getByTestId('speed').focus()
  await page.keyboard.press('End')
  await expect(page.getByTestId('speed-label')).toHaveAttribute('data-speed', 'full')
  await page.keyboard.press('ArrowLeft')
  await expect(page.getByTestId('speed-label')).toHaveAttribute('data-speed', '25m')

  await page.getByTestId('step').focus()
  await page.keyboard.press('Enter')
  await expect.poll(async () => (await live.counts()).instructions).toBeGreaterThan(0)

  await page.getByTestId('run').focus()
  await page.keyboard.press('Space')
  await expect(live.status).toHaveAttribute('data-state', 'running')
  await expect(page.getByTestId('pause')).toBeEnabled()
  await page.getByTestId('pause').focus()
  await page.keyboard.press('Enter')
  await expect(live.status).toHaveAttribute('data-running', 'false')
  // The same through the shortcuts, also while a terminal has the focus.
  await live.typeInto(live.console(1), '')
  await page.keyboard.press('Alt+Shift+G')
  await expect(live.status).toHaveAttribute('data-running', 'true')
  await page.keyboard.press('Alt+Shift+P')
  await expect(live.status).toHaveAttribute('data-running', 'false')
})

test('the architecture, scenario, speed and step unit survive a reload', async ({ ringside, page }) => {
  const live = new LivePage(page)
  await ringside.open()
  await live.chooseArch('bare')
  await page.getByTestId('scenario-picker').selectOption('bench-io')
  await live.setSpeed('25m')
  await page.getByTestId('step-unit').selectOption('event')
  await page.reload()
  await ringside.waitForEngine()
  await expect(page.getByTestId('arch-picker')).toHaveValue('bare')
  await expect(page.getByTestId('scenario-picker')).toHaveValue('bench-io')
  await expect(page.getByTestId('speed-label')).toHaveAttribute('data-speed', '25m')
  await expect(page.getByTestId('step-unit')).toHaveValue('event')
  await expect(live.status).toHaveAttribute('data-state', 'paused')
})

test('WCAG 2.2 A/AA with the consoles open, in both languages and the projector theme; screenshots', async ({
  ringside,
  page,
}, testInfo) => {
  const live = new LivePage(page)
  await ringside.open()
  await live.chooseArch('bare')
  await live.boot()
  await live.typeInto(live.mgmt, 'help\n')
  await expect(live.screen(live.mgmt)).toContainText('help')
  // A machine running at full speed beside axe makes each check take seconds.
  await live.pause()
  for (const [language, theme] of [
    ['en', 'light'],
    ['zh-CN', 'light'],
    ['en', 'projector'],
    ['zh-CN', 'projector'],
  ] as const) {
    await ringside.languageSelect.selectOption(language)
    await ringside.themeSelect.selectOption(theme)
    await expectNoViolations(page, testInfo, `live-${language}-${theme}`)
  }
  for (const size of [
    { width: 1280, height: 720 },
    { width: 1920, height: 1080 },
  ]) {
    await page.setViewportSize(size)
    for (const [language, theme] of [
      ['en', 'light'],
      ['zh-CN', 'projector'],
    ] as const) {
      await ringside.languageSelect.selectOption(language)
      await ringside.themeSelect.selectOption(theme)
      // Kept under test-results/ as artifacts.
      await page.screenshot({
        path: testInfo.outputPath(`live-${size.width}x${size.height}-${language}-${theme}.png`),
      })
    }
  }
})

test.describe('failures', () => {
  test.use({ allowErrors: [/diagnostic engine fault/] })

  test('an engine crash is an error with a restart that brings the same session back', async ({
    ringside,
    page,
  }) => {
    const live = new LivePage(page)
    await ringside.open()
    await live.chooseArch('bare')
    await live.boot()
    await live.setSpeed('1m')
    await page.getByTestId('scenario-picker').selectOption('cpuinfo')
    await ringside.openAbout()
    await page.getByTestId('fault-crash').click()
    await page.getByTestId('about-close').click()
    await expect(ringside.engineError).toHaveAttribute('data-code', 'crashed')
    await page.getByTestId('engine-restart').click()
    await ringside.waitForEngine()
    await expect(ringside.engineError).toBeHidden()
    // The same architecture, scenario and speed, in a fresh session.
    await expect(page.getByTestId('diagram')).toHaveAttribute('data-arch', 'bare')
    await expect(page.getByTestId('scenario-picker')).toHaveValue('cpuinfo')
    await expect(page.getByTestId('speed-label')).toHaveAttribute('data-speed', '1m')
    await expect(live.status).toHaveAttribute('data-state', 'paused')
    await expect(live.status).toHaveAttribute('data-instructions', '0')
  })

  test('a guest that powers off is a stopped machine with its reason, not an error', async ({
    ringside,
    page,
  }) => {
    const live = new LivePage(page)
    await ringside.open()
    await live.chooseArch('bare')
    await live.boot()
    await live.typeInto(live.console(1), 'poweroff\n')
    await expect(live.status).toHaveAttribute('data-state', 'stopped')
    await expect(live.status).toHaveAttribute('data-stop', 'debug-exit')
    await expect(live.status).toContainText('powered off')
    await expect(page.getByTestId('run')).toBeDisabled()
    await expect(ringside.engineError).toBeHidden()
    // Restarting the VMs boots them again.
    await page.getByTestId('reset').click()
    await expect(live.status).toHaveAttribute('data-state', 'paused')
    await expect(page.getByTestId('run')).toBeEnabled()
  })
})
