import type { Clock } from '../clock.js';

export interface RateLimiterOptions {
  /** Long-run average. */
  requestsPerSecond: number;
  /** Most requests in any one-second window (and the token bucket's capacity). */
  burstPerSecond: number;
  clock: Clock;
}

/**
 * The window is a little longer than a second so that requests spaced exactly one window apart by our clock cannot
 * land inside one second by the server's clock (loopback jitter measured at under 5 ms; 25 ms of margin).
 */
const WINDOW_MS = 1_025;

/**
 * One limiter shared by every Notion call of the process: pollers, claims and write-backs, and the retries of each.
 * p-limit-style concurrency caps do not bound the rate (makenotion/lore #193); this does, two ways:
 * - a token bucket refilled at `requestsPerSecond` bounds the average;
 * - a sliding window bounds any one second to `burstPerSecond`.
 * A 429 or 529 pauses everyone (`pauseUntil`), because Notion's limit is per connection, not per caller.
 * Callers are served in arrival order.
 */
export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #refilledAt: number;
  #pausedUntil = 0;
  readonly #recentSends: number[] = [];
  #queue: Promise<void> = Promise.resolve();

  constructor(options: RateLimiterOptions) {
    if (!(options.requestsPerSecond > 0)) throw new RangeError(`requestsPerSecond must be > 0, got ${options.requestsPerSecond}`);
    if (!(options.burstPerSecond >= 1)) throw new RangeError(`burstPerSecond must be >= 1, got ${options.burstPerSecond}`);
    this.#rate = options.requestsPerSecond;
    this.#burst = Math.floor(options.burstPerSecond);
    this.#clock = options.clock;
    this.#tokens = this.#burst;
    this.#refilledAt = options.clock.now();
  }

  /** Resolves when the caller may send one request. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#waitForSlot(signal));
    // The next caller waits for this one whether it succeeds or is aborted.
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** Stops every caller until `untilMs` (a Retry-After told us to). Never shortens an existing pause. */
  pauseUntil(untilMs: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, untilMs);
  }

  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  async #waitForSlot(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.#clock.now();
      this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#refilledAt) * this.#rate) / 1000);
      this.#refilledAt = now;
      const waitForPause = this.#pausedUntil - now;
      const waitForToken = this.#tokens >= 1 ? 0 : ((1 - this.#tokens) * 1000) / this.#rate;
      const oldestInWindow = this.#recentSends.length >= this.#burst ? this.#recentSends[this.#recentSends.length - this.#burst]! : -Infinity;
      const waitForWindow = oldestInWindow + WINDOW_MS - now;
      const wait = Math.max(waitForPause, waitForToken, waitForWindow);
      if (wait <= 0) {
        this.#tokens -= 1;
        this.#recentSends.push(now);
        if (this.#recentSends.length > this.#burst) this.#recentSends.splice(0, this.#recentSends.length - this.#burst);
        return;
      }
      await this.#clock.sleep(Math.ceil(wait), signal);
    }
  }
}
