import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Handler } from '../src/engine/contracts.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config/load.js';
import { musicApp } from '../src/app/music.js';
import { Daemon } from '../src/engine/daemon.js';
import { Services } from '../src/engine/services.js';
import { silentLogger } from '../src/log.js';
import { startSandbox } from '../src/sandbox/server.js';
import { DEFAULT_AGGREGATION_DELAY_MS } from '../src/sandbox/webhooks.js';
import { startStatusServer } from '../src/server/http.js';
import { Metrics } from '../src/server/metrics.js';
import { median, ratio, type BenchSection } from './report.js';

/**
 * Pickup latency: from a row created in (local) Notion to the daemon's claim of it, with the default schedule (a cycle
 * every minute) alone, then with the webhook waking the poller, twice: with the local Notion's default delivery delay,
 * which is Notion's documented bound ("within a minute", developers.notion.com/reference/webhooks), and with a short
 * one (200 ms), the best case. Notion does not document how fast it usually is: the truth lies between the two.
 * Default settings throughout, including the 1 s claim settle, so the figures are what a user sees.
 */

/** The short delivery delay: the best case, and what the test suite uses. */
const FAST_AGGREGATION_MS = 200;
const POLL_ONLY_SAMPLES = 3;
const FAST_WEBHOOK_SAMPLES = 10;
const REAL_WEBHOOK_SAMPLES = 3;

const quick: Handler<'tracks'> = {
  name: 'bench-pickup',
  source: 'tracks',
  accepts: (input) => String(input.fields.title ?? '').startsWith('pickup'),
  run: async () => ({ outcome: 'synced', properties: { downloaded: true } }),
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function pickupBench(): Promise<BenchSection> {
  const sandbox = await startSandbox({ sampleRows: false });
  const stateDir = mkdtempSync(join(tmpdir(), 'tracksync-pickup-'));
  const config = loadConfig({
    env: { ...sandbox.env(), TRACKSYNC_STATE_DIR: stateDir, TRACKSYNC_HTTP_PORT: '0' },
    cwd: stateDir,
  });
  const daemon = await Daemon.start({
    app: musicApp,
    config,
    logger: silentLogger(),
    handlers: [quick as Handler],
    services: new Services(),
  });
  const claimedAt = new Map<string, number>();
  daemon.events.on('item:claimed', (e) => claimedAt.set(e.pageId, performance.now()));
  daemon.startSchedule();
  let n = 0;
  const sample = async (): Promise<number> => {
    const created = performance.now();
    const id = sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: {
        Title: { title: [{ text: { content: `pickup ${++n}` } }] },
        'Source URL': { url: 'https://soundcloud.com/artist/pickup' },
      },
    }).id;
    while (!claimedAt.has(id)) await sleep(10);
    return (claimedAt.get(id)! - created) / 1000;
  };
  const server = await startStatusServer({
    daemon,
    metrics: new Metrics(),
    logger: silentLogger(),
    clock: systemClock,
    stateDir,
  });
  try {
    const pollOnly: number[] = [];
    for (let i = 0; i < POLL_ONLY_SAMPLES; i++) {
      await sleep(Math.random() * 20_000); // rows arrive at any second of the minute
      pollOnly.push(await sample());
    }
    // One subscription (the receiver keeps its verification token), first with Notion's bound, then the short delay.
    const subscription = await sandbox.subscribeWebhook({ url: `${server!.url}/webhooks/notion` });
    const webhookSamples = async (count: number, pauseMs: () => number): Promise<number[]> => {
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        await sleep(pauseMs());
        samples.push(await sample());
      }
      return samples;
    };
    const real = await webhookSamples(REAL_WEBHOOK_SAMPLES, () => Math.random() * 20_000);
    sandbox.setWebhookDelay(subscription.subscriptionId, FAST_AGGREGATION_MS);
    // A late delivery of the last slow event may still be under way: let it land before timing the fast ones.
    await sleep(DEFAULT_AGGREGATION_DELAY_MS + 1_000);
    const fast = await webhookSamples(FAST_WEBHOOK_SAMPLES, () => 1_500 + Math.random() * 1_000);
    const s = (v: number): string => `${v.toFixed(2)} s`;
    return {
      title: 'Pickup: a new row to its claim',
      command: 'npm run bench -- pickup (bench/pickup.ts)',
      rows: [
        {
          figure: `with the webhook at Notion's documented delivery bound (${DEFAULT_AGGREGATION_DELAY_MS / 1000} s), median of ${REAL_WEBHOOK_SAMPLES} rows / ${POLL_ONLY_SAMPLES} rows by polling alone (max ${s(Math.max(...real))} with it)`,
          ours: s(median(real)),
          baseline: s(median(pollOnly)),
          ratio: ratio(median(real), median(pollOnly)),
          note: "the worst case Notion documents: the minute's poll often comes first",
        },
        {
          figure: `with the webhook delivered after ${FAST_AGGREGATION_MS} ms (best case), median of ${FAST_WEBHOOK_SAMPLES} rows / ${POLL_ONLY_SAMPLES} rows by polling alone (max ${s(Math.max(...fast))} with it)`,
          ours: s(median(fast)),
          baseline: s(median(pollOnly)),
          ratio: ratio(median(fast), median(pollOnly)),
          note: median(fast) < 2 ? 'under 2 s once the event arrives' : 'OVER 2 s once the event arrives',
        },
      ],
      notes: [
        `Notion documents only that a webhook is sent "within a minute" of a change, with page events aggregated; the local Notion holds events for that minute by default (${DEFAULT_AGGREGATION_DELAY_MS / 1000} s), which gives the first row. Real deliveries land somewhere between the two rows.`,
        `Once the event arrives: the daemon's 300 ms debounce, one incremental query and the claim with its 1 s settle read-back (the second row, with the local Notion's ${FAST_AGGREGATION_MS} ms delivery).`,
        'Polling alone waits for the next minute of the default schedule (30 s on average); it stays the backstop for missed or late deliveries.',
      ],
    };
  } finally {
    await server?.close();
    await daemon.stop('bench over');
    await sandbox.close();
  }
}
