import { residentBytes } from '../../bench/report.js';
import { cli, waitFor } from '../helpers/cli.js';
import { loggingWorld } from '../helpers/logging-world.js';

/**
 * Notion gone altogether, through the real CLI: the daemon must outlive the outage without hammering Notion or growing,
 * say so on /healthz, and recover by itself, processing what was written meanwhile.
 */
describe('Notion outage', async () => {
  const { sandbox, config, env, row, field } = await loggingWorld();

  // `npm test` compresses "ten minutes" to 12 s (a cycle every 2 s stands in for the minute-long schedule); CI also
  // runs
  // the whole ten minutes once: TRACKSYNC_FAULT_OUTAGE_SECONDS=600 (.ci/run).
  const outageMs = Number(process.env.TRACKSYNC_FAULT_OUTAGE_SECONDS ?? 12) * 1000;
  it(
    `Notion unreachable for ${outageMs / 1000} s: the daemon keeps running, backs off, and recovers by itself`,
    async () => {
      const configPath = config({
        schedule: { cycleCron: '*/2 * * * * *' },
        notifications: { notionDownAfterMs: 4_000 },
        notion: { requestsPerSecond: 8, burstPerSecond: 5, maxRetries: 2 },
      });
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
        const gaps = at
          .slice(1)
          .map((t, i) => t - at[i]!)
          .sort((a, b) => a - b);
        expect(at.length).toBeGreaterThan(3);
        expect(gaps[Math.floor(gaps.length / 2)]!).toBeGreaterThan(200);
        expect(daemon.exitCode).toBeNull(); // still running
        // Failing cycles do not pile up: the memory after the outage is within 30 MB of the memory at its start.
        expect(residentBytes(daemon.pid!) - rssAtStart).toBeLessThan(30 * 2 ** 20);
        const health = await fetch(`${url}/healthz`);
        expect(health.status).toBe(503);
        expect(((await health.json()) as { status: string }).status).toBe('notion-down');
        sandbox.setFaults([]);
        await waitFor(
          () => field(before, 'Downloaded') === true,
          'the row written during the outage to be processed after it',
          60_000,
        );
        await waitFor(
          () =>
            stderr.includes('"msg":"cycle done"') &&
            /"errors":0[,}]/.test(
              stderr
                .split('\n')
                .filter((l) => l.includes('cycle done'))
                .at(-1) ?? '',
            ),
          'a clean cycle',
        );
        expect(((await (await fetch(`${url}/healthz`)).json()) as { status: string }).status).toBe('ok');
      } finally {
        sandbox.setFaults([]);
        daemon.kill('SIGTERM');
        const result = await daemon;
        expect(result.exitCode).toBe(0);
      }
    },
    180_000 + outageMs,
  );
});
