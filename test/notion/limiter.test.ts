import type { Clock } from '../../src/clock.js';
import { RateLimiter } from '../../src/notion/limiter.js';

/** A clock that only moves when someone sleeps: the limiter's schedule becomes exact and repeatable. */
function virtualClock(): Clock & { sends: number[] } {
  let now = 1_000_000;
  return {
    sends: [],
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
}

describe('RateLimiter', () => {
  it('never lets more than the burst into any one-second window, and holds the average', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter({ requestsPerSecond: 2.5, burstPerSecond: 4, clock });
    const start = clock.now();
    for (let i = 0; i < 200; i += 1) {
      await limiter.acquire();
      clock.sends.push(clock.now());
    }
    for (let i = 0; i + 4 < clock.sends.length; i += 1) {
      expect(clock.sends[i + 4]! - clock.sends[i]!).toBeGreaterThanOrEqual(1000);
    }
    const seconds = (clock.now() - start) / 1000;
    // The bucket starts full (4 tokens), so 200 requests need at least (200 - 4) / 2.5 seconds.
    expect(seconds).toBeGreaterThanOrEqual((200 - 4) / 2.5);
    expect(200 / seconds).toBeLessThanOrEqual(2.5 + 4 / seconds);
  });

  it('holds every caller back while paused by a Retry-After', async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter({ requestsPerSecond: 10, burstPerSecond: 10, clock });
    limiter.pauseUntil(clock.now() + 7_000);
    const before = clock.now();
    await limiter.acquire();
    expect(clock.now() - before).toBeGreaterThanOrEqual(7_000);
  });

  it('rejects nonsense settings with the value', () => {
    expect(() => new RateLimiter({ requestsPerSecond: 0, burstPerSecond: 1, clock: virtualClock() })).toThrow(
      'requestsPerSecond must be > 0, got 0',
    );
  });
});
