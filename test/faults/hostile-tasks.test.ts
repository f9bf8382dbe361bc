import { execa } from 'execa';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { decodeProperty, toRichText } from '../../src/notion/codecs.js';
import { makeClip } from '../helpers/audio.js';
import { cli } from '../helpers/cli.js';
import { text, title } from '../helpers/notion.js';
import { pipelineWorld } from '../helpers/pipeline.js';

/**
 * What a row or a task can make tracksync do on this Mac, through the CLI and the local Notion and Spotify (issue 17):
 * a file path in Notion pointing outside the library folders (directly or through a symlink inside them), and a task
 * whose text asks for 100,000 tracks of a 250-track playlist.
 */
describe('hostile rows and tasks, through the CLI', async () => {
  const world = await pipelineWorld();
  const { sandbox, media, spotify } = world;
  const env = world.cliEnv('tasks', { tasks: { maxPlaylistTracks: 2, maxNewRowsPerTask: 5 } });
  const comments = (id: string) =>
    sandbox.workspace
      .comments()
      .filter((c) => (c.parent as { page_id: string }).page_id === id)
      .map((c) => c.rich_text.map((t) => t.plain_text).join(''))
      .join('\n');
  const field = (id: string, name: string) => decodeProperty(sandbox.workspace.retrievePage(id).properties[name]);

  async function m4a(path: string, spec: Parameters<typeof makeClip>[0]): Promise<void> {
    const wav = `${path}.wav`;
    writeFileSync(wav, await makeClip({ ...spec, format: 'wav' }));
    await execa('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', wav, '-c:a', 'alac', path]);
  }

  it('adopts a file path from Notion only inside the library folders, symlinks resolved, and says on the row why not', async () => {
    const outside = join(world.dir, 'elsewhere');
    mkdirSync(outside, { recursive: true });
    const secret = join(outside, 'Someone Else - Private.m4a');
    await m4a(secret, { seconds: 20, tonic: 5, mode: 'minor', bpm: 150, timbre: 'square' });
    const library = join(world.outDir, 'Unassigned');
    mkdirSync(library, { recursive: true });
    const link = join(library, 'Innocent - Looking.m4a');
    symlinkSync(secret, link);
    const mine = join(library, 'Mine - In The Library.m4a');
    copyFileSync(secret, mine);
    // Each row also has a source (a row needs one to be picked up): a 100 BPM clip, told apart from the 150 BPM file.
    const source = await media.addFile(
      'path-source.mp3',
      await makeClip({ seconds: 20, tonic: 0, mode: 'major', bpm: 100 }),
    );
    const row = (name: string, path: string) =>
      sandbox.workspace.createPage({
        parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
        properties: {
          Title: title(name),
          'Artist Name': text('Path Tester'),
          'Source URL': { url: source },
          'M4A File Path': { rich_text: toRichText(path) },
          Downloaded: { checkbox: false },
        },
      }).id;
    const rows = {
      outside: row('Outside', secret),
      link: row('Linked', link),
      inside: row('Inside', mine),
      dotdot: row('Dot dot', `${library}/../../elsewhere/Someone Else - Private.m4a`),
    };

    const result = await cli(['once'], env('paths-state'));
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);

    // The file in the library is adopted as before: its 150 BPM, nothing downloaded.
    expect(field(rows.inside, 'Downloaded')).toBe(true);
    expect(field(rows.inside, 'Tempo')).toBeCloseTo(150, 0);
    expect(field(rows.inside, 'M4A File Path')).toBe(mine);
    // The others are not: the file outside is never analysed (the source is downloaded instead: 100 BPM), the row's
    // path
    // is replaced by the placed file, and the row says which path was ignored and why.
    for (const [name, id] of [
      ['outside', rows.outside],
      ['dotdot', rows.dotdot],
      ['link', rows.link],
    ] as const) {
      expect(field(id, 'Downloaded'), name).toBe(true);
      expect(field(id, 'Tempo'), name).toBeCloseTo(100, 0);
      expect(String(field(id, 'M4A File Path')).startsWith(world.outDir), name).toBe(true);
      expect(comments(id), name).toContain('M4A File Path "');
      expect(comments(id), name).toContain('outside the library folders');
    }
    expect(comments(rows.link)).toContain(`a link to ${secret}`);
  }, 180_000);

  it('a limit in a task lowers the caps, never raises them; the playlist is read only as far as they need; new rows are capped and reported', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `lim${String(i).padStart(19, '0')}`);
    for (const [i, id] of ids.entries()) {
      spotify.addTrack({
        id,
        name: `Capped Track ${i}`,
        artists: [{ id: `art${String(i).padStart(19, '0')}`, name: 'Cap Artist' }],
        album: 'Caps',
        releaseDate: '2024-01-01',
        durationMs: 180_000,
      });
    }
    const playlistId = '37i9dQZF1DXcapCAPcap01';
    spotify.addPlaylist(playlistId, 'Huge Playlist', ids);
    const before = sandbox.workspace.allPages(sandbox.ids.tracks.dataSourceId).length;
    const task = sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tasks.dataSourceId },
      properties: {
        'Task Name': title('Sync playlist Huge'),
        Status: { status: { name: 'Ready' } },
        Description: { rich_text: toRichText(`https://open.spotify.com/playlist/${playlistId}\nlimit: 100000`) },
      },
    }).id;
    const requestsBefore = spotify.requests().length;

    const result = await cli(['once'], env('limits-state'));
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);

    // Five rows at most (tasks.maxNewRowsPerTask), two of them synced now (tasks.maxPlaylistTracks): the text's 100,000
    // raised nothing.
    const created = sandbox.workspace.allPages(sandbox.ids.tracks.dataSourceId).length - before;
    expect(created).toBe(5);
    const store = Store.open(join(world.dir, 'limits-state', 'tracksync.sqlite'));
    try {
      expect(store.items.listItemsInState('done', 100).filter((i) => i.source === 'tracks')).toHaveLength(2);
    } finally {
      store.close();
    }
    // One page of the playlist was read (5 tracks fit in one), not three pages of 100.
    const pages = spotify
      .requests()
      .slice(requestsBefore)
      .filter((r) => r.includes(`/playlists/${playlistId}/items`));
    expect(pages).toHaveLength(1);
    // The report says what the caps did.
    const report = JSON.stringify(sandbox.workspace.allBlocks(task));
    expect(report).toContain(
      'The task asks for 100000 tracks; the configured cap is 2 (tasks.maxPlaylistTracks), which a task cannot raise.',
    );
    expect(report).toContain(
      '5 new Music Tracks row(s) created: the most one task may create (tasks.maxNewRowsPerTask',
    );
    expect(report).toContain(
      'Playlist \\"Huge Playlist\\": 5 track(s) read (it may have more: a task reads at most 5)',
    );
  }, 180_000);
});
