import { readTags } from '../../src/media/tags.js';
import { decodeProperty } from '../../src/notion/codecs.js';
import { makeClip } from '../helpers/audio.js';
import { text, title } from '../helpers/notion.js';
import { pipelineWorld } from '../helpers/pipeline.js';

describe('Spotify-only rows', async () => {
  const world = await pipelineWorld();
  const { sandbox, spotify, media } = world;
  const field = (id: string, name: string) => decodeProperty(sandbox.workspace.retrievePage(id).properties[name]);
  const track = (properties: Record<string, unknown>) =>
    sandbox.workspace.createPage({ parent: { data_source_id: sandbox.ids.tracks.dataSourceId }, properties }).id;

  it('enriches from Spotify, picks the right version among the search results, and saves it to YouTube URL', async () => {
    spotify.addTrack({
      id: '4uLU6hMCjMI75M1A2tKUQC',
      name: 'Golden Hour',
      artists: [{ id: 'artist0000000000000001', name: 'Solar Echo' }],
      album: 'Horizons',
      releaseDate: '2024-05-17',
      durationMs: 20_000,
      isrc: 'GBAYE2400001',
    });
    const right = await media.addFile(
      'golden-hour.mp3',
      await makeClip({ tonic: 7, mode: 'major', bpm: 122, seconds: 20 }),
    );
    const live = await media.addFile(
      'golden-hour-live.mp3',
      await makeClip({ tonic: 7, mode: 'major', bpm: 122, seconds: 20, timbre: 'organ' }),
    );
    media.addSearchResults('solar echo golden hour', [
      { title: 'Solar Echo - Golden Hour (Live at Red Rocks)', url: live, durationSeconds: 20 },
      { title: 'Solar Echo - Golden Hour (Club Remix)', url: live, durationSeconds: 21 },
      { title: 'Solar Echo - Golden Hour', url: live, durationSeconds: 40 },
      { title: 'Solar Echo - Golden Hour (Official Audio)', url: right, durationSeconds: 20 },
    ]);
    const id = track({ Title: title(''), 'Spotify ID': text('4uLU6hMCjMI75M1A2tKUQC') });
    const daemon = await world.daemon();
    await daemon.runOnce();
    expect(daemon.store.items.getItemByPage('tracks', id)).toMatchObject({ state: 'done', outcome: 'synced' });
    expect(field(id, 'YouTube URL')).toBe(right);
    expect(field(id, 'SoundCloud URL')).toBe(null);
    expect(field(id, 'Download Source')).toBe('YouTube (Search)');
    expect(field(id, 'Title')).toBe('Golden Hour');
    expect(field(id, 'Artist Name')).toBe('Solar Echo');
    expect(field(id, 'Album')).toBe('Horizons');
    expect(field(id, 'ISRC')).toBe('GBAYE2400001');
    expect(field(id, 'Release Date')).toBe('2024-05-17');
    // Spotify no longer returns popularity to a Development Mode app (February 2026 changelog): left empty, never 0.
    expect(field(id, 'Popularity')).toBe(null);
    expect(field(id, 'Spotify URL')).toBe('https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC');
    expect(field(id, 'Key ')).toBe('G Major');
    const tags = await readTags(String(field(id, 'M4A File Path')));
    expect(tags).toMatchObject({ isrc: 'GBAYE2400001', album: 'Horizons', hasArtwork: true });
    // The losing candidates and their scores are kept in the job record.
    const resolve = JSON.parse(
      daemon.store.items.getCheckpoint(daemon.store.items.getItemByPage('tracks', id)!.id, 'resolve')!.output_json,
    );
    expect(resolve.search.candidates).toHaveLength(4);
    expect(
      resolve.search.candidates.find((c: { durationSeconds: number }) => c.durationSeconds === 40).score,
    ).toBeLessThan(resolve.search.chosen.score);
    expect(spotify.requests().some((r) => r.includes('audio-features'))).toBe(false);
    await daemon.stop('test');
  });

  it('writes what is known and stops when no candidate is acceptable, until the row changes', async () => {
    spotify.addTrack({
      id: '0VjIjW4GlUZAMYd2vXMi3b',
      name: 'Quiet Storm',
      artists: [{ id: 'artist0000000000000002', name: 'Nobody Known' }],
      album: 'Rare',
      releaseDate: '2019',
      durationMs: 200_000,
    });
    media.addSearchResults('nobody known quiet storm', [
      { title: 'Nobody Known - Quiet Storm (Live)', url: `${media.url}/audio/none.mp3`, durationSeconds: 320 },
    ]);
    const id = track({
      Title: title('Quiet Storm'),
      'Artist Name': text('Nobody Known'),
      'Spotify URL': { url: 'https://open.spotify.com/track/0VjIjW4GlUZAMYd2vXMi3b' },
    });
    const daemon = await world.daemon();
    await daemon.runOnce();
    expect(daemon.store.items.getItemByPage('tracks', id)).toMatchObject({ state: 'done', outcome: 'metadata-only' });
    expect(field(id, 'Downloaded')).toBe(false);
    expect(field(id, 'Audio Processing')).toEqual(['Metadata Enriched']);
    expect(field(id, 'Album')).toBe('Rare');
    expect(field(id, 'Release Date')).toBe('2019-01-01');
    expect(field(id, 'YouTube URL')).toBe(null);
    const searches = media.requests().filter((r) => r.includes('search.rss')).length;
    sandbox.advanceClock(120_000);
    await daemon.runOnce();
    expect(media.requests().filter((r) => r.includes('search.rss')).length).toBe(searches);
    await daemon.stop('test');
  });

  it('honours a Spotify 429 with its Retry-After: the row waits as told', async () => {
    spotify.addTrack({
      id: '1hKdDCpiI9mqz1jVHRKG0E',
      name: 'Tide',
      artists: [{ id: 'artist0000000000000003', name: 'Wave Form' }],
      album: 'Sea',
      releaseDate: '2022-02-02',
      durationMs: 20_000,
    });
    const url = await media.addFile('tide.mp3', await makeClip({ tonic: 2, mode: 'minor', bpm: 100, seconds: 20 }));
    const id = track({
      Title: title('Tide'),
      'Artist Name': text('Wave Form'),
      'Source URL': { url },
      'Spotify ID': text('1hKdDCpiI9mqz1jVHRKG0E'),
    });
    spotify.rateLimit(10, 60); // every call of this cycle (earlier rows are eligible again for a fresh daemon)
    const daemon = await world.daemon();
    await daemon.runOnce();
    const item = daemon.store.items.getItemByPage('tracks', id)!;
    expect(item).toMatchObject({ state: 'retry_wait', last_error_code: 'SPOTIFY_RATE_LIMITED' });
    expect(item.next_attempt_at - Date.now()).toBeGreaterThan(50_000);
    spotify.rateLimit(0, 0);
    await daemon.stop('test');
  });
});
