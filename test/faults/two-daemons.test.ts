import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProperty } from '../../src/notion/codecs.js';
import { packageRoot } from '../../src/paths.js';
import { cli, readLines, waitFor } from '../helpers/cli.js';
import { text, title, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Two `tracksync run` processes with their own state folders on the same databases, as on two Macs: Notion is the only
 * thing they share, and it has no compare-and-swap, so the claim (write the lock, wait settleMs, read it back) is all
 * that keeps them apart. Every row must be worked on by exactly one of them, once.
 */
describe('two daemons on the same databases, through the CLI', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir();
  const log = join(dir, 'handler.log');
  const configPath = join(dir, 'config.json');
  // Each daemon holds at most 2 rows at a time, so neither can take the whole batch; the settle wait is the default.
  writeFileSync(
    configPath,
    JSON.stringify({
      handlers: [join(packageRoot(), 'test/fixtures/handlers/logging-track.mjs')],
      schedule: { cycleCron: '*/1 * * * * *' },
      concurrency: { maxItems: 2, claimBatchSize: 2 },
      notion: { requestsPerSecond: 20, burstPerSecond: 20 },
      shutdown: { graceMs: 300 },
    }),
  );
  const env = (state: string) => ({ ...sandbox.env(), TRACKSYNC_STATE_DIR: join(dir, state), TRACKSYNC_CONFIG: configPath, TEST_HANDLER_LOG: log, TEST_HANDLER_SLEEP_MS: '300', TRACKSYNC_HTTP_PORT: '0' });

  it('each row is processed once, by one of them, and both take part', async () => {
    const ids = Array.from({ length: 16 }, (_, i) => sandbox.workspace.createPage({ parent: { data_source_id: sandbox.ids.tracks.dataSourceId }, properties: { Title: title(`CLI: shared ${i}`), 'Artist Name': text('Two Macs'), 'Source URL': { url: 'http://127.0.0.1/x.wav' } } }).id);
    const daemons = [cli(['run'], env('mac-studio')), cli(['run'], env('macbook'))];
    const done = () => ids.filter((id) => decodeProperty(sandbox.workspace.retrievePage(id).properties.Downloaded) === true).length;
    try {
      await waitFor(() => done() === ids.length, 'every row to be done', 120_000);
    } finally {
      for (const daemon of daemons) daemon.kill('SIGTERM');
      for (const daemon of daemons) expect((await daemon).exitCode).toBe(0);
    }
    const lines = readLines(log);
    for (const id of ids) {
      expect(lines.filter((l) => l.startsWith(`start ${id} `))).toHaveLength(1);
      expect(lines.filter((l) => l.startsWith(`done ${id} `))).toHaveLength(1);
      expect(decodeProperty(sandbox.workspace.retrievePage(id).properties['Processing Lock'])).toBe('');
    }
    const pids = new Set(lines.map((l) => l.match(/pid=(\d+)/)?.[1]));
    expect([...pids].sort()).toEqual(daemons.map((d) => String(d.pid)).sort());
  }, 180_000);
});
