import type { ImageInfo } from 'dockerode';

/** More references than this per image are not kept (a CI host may give one image hundreds of tags). */
export const MAX_REFS_PER_IMAGE = 32;

/**
 * Whether a container list's `Image` is an image ID rather than a reference: Docker lists the ID once the tag the
 * container was created from points at another image (re-pulled, re-tagged), or when it was created from an ID.
 */
export function isImageId(image: string, imageId: string): boolean {
  if (image === imageId) return true;
  const hex = image.replace(/^sha256:/, '');
  return /^[0-9a-f]{12,64}$/.test(hex) && imageId.replace(/^sha256:/, '').startsWith(hex);
}

/** An image's own names: its tags, and the repository@digest it was pulled as (kept when its tag moved on). */
export function refsOf(image: Pick<ImageInfo, 'RepoTags' | 'RepoDigests'>): string[] {
  const refs = [...(image.RepoTags ?? []), ...(image.RepoDigests ?? [])].filter(
    (ref) => ref !== '' && !ref.startsWith('<none>'),
  );
  return refs.slice(0, MAX_REFS_PER_IMAGE);
}

/**
 * The names of the images that containers listed by ID run, per image ID: from one list-images call, made only when
 * an ID not seen before appears, and holding only the IDs asked for last (bounded by the containers there are).
 */
export class ImageRefs {
  private byId = new Map<string, readonly string[]>();

  get(imageId: string): readonly string[] {
    return this.byId.get(imageId) ?? [];
  }

  /** Keeps `ids`; when one of them is new, asks `list` for all images. A list that fails leaves the new IDs unknown (asked again next time). */
  async learn(
    ids: ReadonlySet<string>,
    list: () => Promise<ImageInfo[]>,
    onError: (error: unknown) => boolean,
  ): Promise<void> {
    const next = new Map<string, readonly string[]>();
    for (const id of ids) {
      const known = this.byId.get(id);
      if (known !== undefined) next.set(id, known);
    }
    if (next.size < ids.size) {
      try {
        for (const image of await list()) if (ids.has(image.Id)) next.set(image.Id, refsOf(image));
        // Gone since (a forced removal): nothing to ask for again.
        for (const id of ids) if (!next.has(id)) next.set(id, []);
      } catch (error) {
        if (!onError(error)) throw error;
      }
    }
    this.byId = next;
  }
}
