import { existsSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { systemClock, type Clock } from '../../src/clock.js';
import { decodeProperty } from '../../src/notion/codecs.js';
import { exportPlaylists } from '../../src/playlists/export.js';
import { text, title, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';
import { parseM3u8, parseRekordbox } from './formats.js';
import { playlistWorld, recordMovedFile } from './world.js';

/** Our clock, ahead of Notion's by `ms` (a later export, without waiting for it). */
const ahead = (ms: number): Clock => ({ now: () => Date.now() + ms, sleep: systemClock.sleep });

describe('playlist export: M3U8 and rekordbox xml from Notion playlists', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-playlists-');
  const world = await playlistWorld(sandbox, dir);
  const ws = sandbox.workspace;
  const field = (pageId: string, name: string): unknown => decodeProperty(ws.retrievePage(pageId).properties[name]);

  const keys = ['A Minor', 'F# Minor', 'C# Minor', 'Eb Major', ''];
  const big = Array.from({ length: 150 }, (_, i) =>
    world.track({
      title: i % 10 === 0 ? `Tïtle ${i} 🎧 "quoted" & <tagged>` : `Title ${i}`,
      artist: i % 7 === 0 ? 'Sigur Rós' : `Artist ${i}`,
      bpm: 120 + (i % 10),
      key: keys[i % keys.length]!,
      formats: i % 3 === 0 ? ['wav'] : ['aiff', 'm4a'],
    }),
  );
  const unsynced = world.track({ title: 'Not yet', artist: 'Pending', downloaded: false });
  const one = world.track({ title: 'Jóga', artist: 'Björk', bpm: 96, key: 'Eb Major' });
  const empty = world.playlist('Empty', []);
  const single = world.playlist('Ünïcødé 🎧 One', [one]);
  // In several playlists: the big set also holds `one`, and the not-synced row.
  const bigSet = world.playlist('../../Big set\u0000', [...big.slice(0, 75), one, unsynced, ...big.slice(75)]);
  const deps = await world.deps();
  const exportDir = deps.config.playlists.exportDir;

  it('writes one M3U8 per playlist (0, 1 and 150 tracks) and rekordbox.xml, all pointing at existing files, and writes back', async () => {
    expect(exportDir).toBe(join(dir, 'out', 'Playlists (tracksync)'));
    const report = await exportPlaylists(deps, { onlyChanged: true });
    expect(report.errors).toEqual([]);
    expect(readdirSync(exportDir).sort()).toEqual(
      ['-..-Big set.m3u8', 'Empty.m3u8', 'rekordbox.xml', 'Ünïcødé 🎧 One.m3u8'].sort(),
    );
    expect(parseM3u8(join(exportDir, 'Empty.m3u8')).entries).toEqual([]);
    const oneParsed = parseM3u8(join(exportDir, 'Ünïcødé 🎧 One.m3u8'));
    expect(oneParsed.name).toBe('Ünïcødé 🎧 One');
    expect(oneParsed.entries).toEqual([
      { seconds: 1, label: 'Björk - Jóga', path: String(field(one, 'AIFF File Path')) },
    ]);
    const bigParsed = parseM3u8(join(exportDir, '-..-Big set.m3u8'));
    // 151 rows (150 + `one`) in the relation's order; the not-synced row is left out and listed.
    expect(bigParsed.entries).toHaveLength(151);
    const expected = [...big.slice(0, 75), one, ...big.slice(75)].map((id) =>
      String(field(id, 'AIFF File Path') || field(id, 'WAV File Path')),
    );
    expect(bigParsed.entries.map((e) => e.path)).toEqual(expected);
    expect(bigParsed.entries[0]!.label).toBe('Sigur Rós - Tïtle 0 🎧 "quoted" & <tagged>');

    const xml = parseRekordbox(join(exportDir, 'rekordbox.xml'));
    // The collection: every synced track with a file (150 + 1), each once.
    expect(xml.tracks.size).toBe(151);
    expect(xml.playlists.map((p) => p.name)).toEqual(['Empty', 'Ünïcødé 🎧 One', '../../Big set']);
    const pathOf = (key: string): string => xml.tracks.get(key)!.path;
    expect(xml.playlists[2]!.keys.map(pathOf)).toEqual(expected);
    expect(xml.playlists[1]!.keys.map(pathOf)).toEqual([String(field(one, 'AIFF File Path'))]);
    const joga = [...xml.tracks.values()].find((t) => t.Name === 'Jóga')!;
    expect(joga).toMatchObject({
      Artist: 'Björk',
      Kind: 'AIFF File',
      AverageBpm: '96.00',
      Tonality: 'Eb',
      Comments: '5B',
      SampleRate: '44100',
      BitRate: '1411',
      DateAdded: '2026-11-20',
    });
    expect(Number(joga.Size)).toBe(statSync(joga.path).size);
    const wav = [...xml.tracks.values()].find((t) => t.Kind === 'WAV File')!;
    expect(wav.path.endsWith('.wav')).toBe(true);
    expect([...xml.tracks.values()].find((t) => t.Name === 'Title 1')).toMatchObject({
      Tonality: 'F#m',
      Comments: '11A',
    });
    expect([...xml.tracks.values()].find((t) => t.Name === 'Title 2')).toMatchObject({
      Tonality: 'Dbm',
      Comments: '12A',
    });

    const bigReport = report.playlists.find((p) => p.pageId === bigSet)!;
    expect(bigReport).toMatchObject({ tracks: 152, exported: 151, membersFrom: 'read', writeBack: 'written' });
    expect(bigReport.leftOut).toEqual([{ pageId: unsynced, title: 'Pending - Not yet', reason: 'not synced yet' }]);
    expect(bigReport.naming).toMatch(/cannot hold/);
    // A relation of 152 is read whole: two requests of 100; the two short ones come with their page objects.
    expect(report.notionRequests.relations).toBe(2);
    expect(report.notionRequests.writes).toBe(3);
    expect(field(bigSet, 'Exported Tracks')).toBe(151);
    expect(field(bigSet, 'Missing Tracks')).toBe('Pending - Not yet (not synced yet)');
    expect(field(bigSet, 'Export File')).toBe(join(exportDir, '-..-Big set.m3u8'));
    expect(Date.parse(String(field(bigSet, 'Exported At')))).toBeGreaterThan(Date.now() - 60_000);
    expect(field(empty, 'Exported Tracks')).toBe(0);
    expect(field(single, 'Missing Tracks')).toBe('');
  });

  it('leaves unchanged playlists alone, and reads a long relation again only when it may have changed', async () => {
    const file = join(exportDir, '-..-Big set.m3u8');
    const before = statSync(file).mtimeMs;
    const later = { ...deps, clock: ahead(5 * 60_000) };
    // Our write-back moved the page's last_edited_time within the minute of the read: it is read once more.
    const again = await exportPlaylists(later, { onlyChanged: true });
    expect(again.playlists.filter((p) => p.exportedNow)).toEqual([]);
    // The listings: one query page of playlists, two of the 152 track rows (100 a page).
    expect(again.notionRequests).toEqual({ listing: 3, relations: 2, writes: 0 });
    expect(again.rekordbox?.written).toBe(false);
    // Now the copy is known to be current: no request beyond the listings.
    const third = await exportPlaylists(later, { onlyChanged: true });
    expect(third.notionRequests).toEqual({ listing: 3, relations: 0, writes: 0 });
    expect(third.playlists.find((p) => p.pageId === bigSet)!.membersFrom).toBe('cache');
    expect(statSync(file).mtimeMs).toBe(before);
    // An edit of the relation moves last_edited_time: read again, and the change is exported.
    sandbox.advanceClock(60_000);
    world.setTracks(bigSet, [one, ...big]);
    const edited = await exportPlaylists(later, { onlyChanged: true });
    expect(edited.notionRequests.relations).toBe(2);
    expect(edited.playlists.filter((p) => p.exportedNow).map((p) => p.pageId)).toEqual([bigSet]);
    expect(parseM3u8(file).entries.map((e) => basename(e.path))[0]).toMatch(/Jóga/);
    expect(field(bigSet, 'Missing Tracks')).toBe('');
  });

  it("renames the file of a renamed playlist, drops a removed track (never its audio), removes a deleted playlist's file", async () => {
    const a = world.track({ title: 'First' });
    const b = world.track({ title: 'Second' });
    const c = world.track({ title: 'Third' });
    const warmup = world.playlist('Warm-up', [a, b, c]);
    await exportPlaylists(deps, { onlyChanged: true });
    expect(parseM3u8(join(exportDir, 'Warm-up.m3u8')).entries).toHaveLength(3);

    ws.updatePage(warmup, { properties: { Name: title('Opening') } });
    world.setTracks(warmup, [c, a]);
    const report = await exportPlaylists(deps, { onlyChanged: true });
    expect(report.playlists.filter((p) => p.exportedNow).map((p) => p.label)).toEqual(['Opening']);
    expect(existsSync(join(exportDir, 'Warm-up.m3u8'))).toBe(false);
    expect(parseM3u8(join(exportDir, 'Opening.m3u8')).entries.map((e) => e.path)).toEqual([
      field(c, 'AIFF File Path'),
      field(a, 'AIFF File Path'),
    ]);
    // The removed track's files are where they were.
    expect(existsSync(String(field(b, 'AIFF File Path')))).toBe(true);
    expect(existsSync(String(field(b, 'M4A File Path')))).toBe(true);
    expect(parseRekordbox(join(exportDir, 'rekordbox.xml')).playlists.map((p) => p.name)).toContain('Opening');

    // A playlist file someone edited is not deleted when its playlist is renamed: reported instead.
    writeFileSync(
      join(exportDir, 'Opening.m3u8'),
      `${readFileSync(join(exportDir, 'Opening.m3u8'), 'utf8')}# my note\n`,
    );
    ws.updatePage(warmup, { properties: { Name: title('Closing') } });
    const renamed = await exportPlaylists(deps, { onlyChanged: true });
    expect(existsSync(join(exportDir, 'Opening.m3u8'))).toBe(true);
    expect(renamed.warnings.join('\n')).toMatch(/Opening\.m3u8 was changed since tracksync wrote it; left in place/);

    ws.updatePage(warmup, { in_trash: true });
    const removed = await exportPlaylists(deps, { onlyChanged: true });
    expect(removed.removed).toEqual([
      { pageId: warmup, name: 'Closing', filePath: join(exportDir, 'Closing.m3u8'), fileRemoved: true },
    ]);
    expect(existsSync(join(exportDir, 'Closing.m3u8'))).toBe(false);
    expect(parseRekordbox(join(exportDir, 'rekordbox.xml')).playlists.map((p) => p.name)).not.toContain('Closing');
    for (const id of [a, b, c]) expect(existsSync(String(field(id, 'AIFF File Path')))).toBe(true);
  });

  it('gives two playlists with the same name two files and two names in rekordbox', async () => {
    const t = world.track({ title: 'Shared' });
    world.playlist('Friday', [t]);
    world.playlist('Friday', []);
    const report = await exportPlaylists(deps, { onlyChanged: true });
    const fridays = report.playlists.filter((p) => p.name === 'Friday');
    expect(fridays.map((p) => [basename(p.filePath!), p.label])).toEqual([
      ['Friday.m3u8', 'Friday'],
      ['Friday (2).m3u8', 'Friday (2)'],
    ]);
    expect(parseM3u8(join(exportDir, 'Friday.m3u8')).entries).toHaveLength(1);
    expect(parseM3u8(join(exportDir, 'Friday (2).m3u8')).entries).toHaveLength(0);
    expect(
      parseRekordbox(join(exportDir, 'rekordbox.xml'))
        .playlists.filter((p) => p.name.startsWith('Friday'))
        .map((p) => p.name),
    ).toEqual(['Friday', 'Friday (2)']);
  });

  it('never points at a file that is not there: vanished and hostile paths are left out with a warning, a moved file is found', async () => {
    const gone = world.track({ title: 'Vanished' });
    for (const p of ['AIFF File Path', 'M4A File Path'])
      renameSync(String(field(gone, p)), `${String(field(gone, p))}.away`);
    const hostile = world.track({
      title: 'Hostile',
      formats: [],
      paths: { aiff: '/etc/passwd', m4a: '../../relative.m4a', wav: `${dir}/x\n#EXTINF:1,injected.wav` },
    });
    const moved = world.track({ title: 'Moved' });
    const newPath = join(world.music, 'moved elsewhere.aiff');
    renameSync(String(field(moved, 'AIFF File Path')), newPath);
    renameSync(String(field(moved, 'M4A File Path')), `${String(field(moved, 'M4A File Path'))}.away`);
    recordMovedFile(deps.store, { path: newPath, pageId: moved, format: 'aiff' });
    const set = world.playlist('Careful', [gone, hostile, moved]);
    // A row the export cannot see (not synced, and linked from the playlist's side only): listed by its Notion link.
    const invisible = world.track({ title: 'Invisible', downloaded: false });
    world.setTracks(set, [gone, hostile, moved, invisible], true);
    const report = await exportPlaylists(deps, { names: ['Careful'], onlyChanged: true });
    const careful = report.playlists.find((p) => p.pageId === set)!;
    expect(careful.exported).toBe(1);
    expect(careful.leftOut.map((l) => [l.title, l.reason])).toEqual([
      ['Artist - Vanished', 'file missing'],
      ['Artist - Hostile', 'file missing'],
      [`https://www.notion.so/${invisible.replaceAll('-', '')}`, 'not in Music Tracks'],
    ]);
    expect(careful.moved).toEqual([{ title: 'Artist - Moved', from: field(moved, 'AIFF File Path'), to: newPath }]);
    expect(parseM3u8(join(exportDir, 'Careful.m3u8')).entries.map((e) => e.path)).toEqual([newPath]);
    expect(report.warnings.join('\n')).toMatch(/Vanished left out: file missing/);
    expect(String(field(set, 'Missing Tracks'))).toMatch(
      /^Artist - Vanished \(file missing: no file at .*\)\nArtist - Hostile \(file missing/,
    );
    expect(readFileSync(join(exportDir, 'Careful.m3u8'), 'utf8')).not.toMatch(/injected|passwd/);
    // Only the named playlist was exported; nothing was removed for the others.
    expect(report.playlists.map((p) => p.pageId)).toEqual([set]);
    expect(report.removed).toEqual([]);
  });

  it('re-exports a playlist when one of its tracks is synced, and only that one', async () => {
    const later = world.track({ title: 'Later', downloaded: false });
    const waiting = world.playlist('Waiting', [later]);
    const first = await exportPlaylists(deps, { onlyChanged: true });
    expect(first.playlists.filter((p) => p.exportedNow).map((p) => p.label)).toEqual(['Waiting']);
    expect(field(waiting, 'Missing Tracks')).toBe('Artist - Later (not synced yet)');
    const done = world.track({ title: 'Later' });
    ws.updatePage(later, {
      properties: { Downloaded: { checkbox: true }, 'AIFF File Path': text(String(field(done, 'AIFF File Path'))) },
    });
    const second = await exportPlaylists(deps, { onlyChanged: true });
    expect(second.playlists.filter((p) => p.exportedNow).map((p) => p.label)).toEqual(['Waiting']);
    expect(parseM3u8(join(exportDir, 'Waiting.m3u8')).entries).toHaveLength(1);
    expect(field(waiting, 'Missing Tracks')).toBe('');
    expect(field(waiting, 'Exported Tracks')).toBe(1);
  });

  it('writes the files when the write-back fails, and writes back at the next export', async () => {
    const t = world.track({ title: 'Flaky one' });
    const flaky = world.playlist('Flaky', [t]);
    sandbox.setFaults([{ method: 'PATCH', path: '^/pages/', status: 400 }]);
    let failed;
    try {
      failed = await exportPlaylists(deps, { names: ['Flaky'], onlyChanged: true });
    } finally {
      sandbox.setFaults([]);
    }
    expect(failed.errors).toEqual([expect.objectContaining({ code: 'NOTION_VALIDATION', playlist: 'Flaky' })]);
    expect(failed.playlists[0]).toMatchObject({ exportedNow: true, writeBack: 'failed' });
    const file = join(exportDir, 'Flaky.m3u8');
    expect(parseM3u8(file).entries).toHaveLength(1);
    const written = statSync(file).mtimeMs;
    expect(field(flaky, 'Exported Tracks')).toBeNull();
    const retried = await exportPlaylists(deps, { names: ['Flaky'], onlyChanged: true });
    expect(retried.playlists[0]).toMatchObject({ exportedNow: true, writeBack: 'written' });
    expect(retried.errors).toEqual([]);
    expect(field(flaky, 'Exported Tracks')).toBe(1);
    expect(statSync(file).mtimeMs).toBe(written);
    expect((await exportPlaylists(deps, { names: ['Flaky'], onlyChanged: true })).playlists[0]!.exportedNow).toBe(
      false,
    );
  });

  it('orders by a sort property when configured, and writes relative paths when asked', async () => {
    const x = world.track({ title: 'X', setOrder: 3 });
    const y = world.track({ title: 'Y', setOrder: 1 });
    const z = world.track({ title: 'Z' });
    const w = world.track({ title: 'W', setOrder: 2 });
    world.playlist('Ordered', [x, y, z, w]);
    const sorted = await world.deps({ playlists: { sortProperty: 'Set Order', relativePaths: true } });
    await exportPlaylists(sorted, { names: ['Ordered'], onlyChanged: true });
    const file = join(exportDir, 'Ordered.m3u8');
    expect(parseM3u8(file).entries.map((e) => e.label)).toEqual([
      'Artist - Y',
      'Artist - W',
      'Artist - X',
      'Artist - Z',
    ]);
    expect(readFileSync(file, 'utf8')).toContain('\n../../Music/');
  });
});

describe('playlist export from the track side (a Music Playlists database without its own relation)', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-playlists-tracks-');
  const world = await playlistWorld(sandbox, dir, { playlistRelation: false, writeBack: false });

  it('reads membership from the Playlists relation of the track rows, in the order the rows were created', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => world.track({ title: `T${i}` }));
    const set = world.playlist('Set', ids);
    const deps = await world.deps();
    const report = await exportPlaylists(deps, { onlyChanged: true });
    expect(report.playlists[0]).toMatchObject({
      pageId: set,
      exported: 30,
      membersFrom: 'track-rows',
      writeBack: 'no properties',
    });
    expect(report.notionRequests.relations).toBe(0);
    const entries = parseM3u8(join(deps.config.playlists.exportDir, 'Set.m3u8')).entries;
    expect(entries.map((e) => e.label)).toEqual(ids.map((_, i) => `Artist - T${i}`));
  });
});
