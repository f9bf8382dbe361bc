import type { Clock } from '../clock.js';
import type { BudgetState } from '../../state/store.js';

export type { BudgetState };

/** What the gateway needs from a rate limiter: a slot per request, and a pause every caller respects. */
export interface RateBudget {
  /** Resolves, with the slot's time (ms since the epoch), when the caller may send one request. */
  acquire(signal?: AbortSignal): Promise<number>;
  /** Nobody sends before `untilMs` (a Retry-After). Never shortens an existing pause. */
  pauseUntil(untilMs: number): void;
  readonly pausedUntil: number;
}

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
export class RateLimiter implements RateBudget {
  readonly #rate: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #refilledAt: number;
  #pausedUntil = 0;
  readonly #recentSends: number[] = [];
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: RateLimiterOptions) {
    if (!(options.requestsPerSecond > 0))
      throw new RangeError(`requestsPerSecond must be > 0, got ${options.requestsPerSecond}`);
    if (!(options.burstPerSecond >= 1))
      throw new RangeError(`burstPerSecond must be >= 1, got ${options.burstPerSecond}`);
    this.#rate = options.requestsPerSecond;
    this.#burst = Math.floor(options.burstPerSecond);
    this.#clock = options.clock;
    this.#tokens = this.#burst;
    this.#refilledAt = options.clock.now();
  }

  /** Resolves, with the slot's time, when the caller may send one request. */
  acquire(signal?: AbortSignal): Promise<number> {
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

  async #waitForSlot(signal?: AbortSignal): Promise<number> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.#clock.now();
      this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#refilledAt) * this.#rate) / 1000);
      this.#refilledAt = now;
      const waitForPause = this.#pausedUntil - now;
      const waitForToken = this.#tokens >= 1 ? 0 : ((1 - this.#tokens) * 1000) / this.#rate;
      const oldestInWindow =
        this.#recentSends.length >= this.#burst
          ? this.#recentSends[this.#recentSends.length - this.#burst]!
          : -Infinity;
      const waitForWindow = oldestInWindow + WINDOW_MS - now;
      const wait = Math.max(waitForPause, waitForToken, waitForWindow);
      if (wait <= 0) {
        this.#tokens -= 1;
        this.#recentSends.push(now);
        if (this.#recentSends.length > this.#burst) this.#recentSends.splice(0, this.#recentSends.length - this.#burst);
        return now;
      }
      await this.#clock.sleep(Math.ceil(wait), signal);
    }
  }
}

/** The part of the Store the shared budget uses (one atomic read-modify-write of the budget's row). */
export interface RateBudgetStore {
  stepRateBudget<T>(key: string, decide: (state: BudgetState | undefined) => { state: BudgetState; result: T }): T;
  readRateBudgetPause(key: string): number;
}

/**
 * The same budget as RateLimiter, kept in the state directory's SQLite so that every tracksync process using one
 * integration token draws from it: the daemon, `tracksync sync`, `links`, `feeds` and `doctor` together stay within
 * the configured rate, and a Retry-After one of them receives holds back all of them. Notion's limits are per
 * integration and per workspace, not per process (developers.notion.com/reference/request-limits).
 *
 * Each slot is one SQLite write transaction (BEGIN IMMEDIATE; tens of microseconds): nothing next to a network call.
 * Processes share the system clock; callers of one process are still served in arrival order.
 */
export class SharedRateBudget implements RateBudget {
  readonly #store: RateBudgetStore;
  readonly #key: string;
  readonly #rate: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: RateLimiterOptions & { store: RateBudgetStore; key: string }) {
    if (!(options.requestsPerSecond > 0))
      throw new RangeError(`requestsPerSecond must be > 0, got ${options.requestsPerSecond}`);
    if (!(options.burstPerSecond >= 1))
      throw new RangeError(`burstPerSecond must be >= 1, got ${options.burstPerSecond}`);
    this.#store = options.store;
    this.#key = options.key;
    this.#rate = options.requestsPerSecond;
    this.#burst = Math.floor(options.burstPerSecond);
    this.#clock = options.clock;
  }

  acquire(signal?: AbortSignal): Promise<number> {
    const turn = this.#queue.then(() => this.#waitForSlot(signal));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  pauseUntil(untilMs: number): void {
    this.#store.stepRateBudget(this.#key, (state) => {
      const current = state ?? this.#fresh(this.#clock.now());
      return { state: { ...current, pausedUntil: Math.max(current.pausedUntil, untilMs) }, result: undefined };
    });
  }

  get pausedUntil(): number {
    return this.#store.readRateBudgetPause(this.#key);
  }

  #fresh(now: number): BudgetState {
    return { tokens: this.#burst, refilledAt: now, pausedUntil: 0, recent: [] };
  }

  async #waitForSlot(signal?: AbortSignal): Promise<number> {
    for (;;) {
      signal?.throwIfAborted();
      let slotAt = 0;
      const wait = this.#store.stepRateBudget(this.#key, (state) => {
        const now = this.#clock.now();
        slotAt = now;
        const current = state ?? this.#fresh(now);
        // A clock that went backwards (another process's clock is the same one; NTP can step it) refills nothing.
        const elapsed = Math.max(0, now - current.refilledAt);
        const tokens = Math.min(this.#burst, current.tokens + (elapsed * this.#rate) / 1000);
        const recent = current.recent.slice(-this.#burst);
        const waitForPause = current.pausedUntil - now;
        const waitForToken = tokens >= 1 ? 0 : ((1 - tokens) * 1000) / this.#rate;
        const oldestInWindow = recent.length >= this.#burst ? recent[recent.length - this.#burst]! : -Infinity;
        const waitForWindow = oldestInWindow + WINDOW_MS - now;
        const waitMs = Math.max(waitForPause, waitForToken, waitForWindow);
        if (waitMs <= 0) {
          return {
            state: {
              tokens: tokens - 1,
              refilledAt: now,
              pausedUntil: current.pausedUntil,
              recent: [...recent, now].slice(-this.#burst),
            },
            result: 0,
          };
        }
        return { state: { ...current, tokens, refilledAt: now, recent }, result: waitMs };
      });
      if (wait <= 0) return slotAt;
      await this.#clock.sleep(Math.ceil(wait), signal);
    }
  }
}
