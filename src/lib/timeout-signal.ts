/** An abort signal with a deadline; clear() once the operation settles. */
export interface Deadline {
  /** Aborts when the parent aborts (with its reason) or after the timeout (with a TimeoutError). */
  readonly signal: AbortSignal;
  /** Stops the timer and unhooks from the parent; the signal then never aborts. Idempotent. */
  clear(): void;
}

/**
 * What AbortSignal.any([parent, AbortSignal.timeout(ms)]) means, but with the timeout held by a timer.
 * On Node 20 the AbortSignal.timeout signal is only weakly held there, and a GC before it fires loses
 * the timeout (nodejs/node#57736): the operation then runs until the parent aborts.
 */
export function deadlineSignal(parent: AbortSignal | undefined, timeoutMs: number): Deadline {
  let timer: NodeJS.Timeout | undefined;
  const follower = followSignal(parent, () => clearTimeout(timer));
  if (follower.signal.aborted) return { signal: follower.signal, clear: () => undefined };
  const clear = (): void => {
    clearTimeout(timer);
    follower.clear();
  };
  // The same reason AbortSignal.timeout gives, so callers keep telling a timeout by name === 'TimeoutError'.
  timer = setTimeout(() => {
    clear();
    follower.controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, timeoutMs);
  // Unref'd like AbortSignal.timeout's own timer: the operation's socket keeps the process alive while it waits.
  timer.unref();
  return { signal: follower.signal, clear };
}

/** A controller that also aborts when its parent does (with the parent's reason), until clear(). */
export interface Follower {
  readonly controller: AbortController;
  readonly signal: AbortSignal;
  /** Unhooks from the parent; the signal then aborts only through the controller. Idempotent. */
  clear(): void;
}

/**
 * AbortSignal.any([parent, own]) for work that ends: AbortSignal.any ties every result to its sources with weak
 * references and a finalizer for life, which a scrape pays for in garbage collection; this unhooks when cleared.
 * `beforeAbort` runs when the parent aborts, before this signal does. Without a parent, only the controller aborts it.
 */
export function followSignal(parent: AbortSignal | undefined, beforeAbort?: () => void): Follower {
  const controller = new AbortController();
  if (parent === undefined) return { controller, signal: controller.signal, clear: () => undefined };
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, signal: controller.signal, clear: () => undefined };
  }
  const clear = whenAborted(parent, () => {
    beforeAbort?.();
    controller.abort(parent.reason);
  });
  return { controller, signal: controller.signal, clear };
}

/**
 * Calls `onAbort` once when `signal` aborts (at once when it has), until the returned function unhooks it: what a
 * signal's 'abort' listener does, through the one listener per signal that followSignal shares.
 */
export function whenAborted(signal: AbortSignal, onAbort: () => void): () => void {
  if (signal.aborted) {
    onAbort();
    return () => undefined;
  }
  const set = followers(signal);
  set.add(onAbort);
  return () => set.delete(onAbort);
}

// One 'abort' listener per parent, whatever the number of deadlines under it: a long-lived parent (a scrape, the
// container view) has one per call in flight, 16 inspects or 500 TLS endpoints at once, and EventTarget warns of
// a leak (MaxListenersExceededWarning) past 10 listeners. The set hangs on the signal itself rather than in a
// WeakMap: a WeakMap entry is an ephemeron, which every garbage collection has to trace apart, for each scrape.
const FOLLOWERS = Symbol('followers');

type Followed = AbortSignal & { [FOLLOWERS]?: Set<() => void> };

function followers(parent: Followed): Set<() => void> {
  let set = parent[FOLLOWERS];
  if (set === undefined) {
    const created = new Set<() => void>();
    set = created;
    parent[FOLLOWERS] = created;
    parent.addEventListener(
      'abort',
      () => {
        for (const follow of [...created]) follow();
        created.clear();
      },
      { once: true },
    );
  }
  return set;
}

/** Deadlines following `parent` now (for tests: a cleared or fired deadline must not stay hooked). */
export function followerCount(parent: AbortSignal): number {
  return (parent as Followed)[FOLLOWERS]?.size ?? 0;
}
