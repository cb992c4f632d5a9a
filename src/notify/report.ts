import type { ChannelAdapter } from './channels.js';
import { lineBreakOf, type RenderedMessage } from './render.js';

/**
 * A report in parts a message can shorten: `head` always stays; when the message is over the robot's size limit,
 * `fleet` rows go first (from the end), then `items`, and `omitted(n)` says how many were left out.
 */
export interface ReportContent {
  /** Plain text, the verdict first (DingTalk's title in the chat list). */
  readonly title: string;
  readonly head: readonly string[];
  /** Markdown list entries; one may span lines ("\n"). */
  readonly items: readonly string[];
  readonly fine?: string;
  /** The day's trends from Prometheus (notify.report.prometheus_url), kept whole: a few lines. */
  readonly trends?: readonly string[];
  readonly fleetHeader?: string;
  readonly fleet: readonly string[];
  readonly omitted: (count: number) => string;
}

// Any one line longer than this is cut: a 2 KB finding or fix command would only crowd out the rest.
const MAX_LINE_CHARS = 400;

function cut(line: string): string {
  const chars = [...line];
  return chars.length <= MAX_LINE_CHARS ? line : `${chars.slice(0, MAX_LINE_CHARS - 1).join('')}…`;
}

/** The report as one message of `adapter`'s channel, within its size limit; the keyword added when the robot needs one. */
export function reportMessage(
  content: ReportContent,
  adapter: Pick<ChannelAdapter, 'channel' | 'limit' | 'size'>,
  keyword?: string,
): RenderedMessage {
  const br = lineBreakOf(adapter.channel);
  const title =
    keyword !== undefined && !content.title.includes(keyword) ? `${keyword} ${content.title}` : content.title;
  const items = content.items.map((item) => item.split('\n').map(cut).join(br));
  const fleet = content.fleet.map(cut);
  const render = (itemCount: number, fleetCount: number): RenderedMessage => {
    const blocks = [`### ${title}`, content.head.map(cut).join(br)];
    if (itemCount > 0) blocks.push(items.slice(0, itemCount).join('\n'));
    if (content.fine !== undefined) blocks.push(cut(content.fine));
    if (content.trends !== undefined && content.trends.length > 0) blocks.push(content.trends.map(cut).join(br));
    if (content.fleetHeader !== undefined)
      blocks.push([cut(content.fleetHeader), ...fleet.slice(0, fleetCount)].join(br));
    const left = items.length - itemCount + fleet.length - fleetCount;
    if (left > 0) blocks.push(content.omitted(left));
    return { title, text: blocks.join('\n\n'), mentions: false };
  };
  let itemCount = items.length;
  let fleetCount = fleet.length;
  let message = render(itemCount, fleetCount);
  while (adapter.size(message) > adapter.limit && (fleetCount > 0 || itemCount > 0)) {
    if (fleetCount > 0) fleetCount--;
    else itemCount--;
    message = render(itemCount, fleetCount);
  }
  return message;
}
