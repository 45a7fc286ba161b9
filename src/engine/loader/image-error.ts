/** A guest image that cannot be loaded (malformed, or does not fit the machine). The runner reports it and exits with code 2. */
export class ImageError extends Error {
  override readonly name = 'ImageError'
}
