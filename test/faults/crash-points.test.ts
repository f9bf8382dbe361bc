import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { decodeProperty } from '../../src/notion/codecs.js';
import { makeClip } from '../helpers/audio.js';
import { cli, waitFor } from '../helpers/cli.js';
import { text, title } from '../helpers/notion.js';
import { pipelineWorld } from '../helpers/pipeline.js';
import { filesUnder } from '../helpers/tmp.js';

/**
 * kill -9 at the three moments that matter (in the download, in the conversion, between the files' rename and the
 * Notion write), then a restart: each track ends done exactly once, with one copy of each file, no temp file left
 * and no row locked. The real CLI, the real yt-dlp and ffmpeg, the local Notion and media site.
 */
describe('kill -9 at every stage, then restart', async () => {
  const world = await pipelineWorld();
  const { sandbox, media } = world;
  const field = (id: string, name: string) => decodeProperty(sandbox.workspace.retrievePage(id).properties[name]);
  // ffmpeg behind a wrapper that, while the file "hold" exists, writes "converting" and waits before the real ffmpeg
  // runs: the conversion is then in progress when the test kills the daemon.
  const gate = join(world.dir, 'ffmpeg-gate');
  mkdirSync(gate, { recursive: true });
  const wrapper = join(gate, 'ffmpeg');
  writeFileSync(
    wrapper,
    `#!/bin/sh\ncase "$*" in *" -f ipod "*|*" -c:a alac "*) if [ -e "${gate}/hold" ]; then touch "${gate}/converting"; while [ -e "${gate}/hold" ]; do sleep 0.1; done; fi;; esac\nexec ffmpeg "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  const env = world.cliEnv('crash-config', { media: { tools: { ffmpeg: wrapper } } });
  const outputs = () => [world.outDir, world.backupDir, world.wavBackupDir].flatMap(filesUnder);

  async function track(name: string, tonic: number): Promise<{ id: string; file: string }> {
    const file = `${name.toLowerCase().replaceAll(' ', '-')}.mp3`;
    const url = await media.addFile(file, await makeClip({ tonic, mode: 'minor', bpm: 124, seconds: 30 }));
    const id = sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { Title: title(name), 'Artist Name': text('Crash Test'), 'Source URL': { url } },
    }).id;
    return { id, file };
  }

  /** After the restart: done once, one file per destination, nothing temporary, no lock, no work folder. */
  function expectCleanlyDone(id: string, name: string, state: string): void {
    expect(field(id, 'Downloaded')).toBe(true);
    expect(field(id, 'Processing Lock')).toBe('');
    const mine = outputs().filter((p) => p.includes(`Crash Test - ${name}`));
    expect(mine.map((p) => p.split('.').pop()).sort()).toEqual(['aiff', 'm4a', 'm4a', 'wav']); // OUT_DIR m4a+aiff, BACKUP_DIR m4a, WAV_BACKUP_DIR wav
    expect(mine.some((p) => / \(\d+\)\.\w+$/.test(p))).toBe(false); // no "Name (2).m4a": no second copy
    expect(outputs().filter((p) => /\.tmp$|\.part$|\.tracksync-/.test(p))).toEqual([]);
    const store = Store.open(join(world.dir, state, 'tracksync.sqlite'));
    try {
      const item = store.items.getItemByPage('tracks', id)!;
      expect(item.state).toBe('done');
      expect(store.items.listAttempts(item.id).filter((a) => a.outcome === 'synced')).toHaveLength(1);
      expect(store.library.listPendingFiles()).toEqual([]);
      expect(existsSync(join(world.dir, state, 'work', String(item.id)))).toBe(false);
    } finally {
      store.close();
    }
  }

  /** kill -9 the running daemon, undo the test's hold on it, then a plain restart must finish the track cleanly. */
  async function killAndRestart(
    daemon: ReturnType<typeof cli>,
    track: { id: string; name: string; state: string },
    release: () => void,
  ): Promise<void> {
    daemon.kill('SIGKILL');
    await daemon;
    release();
    expect(field(track.id, 'Downloaded')).toBe(false);
    const again = await cli(['once'], env(track.state));
    expect(again.exitCode, again.stderr).toBe(0);
    expectCleanlyDone(track.id, track.name, track.state);
  }

  it('in the middle of the download', async () => {
    const { id, file } = await track('Slow Download', 1);
    media.throttle(`/audio/${file}`, 40_000); // ~10 s for the 30 s clip
    const daemon = cli(['run'], env('crash-download'));
    await waitFor(() => media.requests().some((r) => r === `GET /audio/${file}`), 'the download to start', 30_000);
    await new Promise((r) => setTimeout(r, 1_000));
    await killAndRestart(daemon, { id, name: 'Slow Download', state: 'crash-download' }, () =>
      media.throttle(`/audio/${file}`, 0),
    );
  }, 120_000);

  it('in the middle of the conversion', async () => {
    const { id } = await track('Held Conversion', 2);
    writeFileSync(join(gate, 'hold'), '');
    const daemon = cli(['run'], env('crash-convert'));
    await waitFor(() => existsSync(join(gate, 'converting')), 'the conversion to start', 60_000);
    await killAndRestart(daemon, { id, name: 'Held Conversion', state: 'crash-convert' }, () => {
      rmSync(join(gate, 'hold'));
      rmSync(join(gate, 'converting'));
    });
  }, 120_000);

  it('between the files appearing and the Notion write', async () => {
    const { id } = await track('Unwritten Result', 3);
    writeFileSync(join(gate, 'hold'), '');
    const daemon = cli(['run'], env('crash-writeback'));
    await waitFor(() => existsSync(join(gate, 'converting')), 'the conversion to start', 60_000);
    // From now on Notion drops every write to this page: the files get placed, the result cannot be written.
    sandbox.setFaults([{ method: 'PATCH', path: `^/pages/${id}`, drop: true }]);
    rmSync(join(gate, 'hold'));
    await waitFor(
      () => outputs().filter((p) => p.includes('Crash Test - Unwritten Result')).length === 4,
      'the files to be placed',
      60_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    await killAndRestart(daemon, { id, name: 'Unwritten Result', state: 'crash-writeback' }, () => {
      rmSync(join(gate, 'converting'));
      sandbox.setFaults([]);
    });
  }, 120_000);
});
