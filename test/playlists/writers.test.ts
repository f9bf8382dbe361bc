import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderM3u8 } from '../../src/playlists/m3u8.js';
import { fileUrl, renderRekordboxXml, type RekordboxTrack } from '../../src/playlists/rekordbox.js';
import { tempDir } from '../helpers/tmp.js';
import { parseM3u8, parseRekordbox, pathOfLocation } from './formats.js';

describe('the playlist files, as the apps read them', () => {
  const dir = tempDir();
  const music = join(dir, 'Music', 'Sets & Stuff #1');
  mkdirSync(music, { recursive: true });
  const names = [
    'Björk - Jóga.aiff',
    'DJ "Q" - 100% <Live>.m4a',
    'Sigur Rós - Hoppípolla.wav',
    "A's track (2).aiff",
    '日本語 - テスト.aiff',
    '#hash start.wav',
  ];
  const paths = names.map((n) => join(music, n));
  for (const p of paths) writeFileSync(p, 'not really audio');

  it('M3U8: #EXTINF with seconds, artist and title; one line each whatever the title holds; relative when asked', () => {
    const entries = paths.map((path, i) => ({
      path,
      durationSeconds: i === 0 ? null : 180.6 + i,
      artist: i === 1 ? '' : `Artist ${i}\nline`,
      title: `Title\r\n${i} ‮evil`,
    }));
    const playlist = join(dir, 'Set.m3u8');
    writeFileSync(playlist, renderM3u8('My Set\nsecond line', entries, { playlistDir: dir, relativePaths: false }));
    const parsed = parseM3u8(playlist);
    expect(parsed.name).toBe('My Set second line');
    expect(parsed.entries.map((e) => e.path)).toEqual(paths);
    expect(parsed.entries[0]).toMatchObject({ seconds: -1, label: 'Artist 0 line - Title 0 evil' });
    expect(parsed.entries[1]).toMatchObject({ seconds: 182, label: 'Title 1 evil' });

    // Relative to the playlist file; a path that would start with "#" (a comment to players) starts with "./".
    const top = join(dir, '#top.wav');
    writeFileSync(top, 'not really audio');
    const relative = join(dir, 'Relative.m3u8');
    writeFileSync(
      relative,
      renderM3u8('R', [...entries, { path: top, durationSeconds: 1, artist: '', title: 'top' }], {
        playlistDir: dir,
        relativePaths: true,
      }),
    );
    expect(parseM3u8(relative).entries.map((e) => e.path)).toEqual([...paths, top]);
    expect(readFileSync(relative, 'utf8')).toContain('\nMusic/Sets & Stuff #1/Björk - Jóga.aiff\n');
    expect(readFileSync(relative, 'utf8')).toContain('\n./#top.wav\n');
  });

  it('rekordbox xml: the documented DJ_PLAYLISTS structure, escaped values, percent-encoded file URLs', () => {
    const tracks: RekordboxTrack[] = paths.map((path, i) => ({
      trackId: i + 1,
      name: `Name <${i}> & "quoted" \u0000 'x'`,
      artist: 'Ärtist',
      album: '',
      genre: 'House',
      kind: 'AIFF File',
      sizeBytes: 1000 + i,
      totalTimeSeconds: 200.4,
      dateAdded: '2026-11-20',
      bitRateKbps: 1411,
      sampleRateHz: 44_100,
      averageBpm: i === 0 ? null : 123.456,
      tonality: i === 0 ? '' : 'F#m',
      comments: '11A',
      path,
    }));
    const file = join(dir, 'rekordbox.xml');
    writeFileSync(
      file,
      renderRekordboxXml(
        tracks,
        [
          { name: 'Empty', trackIds: [] },
          { name: 'One & <Only>', trackIds: [3] },
          { name: 'All', trackIds: [6, 5, 4, 3, 2, 1] },
        ],
        { folderName: 'tracksync', productVersion: '0.1.0' },
      ),
    );
    const parsed = parseRekordbox(file);
    expect(parsed.product.Name).toBe('tracksync');
    expect([...parsed.tracks.values()].map((t) => t.path)).toEqual(paths);
    expect(parsed.tracks.get('1')).toMatchObject({
      Name: 'Name <0> & "quoted"  \'x\'',
      AverageBpm: '0.00',
      Tonality: '',
      TotalTime: '200',
      Comments: '11A',
    });
    expect(parsed.tracks.get('2')).toMatchObject({ AverageBpm: '123.46', Tonality: 'F#m' });
    expect(parsed.playlists).toEqual([
      { name: 'Empty', keys: [] },
      { name: 'One & <Only>', keys: ['3'] },
      { name: 'All', keys: ['6', '5', '4', '3', '2', '1'] },
    ]);
  });

  it('writes file URLs as rekordbox does: file://localhost and the UTF-8 bytes of anything unsafe as %XX', () => {
    expect(fileUrl('/Users/dj/Music/Björk - Jóga.aiff')).toBe(
      'file://localhost/Users/dj/Music/Bj%C3%B6rk%20-%20J%C3%B3ga.aiff',
    );
    expect(fileUrl('/Volumes/VIBES/100% #1 & co?.wav')).toBe(
      'file://localhost/Volumes/VIBES/100%25%20%231%20%26%20co%3F.wav',
    );
    expect(pathOfLocation(fileUrl(paths[4]!))).toBe(paths[4]);
  });
});
