import type { zhCN } from './locales/zh-CN'

/** The shape of every locale: zh-CN's keys, with string values. */
export type Messages = DeepStrings<typeof zhCN>

type DeepStrings<T> = { readonly [K in keyof T]: T[K] extends string ? string : DeepStrings<T[K]> }

/** Every translation key, as a dotted path ("panels.diagram.title"). */
export type MessageKey = Leaves<Messages>

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>
}[keyof T & string]
