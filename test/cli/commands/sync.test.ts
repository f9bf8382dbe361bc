import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../../state/store.js';
import { decodeProperty } from '../../../src/notion/codecs.js';
import { makeClip } from '../../helpers/audio.js';
import { cli, waitFor } from '../../helpers/cli.js';
import { pipelineWorld } from '../../helpers/pipeline.js';

/**
 * `tracksync sync` while `tracksync run` holds the state directory: the command cannot take the lock, so it hands the
 * row to the running daemon through SQLite and follows it there (the real CLI twice, the real pipeline, local servers).
 */
describe('tracksync sync beside a running daemon', async () => {
  const world = await pipelineWorld();
  const { sandbox, media } = world;
  const stateDir = join(world.dir, 'sync-daemon-state');
  const env = world.cliEnv('sync-daemon-config', { shutdown: { graceMs: 300, abortWaitMs: 3000 } })(
    'sync-daemon-state',
  );
  const rowsOf = (url: string) =>
    sandbox.workspace
      .allPages(sandbox.ids.tracks.dataSourceId)
      .filter((p) => decodeProperty(p.properties['Source URL']) === url);

  /** `tracksync run` as a service runs, up once its lock is taken (daemon.pid written) and its first cycle is done. */
  async function startRun(): Promise<{ process: ReturnType<typeof cli>; log: () => string }> {
    const run = cli(['run'], env);
    let log = '';
    run.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await waitFor(
      () => existsSync(join(stateDir, 'daemon.pid')) && log.includes('"msg":"cycle done"'),
      'tracksync run to start',
      60_000,
    );
    return { process: run, log: () => log };
  }

  it('hands the URL to the daemon: it syncs the row once, and sync shows its steps, the table and exit 0; a 404 exits 3', async () => {
    const daemon = await startRun();
    const good = await media.addFile(
      'beside-daemon.mp3',
      await makeClip({ tonic: 3, mode: 'minor', bpm: 110, seconds: 12 }),
    );
    const ok = await cli(['sync', good], env);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(
      /a tracksync daemon \(pid \d+\) is running on this state directory: handing the tracks to it/,
    );
    // Plain progress lines (not a terminal): the steps in words, then the end.
    expect(ok.stderr).toMatch(
      /beside-daemon: (Downloading|Converting|Analysing|Placing the files|Writing to Notion) \(step \d of 6\)/,
    );
    expect(ok.stderr).toMatch(/✓ .+ {2}synced in/);
    expect(ok.stdout).toMatch(/beside-daemon\s+110(\.\d)?\s+Eb Minor\s+2A\s+Source URL\s+synced\s+m4a, aiff, wav/);
    // Synced once, by the running daemon: one row, one attempt, and the hand-off in the daemon's own log.
    const rows = rowsOf(good);
    expect(rows).toHaveLength(1);
    expect(decodeProperty(rows[0]!.properties.Downloaded)).toBe(true);
    const store = Store.open(join(stateDir, 'tracksync.sqlite'));
    expect(store.items.getItemByPage('tracks', rows[0]!.id)).toMatchObject({
      state: 'done',
      outcome: 'synced',
      attempts: 1,
    });
    store.close();
    expect(daemon.log()).toContain('tracksync sync handed over a row; running it now');

    const missing = `${media.url}/audio/beside-daemon-missing.mp3`;
    const failed = await cli(['sync', missing], env);
    expect(failed.exitCode, failed.stderr).toBe(3);
    expect(failed.stdout).toContain('was removed, or the URL is wrong');
    expect(failed.stderr).toMatch(/✗ .+ {2}failed: .*was removed, or the URL is wrong/);

    const bad = await cli(['sync', 'not a url'], env);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('"not a url" is not a URL tracksync can sync');

    daemon.process.kill('SIGTERM');
    expect((await daemon.process).exitCode).toBe(0);
  }, 180_000);

  it('says so and exits 1, naming the pid, when the daemon stops before the track is done', async () => {
    const daemon = await startRun();
    const slow = await media.addFile(
      'beside-daemon-slow.mp3',
      await makeClip({ tonic: 5, mode: 'major', bpm: 120, seconds: 12 }),
    );
    // A slow link: the download takes minutes, so the daemon is stopped while it is still on it.
    media.throttle(new URL(slow).pathname, 1000);
    const sync = cli(['sync', slow], env);
    let progress = '';
    sync.stderr!.on('data', (chunk: Buffer) => (progress += chunk.toString()));
    await waitFor(() => /beside-daemon-slow: Downloading/.test(progress), 'sync to show the download', 60_000);
    daemon.process.kill('SIGTERM');
    expect((await daemon.process).exitCode).toBe(0);
    const result = await sync;
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toContain(
      `the tracksync daemon (pid ${daemon.process.pid}) that "${slow}" was handed to stopped before the track was done`,
    );
    expect(result.stderr).toContain('tracksync run');
    media.throttle(new URL(slow).pathname, 0);
  }, 180_000);
});
