/** A matcher for container-name globs (`*` any run of characters, `?` one character), anchored at both ends. */
export function globMatcher(globs: readonly string[]): (name: string) => boolean {
  const patterns = globs.map((glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
  return (name) => patterns.some((pattern) => pattern.test(name));
}
