import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { residentBytes } from '../../bench/report.js';
import { decodeProperty } from '../../src/notion/codecs.js';
import { packageRoot } from '../../src/paths.js';
import { cli, readLines, waitFor } from '../helpers/cli.js';
import { text, title, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Notion misbehaving, through the real CLI: 30 % of requests answered 429 with Retry-After, bursts of 500/502/503 and
 * slow answers; then Notion gone altogether for a while. Every row must end in a final state, the client-side rate
 * limit must hold, and the daemon must outlive the outage and recover by itself.
 */
describe('Notion storms and outages', async () => {
  const sandbox = await withSandbox({ randomSeed: 7 });
  const dir = tempDir();
  const log = join(dir, 'handler.log');
  const config = (extra: object = {}) => {
    const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(
      path,
      JSON.stringify({
        handlers: [join(packageRoot(), 'test/fixtures/handlers/logging-track.mjs')],
        claims: { settleMs: 50 },
        shutdown: { graceMs: 300 },
        retry: { baseDelayMs: 200, maxDelayMs: 1_000, rateLimitedDefaultDelayMs: 500 },
        // The limiter under test: 8 requests a second on average, at most 5 in any one second.
        notion: { requestsPerSecond: 8, burstPerSecond: 5, maxRetries: 6 },
        ...extra,
      }),
    );
    return path;
  };
  const env = (state: string, configPath: string) => ({ ...sandbox.env(), TRACKSYNC_STATE_DIR: join(dir, state), TRACKSYNC_CONFIG: configPath, TEST_HANDLER_LOG: log, TRACKSYNC_HTTP_PORT: '0' });
  const row = (name: string) =>
    sandbox.workspace.createPage({ parent: { data_source_id: sandbox.ids.tracks.dataSourceId }, properties: { Title: title(name), 'Artist Name': text('Storm'), 'Source URL': { url: 'http://127.0.0.1/x.wav' } } }).id;
  const field = (id: string, name: string) => decodeProperty(sandbox.workspace.retrievePage(id).properties[name]);

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
    try {
      const result = await cli(['once'], env('storm', config()));
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
    // No one-second window holds more than the burst, and the average stays at or under the rate.
    const times = requests.map((r) => r.at).sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1_000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    expect(busiest).toBeLessThanOrEqual(5);
    const seconds = (times.at(-1)! - times[0]!) / 1000;
    expect(times.length / Math.max(seconds, 1)).toBeLessThanOrEqual(8);
  }, 180_000);

  // `npm test` compresses "ten minutes" to 12 s (a cycle every 2 s stands in for the minute-long schedule); CI also runs
  // the whole ten minutes once: TRACKSYNC_FAULT_OUTAGE_SECONDS=600 (.ci/run).
  const outageMs = Number(process.env.TRACKSYNC_FAULT_OUTAGE_SECONDS ?? 12) * 1000;
  it(`Notion unreachable for ${outageMs / 1000} s: the daemon keeps running, backs off, and recovers by itself`, async () => {
    const configPath = config({ schedule: { cycleCron: '*/2 * * * * *' }, notifications: { notionDownAfterMs: 4_000 }, notion: { requestsPerSecond: 8, burstPerSecond: 5, maxRetries: 2 } });
    const daemon = cli(['run'], env('outage', configPath));
    let stderr = '';
    daemon.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitFor(() => stderr.includes('"msg":"cycle done"'), 'a first cycle', 30_000);
      const url = stderr.match(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/)![1]!;
      sandbox.setFaults([{ drop: true }]);
      const outageStart = sandbox.requests().at(-1)?.seq ?? 0;
      const before = row('CLI: written during the outage');
      const rssAtStart = residentBytes(daemon.pid!);
      await new Promise((r) => setTimeout(r, outageMs));
      // Backing off, not hammering: a failed request is retried after a growing delay (0.5 s, then 1 s, with jitter),
      // so requests are spaced far wider than the limiter's 8 a second would allow.
      const at = sandbox.requests(outageStart).map((r) => r.at);
      const gaps = at.slice(1).map((t, i) => t - at[i]!).sort((a, b) => a - b);
      expect(at.length).toBeGreaterThan(3);
      expect(gaps[Math.floor(gaps.length / 2)]!).toBeGreaterThan(200);
      expect(daemon.exitCode).toBeNull(); // still running
      // Failing cycles do not pile up: the memory after the outage is within 30 MB of the memory at its start.
      expect(residentBytes(daemon.pid!) - rssAtStart).toBeLessThan(30 * 2 ** 20);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { status: string }).status).toBe('notion-down');
      sandbox.setFaults([]);
      await waitFor(() => field(before, 'Downloaded') === true, 'the row written during the outage to be processed after it', 60_000);
      await waitFor(() => stderr.includes('"msg":"cycle done"') && /"errors":0[,}]/.test(stderr.split('\n').filter((l) => l.includes('cycle done')).at(-1) ?? ''), 'a clean cycle');
      expect(((await (await fetch(`${url}/healthz`)).json()) as { status: string }).status).toBe('ok');
    } finally {
      sandbox.setFaults([]);
      daemon.kill('SIGTERM');
      const result = await daemon;
      expect(result.exitCode).toBe(0);
    }
  }, 180_000 + outageMs);
});
