import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProperty } from '../../src/notion/codecs.js';
import { APPLE_MUSIC_SCRIPT } from '../../src/playlists/apple-music.js';
import { exportPlaylists } from '../../src/playlists/export.js';
import { title, withSandbox } from '../helpers/notion.js';
import { standIn } from '../helpers/standins.js';
import { tempDir } from '../helpers/tmp.js';
import { playlistWorld, recordMovedFile } from './world.js';

/** A name an attacker could put in Notion: quotes, AppleScript and shell syntax, a line break. */
const HOSTILE = 'Set "A" \\ B" & do shell script "rm -rf ~" & "$(reboot)`id`';

describe('Apple Music playlists kept in step through osascript (a stand-in that records its calls)', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-apple-');
  const world = await playlistWorld(sandbox, dir);
  const osascript = standIn('osascript', join(dir, 'bin'));
  const deps = await world.deps({ playlists: { appleMusic: true }, macos: { osascript: osascript.bin } });
  const ws = sandbox.workspace;
  const path = (id: string): string => String(decodeProperty(ws.retrievePage(id).properties['AIFF File Path']));
  const m4a = (id: string): string => String(decodeProperty(ws.retrievePage(id).properties['M4A File Path']));
  const program = APPLE_MUSIC_SCRIPT.flatMap((line) => ['-e', line]);
  /** What each call asked for: everything after the constant program. */
  const calls = (): string[][] =>
    osascript.calls().map((call) => {
      expect(call.slice(0, call.indexOf('--'))).toEqual(program);
      return call.slice(call.indexOf('--') + 1);
    });
  const answer = (text: string): void => writeFileSync(join(osascript.dir, 'stdout.txt'), text);

  const a = world.track({ title: 'Alpha', artist: 'One' });
  const b = world.track({ title: HOSTILE, artist: 'Two' });
  const c = world.track({ title: 'Gamma', artist: 'Three' });
  const first = world.playlist('Friday', [a, b, c]);
  const second = world.playlist(HOSTILE, [c]);

  it("creates one playlist per Notion playlist, passing every name and path as an argument, in Notion's order", async () => {
    answer('playlist\tPID-FRIDAY\nmissing\t3\n');
    await exportPlaylists(deps, { names: ['Friday'], onlyChanged: true });
    answer('playlist\tPID-HOSTILE\n');
    const report = await exportPlaylists(deps, { names: [HOSTILE], onlyChanged: true });
    expect(report.playlists[0]!.appleMusic).toEqual({ status: 'synced', missing: 0 });
    expect(calls()).toEqual([
      [
        'sync',
        '',
        'Friday',
        `${path(a)}`,
        'Alpha',
        'One',
        `${path(b)}`,
        HOSTILE,
        'Two',
        `${path(c)}`,
        'Gamma',
        'Three',
      ],
      ['sync', '', HOSTILE, `${path(c)}`, 'Gamma', 'Three'],
    ]);
  });

  it('looks again for tracks Music did not have, then only when something changed; renames and reorders by persistent ID', async () => {
    answer('playlist\tPID-FRIDAY\n');
    // Nothing changed in Notion, but "Gamma" was missing from Music last time: Friday is sent again, the other is not.
    const again = await exportPlaylists(deps, { onlyChanged: true });
    expect(again.playlists.find((p) => p.pageId === first)!.appleMusic).toEqual({ status: 'synced', missing: 0 });
    expect(again.playlists.find((p) => p.pageId === second)!.appleMusic).toEqual({ status: 'unchanged', missing: 0 });
    expect(calls().slice(2)).toEqual([
      ['sync', 'PID-FRIDAY', 'Friday', path(a), 'Alpha', 'One', path(b), HOSTILE, 'Two', path(c), 'Gamma', 'Three'],
    ]);
    // Now everything is in step: no call at all.
    await exportPlaylists(deps, { onlyChanged: true });
    expect(calls()).toHaveLength(3);

    ws.updatePage(first, { properties: { Name: title('Saturday') } });
    world.setTracks(first, [c, a]);
    await exportPlaylists(deps, { onlyChanged: true });
    expect(calls().slice(3)).toEqual([
      ['sync', 'PID-FRIDAY', 'Saturday', path(c), 'Gamma', 'Three', path(a), 'Alpha', 'One'],
    ]);
  });

  it('removes the Apple Music playlist of a playlist deleted in Notion, and only that', async () => {
    ws.updatePage(second, { in_trash: true });
    const report = await exportPlaylists(deps, { onlyChanged: true });
    expect(report.removed.map((r) => r.pageId)).toEqual([second]);
    expect(calls().slice(4)).toEqual([['remove', 'PID-HOSTILE', '']]);
  });

  it('passes every file of a track Music may hold when its file moved, and survives Music refusing to be controlled', async () => {
    const moved = world.track({ title: 'Moved', artist: 'Four' });
    const newPath = join(world.music, 'Moved elsewhere.aiff');
    const { renameSync } = await import('node:fs');
    renameSync(path(moved), newPath);
    rmSync(m4a(moved));
    recordMovedFile(deps.store, { path: newPath, pageId: moved, format: 'aiff' });
    world.playlist('Moves', [moved]);
    world.playlist('Other', [a]);
    writeFileSync(join(osascript.dir, 'fail'), '');
    try {
      const report = await exportPlaylists(deps, { onlyChanged: true });
      // The files are written whatever Music says; one attempt for the whole export, with what to do.
      expect(
        report.playlists
          .filter((p) => p.exportedNow)
          .map((p) => p.label)
          .sort(),
      ).toEqual(['Moves', 'Other']);
      expect(report.errors.map((e) => e.code)).toEqual(['APPLE_MUSIC_FAILED']);
      expect(report.playlists.filter((p) => p.exportedNow).map((p) => p.appleMusic?.status)).toEqual([
        'failed',
        'failed',
      ]);
      expect(report.errors[0]!.message).toMatch(/Privacy & Security > Automation/);
      const newCalls = calls().slice(5);
      expect(newCalls).toEqual([['sync', '', 'Moves', `${newPath}\n${path(moved)}`, 'Moved', 'Four']]);
    } finally {
      rmSync(join(osascript.dir, 'fail'));
    }
    answer('playlist\tPID-NEW\n');
    const retried = await exportPlaylists(deps, { onlyChanged: true });
    expect(
      retried.playlists
        .filter((p) => p.appleMusic?.status === 'synced')
        .map((p) => p.label)
        .sort(),
    ).toEqual(['Moves', 'Other']);
  });
});
