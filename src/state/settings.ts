import { isGuestName } from '../client/guest-images'
import { isArchId, type ArchId } from '../engine/hv/architectures'
import { isScenarioId, type ScenarioId } from '../engine/session/scenarios'
import type { StepUnit } from '../engine/session/session'
import { isLanguage, type Language } from '../i18n/i18n'
import { DEFAULT_SPEED, isRunSpeedId, type RunSpeedId } from './slices/run-speed'

export const THEMES = ['light', 'dark', 'projector'] as const
export type Theme = (typeof THEMES)[number]

export function isTheme(x: unknown): x is Theme {
  return typeof x === 'string' && (THEMES as readonly string[]).includes(x)
}

/** Sizes of the resizable regions, as fractions of their container. */
export interface PanelSizes {
  /** Inspector width, of the top row. */
  readonly inspector: number
  /** Consoles-and-timeline height, of the workspace. */
  readonly bottom: number
  /** Consoles width, of the bottom row. */
  readonly consoles: number
}
export type PanelName = keyof PanelSizes

export const PANEL_LIMITS: Readonly<Record<PanelName, readonly [min: number, max: number]>> = {
  inspector: [0.15, 0.6],
  bottom: [0.15, 0.7],
  consoles: [0.15, 0.85],
}
export const DEFAULT_PANELS: PanelSizes = { inspector: 0.28, bottom: 0.34, consoles: 0.5 }

export function clampPanel(name: PanelName, fraction: number): number {
  const [min, max] = PANEL_LIMITS[name]
  return Number.isFinite(fraction) ? Math.min(max, Math.max(min, fraction)) : DEFAULT_PANELS[name]
}

/** The architecture the diagram shows and how many VMs it runs. */
export interface DiagramChoice {
  readonly arch: ArchId
  readonly vms: number
}

export const MAX_VMS = 3
export const DEFAULT_DIAGRAM: DiagramChoice = { arch: 'kvm', vms: 1 }

function parseDiagram(raw: unknown): DiagramChoice | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined
  const r = raw as Record<string, unknown>
  const arch = typeof r.arch === 'string' && isArchId(r.arch) ? r.arch : DEFAULT_DIAGRAM.arch
  const vms = Number.isInteger(r.vms) && (r.vms as number) >= 1 && (r.vms as number) <= MAX_VMS
  return { arch, vms: vms ? (r.vms as number) : DEFAULT_DIAGRAM.vms }
}

/** The live view's choices: scenario, speed, step unit and guest images. */
export interface LiveSettings {
  readonly scenario: ScenarioId
  readonly speed: RunSpeedId
  readonly stepUnit: StepUnit
  /**
   * The guest image the user picked for each architecture, by its name in guests.json (checked against
   * the manifest when a session starts). An architecture without one boots its default
   * (`defaultGuest` in slices/guest-platforms.ts).
   */
  readonly guests: Readonly<Partial<Record<ArchId, string>>>
}

export const STEP_UNITS: readonly StepUnit[] = ['instruction', 'event', 'flow']
export const DEFAULT_LIVE: LiveSettings = {
  scenario: 'boot',
  speed: DEFAULT_SPEED,
  stepUnit: 'flow',
  guests: {},
}

function parseLive(raw: unknown): LiveSettings | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined
  const r = raw as Record<string, unknown>
  return {
    scenario: isScenarioId(r.scenario) ? r.scenario : DEFAULT_LIVE.scenario,
    speed: isRunSpeedId(r.speed) ? r.speed : DEFAULT_LIVE.speed,
    stepUnit: STEP_UNITS.find((u) => u === r.stepUnit) ?? DEFAULT_LIVE.stepUnit,
    guests: parseGuests(r.guests),
  }
}

function parseGuests(raw: unknown): LiveSettings['guests'] {
  if (typeof raw !== 'object' || raw === null) return DEFAULT_LIVE.guests
  return Object.fromEntries(
    Object.entries(raw).filter(([arch, name]) => isArchId(arch) && isGuestName(name)),
  ) as LiveSettings['guests']
}

/**
 * What the user chose and what survives reloads and engine restarts. `null` means "not chosen":
 * follow the browser (navigator.languages, prefers-color-scheme).
 */
export interface Settings {
  readonly language: Language | null
  readonly theme: Theme | null
  readonly panels: PanelSizes
  /** Absent until the user picks an architecture: {@link DEFAULT_DIAGRAM}. */
  readonly diagram?: DiagramChoice
  /** Absent until the user changes one: {@link DEFAULT_LIVE}. */
  readonly live?: LiveSettings
}

export const DEFAULT_SETTINGS: Settings = { language: null, theme: null, panels: DEFAULT_PANELS }

/** Reads stored settings, keeping each valid field and defaulting the rest (the data is untrusted). */
export function parseSettings(text: string | null): Settings {
  if (text === null || text.length > 10_000) return DEFAULT_SETTINGS
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return DEFAULT_SETTINGS
  }
  if (typeof raw !== 'object' || raw === null) return DEFAULT_SETTINGS
  const r = raw as Record<string, unknown>
  const p = typeof r.panels === 'object' && r.panels !== null ? (r.panels as Record<string, unknown>) : {}
  const panel = (name: PanelName) =>
    typeof p[name] === 'number' ? clampPanel(name, p[name]) : DEFAULT_PANELS[name]
  const diagram = parseDiagram(r.diagram)
  const live = parseLive(r.live)
  return {
    language: isLanguage(r.language) ? r.language : null,
    theme: isTheme(r.theme) ? r.theme : null,
    panels: { inspector: panel('inspector'), bottom: panel('bottom'), consoles: panel('consoles') },
    ...(diagram === undefined ? {} : { diagram }),
    ...(live === undefined ? {} : { live }),
  }
}

/** The part of Web Storage the settings need (localStorage; a Map-backed fake in tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

export const SETTINGS_KEY = 'ringside.settings.v1'

export function loadSettings(storage: KeyValueStorage | null): Settings {
  try {
    return parseSettings(storage?.getItem(SETTINGS_KEY) ?? null)
  } catch {
    return DEFAULT_SETTINGS
  }
}

/** Saves settings; a full or forbidden storage (private mode, quota) is not an error worth showing. */
export function saveSettings(storage: KeyValueStorage | null, settings: Settings): void {
  try {
    storage?.setItem(SETTINGS_KEY, JSON.stringify(settings))
  } catch {
    // Settings then last for this page only.
  }
}
