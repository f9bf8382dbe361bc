import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trackRow, type TrackRow } from '../../src/pipeline/context.js';
import { resolveSource, searchTarget } from '../../src/pipeline/resolve.js';
import { stageDeps } from '../helpers/pipeline.js';
import { tempDir } from '../helpers/tmp.js';

const row = (fields: Record<string, unknown>): TrackRow =>
  trackRow({ page: { id: 'page-1' }, fields } as unknown as Parameters<typeof trackRow>[0]);

// Which source a row is downloaded from (test/pipeline/spotify-search.test.ts covers the search): SoundCloud before
// YouTube before a Source URL, by what each value is rather than the column it sits in, and a note for each surprise.
describe('resolving the source', async () => {
  const deps = stageDeps(tempDir('tracksync-resolve-'));
  // on.soundcloud.com short links redirect to the track: a real HTTP server answers the redirect here.
  let server: Server;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(302, { location: 'https://soundcloud.com/solar/golden-hour?si=x' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => server.close());

  it('prefers SoundCloud, whatever the column it sits in, and notes the misplaced and unusable values', async () => {
    const resolution = await resolveSource(
      deps,
      row({
        youtubeUrl: 'https://soundcloud.com/solar/golden-hour',
        sourceUrl: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
        soundcloudUrl: 'not a link',
      }),
    );
    expect(resolution.source).toMatchObject({
      kind: 'soundcloud',
      url: 'https://soundcloud.com/solar/golden-hour',
      from: 'youtubeUrl',
    });
    expect(resolution.search).toBeNull();
    expect(resolution.notes).toEqual([
      expect.stringMatching(/^SoundCloud URL "not a link" is not usable/),
      expect.stringMatching(/^YouTube URL holds a soundcloud URL; it is used as one/),
      expect.stringMatching(/^Source URL holds a youtube URL/),
    ]);
  });

  it('says a playlist is not a track, and asks for the Spotify credentials a Spotify-only row needs', async () => {
    const playlist = row({
      soundcloudUrl: 'https://soundcloud.com/solar/sets/summer',
      spotifyId: '4uLU6hMCjMI75M1A2tKUQC',
    });
    const error = await resolveSource(deps, playlist).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NO_SOURCE' });
    expect((error as Error).message).toContain('SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET');
    expect((error as { details: { notes: string[] } }).details.notes).toEqual([
      expect.stringContaining('holds a soundcloud playlist, not a track'),
    ]);
    await expect(resolveSource(deps, row({}))).rejects.toMatchObject({ code: 'NO_SOURCE' });
  });

  it('follows a SoundCloud short link to its track', async () => {
    const port = (server.address() as AddressInfo).port;
    const local = {
      ...deps,
      fetch: ((_url: string, init: RequestInit) => fetch(`http://127.0.0.1:${port}/`, init)) as typeof fetch,
    };
    const resolution = await resolveSource(local, row({ soundcloudUrl: 'https://on.soundcloud.com/AbCdEf' }));
    expect(resolution.source).toMatchObject({ kind: 'soundcloud', url: 'https://soundcloud.com/solar/golden-hour' });
  });

  it('puts the query into a search template, encoded only for an http one', () => {
    expect(searchTarget('ytsearch5:{query}', 'Solar Echo Golden Hour')).toBe('ytsearch5:Solar Echo Golden Hour');
    expect(searchTarget('http://127.0.0.1:1/search?q={query}', 'A & B')).toBe(
      'http://127.0.0.1:1/search?q=A%20%26%20B',
    );
  });
});
