import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeClip } from '../../helpers/audio.js';
import { cli } from '../../helpers/cli.js';
import { withSandbox } from '../../helpers/notion.js';
import { tempDir } from '../../helpers/tmp.js';

// `tracksync library scan | stats | dupes` indexes the DJ's folders so tracksync can tell a track it already has:
// a scan reads only new or changed files (a 10,000-file library is rescanned in seconds), stats shows the index, and
// dupes shows the same recording kept twice under two names, with nothing deleted.
describe('tracksync library (the CLI as a subprocess)', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-library-');
  const outDir = join(dir, 'music');
  mkdirSync(join(outDir, 'Old Playlist'), { recursive: true });
  const clip = await makeClip({ tonic: 2, mode: 'major', bpm: 122, seconds: 20 });
  writeFileSync(join(outDir, 'Band - Song.mp3'), clip);
  writeFileSync(join(outDir, 'Old Playlist', 'Band - Song (copy).mp3'), clip);
  writeFileSync(join(outDir, 'cover.jpg'), 'not audio');
  writeFileSync(join(outDir, 'broken.mp3'), 'not an mp3 at all');
  const env = {
    ...sandbox.env(),
    TRACKSYNC_STATE_DIR: join(dir, 'state'),
    TRACKSYNC_LOG_DIR: join(dir, 'logs'),
    OUT_DIR: outDir,
  };

  it('scans the library folder: audio files only, unreadable ones counted; a rescan reads nothing unchanged', async () => {
    const first = await cli(['library', 'scan'], env);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      `scanned ${outDir}: 3 files, 2 read (new or changed), 0 unchanged, 1 unreadable, 0 gone`,
    );
    const again = await cli(['library', 'scan', '--json'], env);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ seen: 3, read: 0, gone: 0 });
  }, 120_000);

  it('shows the index by format, and the same recording under two names as one group', async () => {
    const stats = await cli(['library', 'stats', '--json'], env);
    expect(stats.exitCode, stats.stderr).toBe(0);
    expect(JSON.parse(stats.stdout)).toEqual([
      expect.objectContaining({ format: 'mp3', files: 2, fingerprinted: 2, gone: 0 }),
    ]);
    const table = await cli(['library', 'stats'], env);
    expect(table.stdout).toMatch(/format\s+files\s+size\s+fingerprinted\s+linked to a row\s+gone\n\s*mp3\s+2\s/);
    const dupes = await cli(['library', 'dupes'], env);
    expect(dupes.exitCode, dupes.stderr).toBe(0);
    expect(dupes.stdout).toMatch(/Same recording \(fingerprint similarity >= [\d.]+\): 1 group\(s\)/);
    expect(dupes.stdout).toContain('Band - Song');
    expect(existsSync(join(outDir, 'Old Playlist', 'Band - Song (copy).mp3'))).toBe(true);
  }, 60_000);
});
