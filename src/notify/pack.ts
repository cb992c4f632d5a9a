import type { Alert } from './payload.js';
import type { Limit, RenderedMessage } from './render.js';

export type Render = (alerts: readonly Alert[], remaining: number, limit?: Limit) => RenderedMessage;

export interface Packed {
  readonly message: RenderedMessage;
  /** How many alerts from the head of the queue the message carries. */
  readonly count: number;
  /** True when the one alert it carries had to be shortened to fit. */
  readonly truncated: boolean;
}

// Beyond this a chat message is unreadable anyway; also bounds the packing work.
const MAX_ALERTS_PER_MESSAGE = 200;

/**
 * The next message: as many alerts from the head of `queue` (in order) as fit in `budget` by `size`.
 * An alert too large on its own is shortened (texts cut at grapheme boundaries, then links dropped);
 * undefined only when even that cannot fit.
 */
export function pack(
  queue: readonly Alert[],
  render: Render,
  size: (message: RenderedMessage) => number,
  budget: number,
): Packed | undefined {
  if (queue.length === 0) return undefined;
  let best: RenderedMessage | undefined;
  let count = 0;
  const most = Math.min(queue.length, MAX_ALERTS_PER_MESSAGE);
  for (let k = 1; k <= most; k++) {
    const message = render(queue.slice(0, k), queue.length - k);
    if (size(message) > budget) break;
    best = message;
    count = k;
  }
  if (best) return { message: best, count, truncated: false };
  const alone = queue.slice(0, 1);
  const remaining = queue.length - 1;
  for (const links of [true, false]) {
    const fits = (chars: number) => {
      const message = render(alone, remaining, { chars, links });
      return size(message) <= budget ? message : undefined;
    };
    let fitting = fits(0);
    if (!fitting) continue;
    // The largest text length that still fits; size grows with it.
    let low = 0;
    let high = 4096;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      const message = fits(mid);
      if (message) {
        low = mid;
        fitting = message;
      } else {
        high = mid - 1;
      }
    }
    return { message: fits(low) ?? fitting, count: 1, truncated: true };
  }
  return undefined;
}
