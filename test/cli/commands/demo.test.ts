import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { parseM3u8, parseRekordbox } from '../../playlists/formats.js';

describe('tracksync demo (the README quick start)', () => {
  it('syncs its four generated tracks against the local Notion and shows what it measured', async () => {
    const cwd = tempDir('tracksync-demo-test-');
    const result = await cli(['demo'], {}, { cwd });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('4 of 4 tracks synced.');
    // Progress on standard error (plain lines: not a terminal), in a person's words; no internal stage name.
    expect(result.stderr).toMatch(/^\[\d\/5\] Demo Artist - Midnight Drive: Downloading \(step 2 of 6\)$/m);
    expect(result.stderr).toMatch(/^5 of 5 tracks done · \d+:\d\d$/m);
    for (const internal of ['same-recording', 'write-back', 'stage']) expect(result.stderr).not.toContain(internal);
    // Each row of the table shows the measured BPM and key next to what was generated.
    expect(result.stdout).toMatch(
      /Demo Artist - Midnight Drive\s+12[345](\.\d)?\s+A Minor\s+8A\s+Source URL\s+Downloaded\s+3 \(m4a, aiff, wav\)/,
    );
    expect(result.stdout).toMatch(/Pulse Unit - Neon Pulse\s+12[789](\.\d)?\s+F# Minor\s+11A\s+YouTube \(Search\)/);
    expect(result.stdout).toMatch(/Low Tide - Deep Current\s+17[345](\.\d)?\s+C Minor\s+5A/);
    const root = join(cwd, 'tracksync-demo');
    expect(readdirSync(join(root, 'Playlists', 'Unassigned')).filter((f) => f.endsWith('.m4a'))).toHaveLength(4);
    expect(readdirSync(join(root, 'Apple-Music-Auto-Add')).filter((f) => f.endsWith('.wav'))).toHaveLength(4);
    expect(existsSync(join(root, 'Playlists', 'Unassigned', 'Demo Artist - Midnight Drive.wav'))).toBe(false);
    // The demo's set, exported as M3U8 and rekordbox xml in the order planned in Notion, each file where it says.
    const exportDir = join(root, 'Playlists', 'Playlists (tracksync)');
    expect(result.stdout).toContain(`M3U8 (any player): ${join(exportDir, 'Demo Set.m3u8')}`);
    expect(result.stdout).toContain(`rekordbox xml: ${join(exportDir, 'rekordbox.xml')}`);
    expect(result.stdout).toContain('Playlist "Demo Set" (4 of 4 tracks, in set order; Notion\'s Exported Tracks: 4)');
    const m3u8 = parseM3u8(join(exportDir, 'Demo Set.m3u8'));
    expect(m3u8.entries.map((e) => e.label)).toEqual([
      'Low Tide - Deep Current',
      'Demo Artist - Midnight Drive',
      'Pulse Unit - Neon Pulse',
      'Demo Artist feat. Guest Voice - Sunrise Run',
    ]);
    const xml = parseRekordbox(join(exportDir, 'rekordbox.xml'));
    expect(xml.playlists.map((p) => [p.name, p.keys.map((k) => xml.tracks.get(k)!.Name)])).toEqual([
      ['Demo Set', ['Deep Current', 'Midnight Drive', 'Neon Pulse', 'Sunrise Run']],
    ]);
    expect(xml.tracks.get(xml.playlists[0]!.keys[1]!)).toMatchObject({ Tonality: 'Am', Comments: '8A' });
    // A second run starts afresh in the same folder.
    const again = await cli(['demo'], {}, { cwd });
    expect(again.exitCode).toBe(0);
  }, 300_000); // the demo and its second run; on a loaded 2-core machine one run takes up to 2 min

  it('refuses to wipe a folder that is not its own', async () => {
    const cwd = tempDir('tracksync-demo-test-');
    const result = await cli(['demo', '--dir', '.'], {}, { cwd: join(cwd, '..') });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('is not a tracksync demo folder');
  });
});
