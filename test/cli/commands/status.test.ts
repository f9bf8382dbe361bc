import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeClip } from '../../helpers/audio.js';
import { cli } from '../../helpers/cli.js';
import { FAST } from '../../helpers/daemon.js';
import { text, title } from '../../helpers/notion.js';
import { pipelineWorld } from '../../helpers/pipeline.js';

describe('tracksync status (the CLI as a subprocess)', async () => {
  const world = await pipelineWorld();
  const { sandbox, media } = world;
  const configPath = join(world.dir, 'status-config.json');
  // A rate-limited row waits 30 minutes: its next attempt reads "in 29 min" or "in 30 min", never milliseconds.
  const wait = 30 * 60_000;
  writeFileSync(
    configPath,
    JSON.stringify({
      ...FAST,
      search: media.search,
      retry: { ...FAST.retry, baseDelayMs: wait, maxDelayMs: wait, rateLimitedDefaultDelayMs: wait },
    }),
  );
  const logDir = join(world.dir, 'status-logs');
  const env = {
    ...sandbox.env(),
    ...world.env(),
    TRACKSYNC_STATE_DIR: join(world.dir, 'status-state'),
    TRACKSYNC_CONFIG: configPath,
    TRACKSYNC_HTTP_PORT: '0',
    TRACKSYNC_LOG_DIR: logDir,
  };
  const track = (name: string, url: string) =>
    sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { Title: title(name), 'Artist Name': text('Status Band'), 'Source URL': { url } },
    }).id;

  it('shows no daemon, the latest synced tracks, waiting rows with cause and next attempt in words, failures; -v the raw output', async () => {
    track(
      'Good One',
      await media.addFile('status-good.mp3', await makeClip({ tonic: 9, mode: 'minor', bpm: 124, seconds: 12 })),
    );
    track('Busy One', await media.addFile('status-busy.mp3', await makeClip({ seconds: 12 })));
    media.setStatus('/audio/status-busy.mp3', 429);
    track('Gone One', `${media.url}/audio/status-gone.mp3`);
    const once = await cli(['once'], env);
    expect(once.exitCode, once.stderr).toBe(0);
    // The result table of once: every row it processed, failures in words.
    expect(once.stdout).toMatch(/Status Band - Good One\s+124(\.\d)?\s+A Minor\s+8A\s+Source URL\s+synced/);
    expect(once.stdout).toContain('was removed, or the URL is wrong');
    // The log lines went to the log file, not between the results; -v sends them to standard error instead.
    const jsonLine = /^\{"level":/m;
    expect(once.stdout).not.toMatch(jsonLine);
    expect(once.stderr).not.toMatch(jsonLine);
    expect(readFileSync(join(logDir, 'tracksync.log'), 'utf8')).toMatch(/"msg":"item failed"/);
    const verboseOnce = await cli(['-v', 'once'], env);
    expect(verboseOnce.exitCode).toBe(0);
    expect(verboseOnce.stderr).toMatch(jsonLine);
    expect(verboseOnce.stdout).not.toMatch(jsonLine);

    const status = await cli(['status'], env);
    expect(status.exitCode).toBe(0);
    const out = status.stdout;
    expect(out).toContain('Daemon: not running on this state directory');
    expect(out).toMatch(
      /Latest synced \(1\):\n.*\n {2}Status Band - Good One\s+124(\.\d)?\s+A Minor\s+8A\s+Source URL\s+(just now|\d+ s ago)\s+[34]/,
    );
    expect(out).toMatch(
      /Waiting to retry \(1\):\n {2}"Status Band - Busy One": the site is limiting requests.*\n {6}next attempt in (29|30) min \(\d{4}-\d\d-\d\d \d\d:\d\d\), attempt 1 so far/,
    );
    expect(out).toMatch(/Failed \(1\):\n {2}"Status Band - Gone One": the source was removed, or the URL is wrong/);
    expect(out).not.toMatch(/retryInMs|\d{5,} ms|HTTP Error 404|SOURCE_NOT_FOUND/);
    expect(out).toContain('tracksync status -v shows the raw tool output');

    const verbose = await cli(['status', '-v'], env);
    expect(verbose.stdout).toMatch(/"Status Band - Gone One".*\n {6}raw output:\n(.*\n)*.*HTTP Error 404/);

    const json = JSON.parse((await cli(['status', '--json'], env)).stdout) as {
      daemon: { running: boolean };
      recent: Array<{ title: string; files: string[]; camelot: string }>;
    };
    expect(json.daemon.running).toBe(false);
    expect(json.recent).toEqual([expect.objectContaining({ title: 'Good One', camelot: '8A' })]);
    expect(json.recent[0]!.files.length).toBeGreaterThanOrEqual(3);
    media.setStatus('/audio/status-busy.mp3', 0);
  }, 180_000);
});
