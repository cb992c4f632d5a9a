/**
 * At most `limit` sends in any rolling `windowMs`. Stricter than a robot's per-minute counter, so
 * keeping to it never trips DingTalk's 130101 (and its ten-minute throttle) or WeCom's 45009.
 */
export class SlidingWindowLimiter {
  private readonly sent: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    if (!(windowMs > 0)) throw new RangeError('windowMs must be positive');
  }

  /** Milliseconds to wait before the next send is allowed (0: now). */
  delay(now: number): number {
    this.prune(now);
    if (this.sent.length < this.limit) return 0;
    return this.sent[this.sent.length - this.limit]! + this.windowMs - now;
  }

  record(now: number): void {
    this.prune(now);
    this.sent.push(now);
  }

  /** Sends within the window ending now. */
  count(now: number): number {
    this.prune(now);
    return this.sent.length;
  }

  private prune(now: number): void {
    while (this.sent.length > 0 && this.sent[0]! <= now - this.windowMs) this.sent.shift();
  }
}
