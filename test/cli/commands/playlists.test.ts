import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../../helpers/cli.js';
import { withSandbox } from '../../helpers/notion.js';
import { tempDir } from '../../helpers/tmp.js';
import { parseM3u8, parseRekordbox } from '../../playlists/formats.js';
import { playlistWorld } from '../../playlists/world.js';

describe('tracksync playlists export | list (the real CLI against the local Notion)', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-playlists-cli-');
  const world = await playlistWorld(sandbox, dir);
  const exportDir = join(dir, 'DJ', 'Exports');
  // The local Notion answers at once: the rate limit of the real one would only make the test slow.
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ notion: { requestsPerSecond: 50, burstPerSecond: 50 } }));
  const env = {
    ...sandbox.env(),
    TRACKSYNC_STATE_DIR: join(dir, 'state'),
    TRACKSYNC_CONFIG: join(dir, 'config.json'),
    OUT_DIR: join(dir, 'out'),
    PLAYLIST_EXPORT_DIR: exportDir,
  };
  const tracks = Array.from({ length: 30 }, (_, i) => world.track({ title: `Track ${i}`, bpm: 124, key: '8A' }));
  const pending = world.track({ title: 'Soon', artist: 'Pending', downloaded: false });
  world.playlist('Peak Time', [...tracks, pending]);
  world.playlist('Set B', tracks.slice(0, 2));

  it('lists what an export would do, exports with a progress line, then only what changed', async () => {
    const before = await cli(['playlists', 'list'], env, { cwd: dir });
    expect(before.exitCode, before.stderr).toBe(0);
    expect(before.stdout).toMatch(/Peak Time\s+31\s+30\s+1 not synced yet\s+.*Peak Time\.m3u8\s+never\s+changed since/);
    expect(before.stdout).toContain('Pending - Soon (not synced yet)');
    expect(existsSync(exportDir)).toBe(false);

    const first = await cli(['playlists', 'export'], env, { cwd: dir });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^Exporting playlists: 2 of 2: (Peak Time|Set B)$/m);
    expect(first.stdout).toMatch(/Peak Time\s+31\s+30\s+1 not synced yet\s+exported/);
    expect(first.stdout).toContain(`rekordbox xml: ${join(exportDir, 'rekordbox.xml')} (30 tracks, 2 playlists)`);
    expect(first.stdout).toContain(`2 of 2 playlist(s) exported to ${exportDir}`);
    expect(parseM3u8(join(exportDir, 'Peak Time.m3u8')).entries).toHaveLength(30);
    expect(parseRekordbox(join(exportDir, 'rekordbox.xml')).playlists.map((p) => [p.name, p.keys.length])).toEqual([
      ['Peak Time', 30],
      ['Set B', 2],
    ]);

    const again = await cli(['playlists', 'export'], env, { cwd: dir });
    expect(again.stdout).toContain('0 of 2 playlist(s) exported');
    const forced = await cli(['playlists', 'export', 'set b', '--force'], env, { cwd: dir });
    expect(forced.stdout).toMatch(/Set B\s+2\s+2\s+-\s+exported/);
    expect(forced.stdout).toContain('1 of 1 playlist(s) exported');

    const after = await cli(['playlists', 'list'], env, { cwd: dir });
    expect(after.stdout).toMatch(/Set B\s+2\s+2\s+-\s+.*Set B\.m3u8\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}\s+up to date/);
  }, 120_000);

  it('names an unknown playlist and the known ones, and exits 2', async () => {
    const result = await cli(['playlists', 'export', 'Nope'], env, { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('no Music Playlists row is named "Nope"; playlists: "Peak Time", "Set B"');
    const usage = await cli(['playlists', 'sing'], env, { cwd: dir });
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toContain("unknown command 'sing'");
  });
});
