import { cli, readLines } from '../helpers/cli.js';
import { loggingWorld } from '../helpers/logging-world.js';

/** The limiter under test: 8 requests a second on average, at most 5 in any one second. */
const LIMITS = { requestsPerSecond: 8, burstPerSecond: 5, maxRetries: 6 };

/**
 * Notion misbehaving, through the real CLI: 30 % of requests answered 429 with Retry-After, bursts of 500/502/503 and
 * slow answers. Every row must end in a final state, once, and the client-side rate limit must hold.
 */
describe('Notion storms', async () => {
  const { sandbox, log, config, env, row, field } = await loggingWorld({ randomSeed: 7 });

  it('30 % 429s, 5xx bursts and slow answers: every row ends done, once, and the rate limit holds', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => row(`CLI: storm ${i}`));
    sandbox.setFaults([
      { status: 500, times: 3 },
      { status: 502, times: 3 },
      { status: 503, times: 3 },
      { delayMs: 400, probability: 0.1 },
      { status: 429, retryAfterSeconds: 1, probability: 0.3 },
    ]);
    const since = sandbox.requests().at(-1)?.seq ?? 0;
    let result: Awaited<ReturnType<typeof cli>>;
    try {
      // At trace level the log names the slot the rate budget granted each request.
      // -v: the log lines on standard error (a command's log goes to its log file otherwise).
      result = await cli(['-v', 'once'], { ...env('storm', config({ notion: LIMITS })), TRACKSYNC_LOG_LEVEL: 'trace' });
      expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    } finally {
      sandbox.setFaults([]);
    }
    for (const id of ids) {
      expect(field(id, 'Downloaded')).toBe(true);
      expect(field(id, 'Processing Lock')).toBe('');
      expect(readLines(log).filter((l) => l.startsWith(`done ${id}`))).toHaveLength(1);
    }
    const requests = sandbox.requests(since);
    expect(requests.filter((r) => r.status === 429).length).toBeGreaterThan(5);
    // No one-second window holds more than the burst, and the average stays at or under the rate. The slots are the
    // ones the client's budget granted (the log's trace lines): the limit is the client's promise, and arrival times at
    // this test's own server would also measure how busy the machine running the test is.
    const times = result.stderr
      .split('\n')
      .filter((line) => line.includes('"msg":"notion request"'))
      .map((line) => (JSON.parse(line) as { slotAt: number }).slotAt)
      .sort((a, b) => a - b);
    expect(times).toHaveLength(requests.length);
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1_000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    expect(busiest).toBeLessThanOrEqual(5);
    const seconds = (times.at(-1)! - times[0]!) / 1000;
    expect(times.length / Math.max(seconds, 1)).toBeLessThanOrEqual(8);
  }, 180_000);
});
