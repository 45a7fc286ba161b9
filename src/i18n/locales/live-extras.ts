import { liveExtrasEn } from './live-extras.en'
import { liveExtrasZhCN, type LiveExtrasMessages } from './live-extras.zh-CN'

/** The live view's extra texts in an interface language (zh-CN is the source and the fallback). */
export function liveExtrasMessages(language: string): LiveExtrasMessages {
  return language.toLowerCase().startsWith('en') ? liveExtrasEn : liveExtrasZhCN
}
