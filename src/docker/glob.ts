/** A matcher for container-name globs (`*` any run of characters, `?` one character), anchored at both ends. */
export function globMatcher(globs: readonly string[]): (name: string) => boolean {
  const patterns = globs.map(
    (glob) =>
      new RegExp(
        `^${glob
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      ),
  );
  return (name) => patterns.some((pattern) => pattern.test(name));
}

/**
 * A matcher for image globs (`onlyoffice/documentserver*`), tried on the reference as the container was created from
 * it and on the same without its registry host, so `registry.example.internal:5000/onlyoffice/documentserver:8.3` or
 * `docker.io/onlyoffice/documentserver` match a glob written for Docker Hub's name.
 */
export function imageMatcher(globs: readonly string[]): (image: string) => boolean {
  const match = globMatcher(globs);
  return (image) => {
    if (image === '' || globs.length === 0) return false;
    const slash = image.indexOf('/');
    const host = slash > 0 ? image.slice(0, slash) : '';
    const withoutHost =
      host !== '' && (host.includes('.') || host.includes(':') || host === 'localhost')
        ? image.slice(slash + 1)
        : image;
    return match(image) || match(withoutHost);
  };
}

/** A container is watched when its name matches one of `names` or its image one of `images`. */
export function containerMatcher(
  names: readonly string[],
  images: readonly string[],
): (name: string, image: string) => boolean {
  const byName = globMatcher(names);
  const byImage = imageMatcher(images);
  return (name, image) => byName(name) || byImage(image);
}
