export declare const CHROMIUM_ARGS: readonly string[]
export declare function chromiumPath(): string
export declare function findChromium(): string | null
export declare function missingChromiumMessage(): string
