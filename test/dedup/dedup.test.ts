import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProperty } from '../../src/notion/codecs.js';
import { makeClip } from '../helpers/audio.js';
import { cli } from '../helpers/cli.js';
import { text, title } from '../helpers/notion.js';
import { pipelineWorld } from '../helpers/pipeline.js';

describe('never twice: deduplication and Eagle', async () => {
  const world = await pipelineWorld();
  const { sandbox, media, spotify } = world;
  const field = (id: string, name: string) => decodeProperty(sandbox.workspace.retrievePage(id, []).properties[name]);
  const row = (properties: Record<string, unknown>) =>
    sandbox.workspace.createPage({ parent: { data_source_id: sandbox.ids.tracks.dataSourceId }, properties }).id;
  const fetched = (url: string) => media.requests().filter((r) => r.includes(new URL(url).pathname)).length;
  const m4aCount = () => readdirSync(join(world.outDir, 'Unassigned')).filter((f) => f.endsWith('.m4a')).length;

  it('merges rows with the same Spotify ID into the most complete one and archives the other, downloading nothing', async () => {
    spotify.addTrack({
      id: 'dupspotify000000000001',
      name: 'Twin Peaks',
      artists: [{ id: 'a-dup', name: 'Dup Artist' }],
      album: 'Dups',
      releaseDate: '2022',
      durationMs: 20_000,
    });
    const url = await media.addFile(
      'twin-peaks.mp3',
      await makeClip({ tonic: 10, mode: 'minor', bpm: 122, seconds: 20 }),
    );
    const first = row({
      Title: title('Twin Peaks'),
      'Artist Name': text('Dup Artist'),
      'Source URL': { url },
      'Spotify ID': text('dupspotify000000000001'),
    });
    // Links on: the keeper's Notes then hold tracksync's links paragraph, which the merge must keep apart.
    const daemon = await world.daemon({ file: { links: { enabled: true } } });
    await daemon.runOnce();
    expect(field(first, 'Downloaded')).toBe(true);
    const files = m4aCount();
    const requests = fetched(url);
    // The same track arrives again, from a Spotify link pasted into a new row with a note.
    const second = row({
      Title: title('Twin Peaks (from Spotify)'),
      'Spotify URL': { url: 'https://open.spotify.com/track/dupspotify000000000001' },
      Notes: text('added from my phone'),
    });
    sandbox.advanceClock(60_000);
    await daemon.runOnce();
    expect(sandbox.workspace.retrievePage(second).in_trash).toBe(true);
    expect(field(second, 'Audio Processing')).toEqual(['Merged Duplicate']);
    expect(field(first, 'Audio Processing')).toContain('Merged Duplicate');
    expect(field(first, 'Title')).toBe('Twin Peaks (from Spotify)'); // the longer text wins (legacy merge rule)
    // The person's note is kept; tracksync's own links paragraph (written after the first sync) stays after it.
    expect(field(first, 'Notes')).toMatch(/^added from my phone\n\[tracksync links\] /);
    expect(field(first, 'Spotify URL')).toBe('https://open.spotify.com/track/dupspotify000000000001');
    expect(m4aCount()).toBe(files);
    expect(fetched(url)).toBe(requests);
    await daemon.stop('test');
  });

  it('adopts the files of the same title, artist and duration, and recognises the same recording from another source', async () => {
    const original = await makeClip({ tonic: 8, mode: 'major', bpm: 128, seconds: 20, timbre: 'organ' });
    const soundcloudCopy = await media.addFile('sc-copy.mp3', original);
    const a = row({
      Title: title('Northern Lights'),
      'Artist Name': text('Aurora Club'),
      'Source URL': { url: soundcloudCopy },
    });
    const daemon = await world.daemon();
    await daemon.runOnce();
    const placed = String(field(a, 'M4A File Path'));
    const files = m4aCount();

    // Layer 2: same core title and artist, duration within 2 s (known from Spotify): no download at all.
    spotify.addTrack({
      id: 'northernlights00000001',
      name: 'Northern Lights (Radio Edit)',
      artists: [{ id: 'a-au', name: 'Aurora Club' }],
      album: 'Lights',
      releaseDate: '2021',
      durationMs: 20_500,
    });
    const neverFetched = `${media.url}/audio/youtube-copy-never-fetched.mp3`;
    const b = row({
      Title: title('Northern Lights (Radio Edit)'),
      'Artist Name': text('Aurora Club'),
      'Spotify ID': text('northernlights00000001'),
      'Source URL': { url: neverFetched },
    });
    // After download: the same audio under another name and URL is the same recording (fingerprint).
    const youtubeCopy = await media.addFile('yt-copy.mp3', original);
    const c = row({
      Title: title('NRTHRN LGHTS'),
      'Artist Name': text('unknown uploader'),
      'YouTube URL': { url: youtubeCopy },
    });
    sandbox.advanceClock(60_000);
    await daemon.runOnce();
    expect(field(b, 'Downloaded')).toBe(true);
    expect(field(b, 'M4A File Path')).toBe(placed);
    expect(fetched(neverFetched)).toBe(0);
    expect(field(c, 'Downloaded')).toBe(true);
    expect(field(c, 'M4A File Path')).toBe(placed);
    expect(daemon.store.items.getItemByPage('tracks', c)?.outcome).toBe('adopted');
    expect(m4aCount()).toBe(files); // no second copy on disk
    await daemon.stop('test');
  });

  it('imports into Eagle with full tags in Playlists/<name>, creating the folder once; waits while Eagle is closed', async () => {
    const eagle = await world.eagle();
    const one = row({
      Title: title('Eagle One'),
      'Artist Name': text('Bird'),
      'Source URL': {
        url: await media.addFile('eagle-1.mp3', await makeClip({ tonic: 9, mode: 'minor', bpm: 124, seconds: 20 })),
      },
    });
    const two = row({
      Title: title('Eagle Two'),
      'Artist Name': text('Bird'),
      'Source URL': {
        url: await media.addFile(
          'eagle-2.mp3',
          await makeClip({ tonic: 2, mode: 'major', bpm: 100, seconds: 20, timbre: 'square' }),
        ),
      },
    });
    const daemon = await world.daemon({ eagle: true });
    await daemon.runOnce();
    const item = eagle.items().find((i) => i.id === field(one, 'Eagle File ID'))!;
    expect(item.name).toBe('Bird - Eagle One');
    expect(item.ext).toBe('wav');
    expect(item.tags).toEqual(
      expect.arrayContaining(['BPM124', 'A Minor', 'Camelot 8A', 'Web', 'Bird', 'duration:20']),
    );
    expect(item.tags.find((t) => t.startsWith('fingerprint:'))).toBe(`fingerprint:${field(one, 'WAV Fingerprint')}`);
    expect(field(one, 'Audio Processing')).toContain('Files Imported to Eagle');
    expect(field(two, 'Eagle File ID')).toBeTruthy();
    const playlists = eagle.folders().filter((f) => f.name === 'Playlists');
    expect(playlists).toHaveLength(1);
    expect(playlists[0]!.children.map((c) => c.name)).toEqual(['Uncategorized']);

    eagle.setRunning(false);
    const three = row({
      Title: title('Eagle Three'),
      'Artist Name': text('Bird'),
      'Source URL': {
        url: await media.addFile(
          'eagle-3.mp3',
          await makeClip({ tonic: 5, mode: 'minor', bpm: 140, seconds: 20, timbre: 'pluck' }),
        ),
      },
    });
    sandbox.advanceClock(60_000);
    await daemon.runOnce();
    expect(field(three, 'Downloaded')).toBe(true);
    expect(field(three, 'Eagle File ID')).toBe('');
    expect(field(three, 'Audio Processing')).not.toContain('Eagle_Import_Failed'); // Eagle closed is not a failure
    eagle.setRunning(true);
    await daemon.runOnce(); // the next cycle imports what waited
    expect(eagle.items().find((i) => i.id === field(three, 'Eagle File ID'))?.name).toBe('Bird - Eagle Three');
    expect(field(three, 'Audio Processing')).toContain('Files Imported to Eagle');
    await daemon.stop('test');
  }, 120_000);

  it('tracksync dedup lists duplicate groups (dry run) and merges them with --apply, never deleting a file', async () => {
    const env = { ...sandbox.env(), ...world.env(), TRACKSYNC_STATE_DIR: join(world.dir, 'dedup-state') };
    const a = row({
      Title: title('Same Old Song'),
      'Artist Name': text('Repeat Band'),
      'Duration (ms)': { number: 200_000 },
      'Source URL': { url: 'http://127.0.0.1:9/a.mp3' },
    });
    const b = row({
      Title: title('Same Old Song (Remastered)'),
      'Artist Name': text('Repeat Band'),
      'Duration (ms)': { number: 201_000 },
      'Source URL': { url: 'http://127.0.0.1:9/b.mp3' },
    });
    const dry = await cli(['dedup'], env);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(
      /\[notion, fuzzy, score (1|0\.\d+)\] names alike[^\n]*\n {2}keep: Repeat Band - Same Old Song/,
    );
    expect(dry.stdout).toContain('dry run');
    expect(sandbox.workspace.retrievePage(a).in_trash || sandbox.workspace.retrievePage(b).in_trash).toBe(false);
    const applied = await cli(['dedup', '--apply'], env);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect([sandbox.workspace.retrievePage(a).in_trash, sandbox.workspace.retrievePage(b).in_trash].sort()).toEqual([
      false,
      true,
    ]);
    expect(existsSync(world.outDir)).toBe(true);
  }, 60_000);
});
