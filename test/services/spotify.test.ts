import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { SpotifyService } from '../../src/services/spotify.js';
import { startSpotifyServer, type SpotifyServer } from '../../src/sandbox/spotify-server.js';

describe('SpotifyService against the local Spotify', async () => {
  const server = await startSpotifyServer({ strict: true });
  afterAll(() => server.close());
  const envOf = (s: SpotifyServer) => ({
    NOTION_TOKEN: 'ntn_x_123456',
    TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640',
    SPOTIFY_CLIENT_ID: s.clientId,
    SPOTIFY_CLIENT_SECRET: s.clientSecret,
    SPOTIFY_API_BASE_URL: s.apiBaseUrl,
    SPOTIFY_ACCOUNTS_BASE_URL: s.accountsBaseUrl,
  });
  const env = envOf(server);
  const client = (extra: Record<string, string> = {}, base: Record<string, string> = env) =>
    SpotifyService.fromConfig(loadConfig({ env: { ...base, ...extra }, cwd: '/' }), systemClock, silentLogger())!;
  const user = () => client({ SPOTIFY_REFRESH_TOKEN: server.refreshToken });
  server.addTrack({
    id: '7ouMYWpwJ422jRcDASZB7P',
    name: 'Signal',
    artists: [{ id: 'a1', name: 'Relay' }],
    album: 'Wires',
    releaseDate: '2021-03-04',
    durationMs: 201_000,
    isrc: 'USX9P2100001',
  });

  it('refreshes its token when it expires, with the refresh token when one is set', async () => {
    server.setTokenLifetime(61); // our client renews a minute early: every call needs a new token
    const spotify = user();
    await spotify.track('7ouMYWpwJ422jRcDASZB7P');
    await new Promise((r) => setTimeout(r, 1_100));
    const track = await spotify.track('7ouMYWpwJ422jRcDASZB7P');
    expect(track).toMatchObject({ name: 'Signal', isrc: 'USX9P2100001', durationMs: 201_000, album: 'Wires' });
    expect(server.requests().filter((r) => r === 'POST /api/token')).toHaveLength(2);
    server.setTokenLifetime(3600);
  });

  it('names the credentials when Spotify rejects them', async () => {
    const spotify = client({ SPOTIFY_CLIENT_SECRET: 'wrong-secret' });
    await expect(spotify.track('7ouMYWpwJ422jRcDASZB7P')).rejects.toMatchObject({
      code: 'SPOTIFY_UNAUTHORIZED',
      message: expect.stringContaining('SPOTIFY_CLIENT_SECRET'),
    });
  });

  it('needs a user token for liked songs', async () => {
    await expect(client().likedTracks(5)).rejects.toMatchObject({ code: 'SPOTIFY_UNAUTHORIZED' });
    server.like('7ouMYWpwJ422jRcDASZB7P');
    expect((await user().likedTracks(5)).map((t) => t.name)).toEqual(['Signal']);
  });

  it('leaves popularity empty (Spotify no longer returns it) and keeps the ISRC (restored in March 2026)', async () => {
    const track = await client().track('7ouMYWpwJ422jRcDASZB7P');
    expect(track.popularity).toBeNull();
    expect(track.isrc).toBe('USX9P2100001');
  });

  it('reads a playlist the user owns through GET /playlists/{id}/items, page by page, never the removed /tracks', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `bigplaylist${String(i).padStart(11, '0')}`);
    for (const [i, id] of ids.entries())
      server.addTrack({
        id,
        name: `Track ${i}`,
        artists: [{ id: 'a9', name: 'Long Set' }],
        album: 'Big',
        releaseDate: '2024',
        durationMs: 150_000,
      });
    server.addPlaylist('4bigPlaylist0000000000', 'Big One', ids);
    const before = server.requests().length;
    const playlist = await user().playlist('4bigPlaylist0000000000');
    expect(playlist.name).toBe('Big One');
    expect(playlist.tracks.map((t) => t.id)).toEqual(ids);
    const requests = server.requests().slice(before);
    expect(
      requests.filter((r) => r === 'GET /v1/playlists/4bigPlaylist0000000000/items').length,
    ).toBeGreaterThanOrEqual(3);
    expect(requests).not.toContain('GET /v1/playlists/4bigPlaylist0000000000/tracks');
  });

  it("reads a collaborative playlist of another user; refuses someone else's with the reason and how to copy it", async () => {
    server.addPlaylist('5sharedPlaylist0000000', 'Shared Set', ['7ouMYWpwJ422jRcDASZB7P'], {
      owner: 'dj-friend',
      collaborators: [server.userId],
    });
    expect((await user().playlist('5sharedPlaylist0000000')).tracks.map((t) => t.name)).toEqual(['Signal']);
    server.addPlaylist('6theirPlaylist00000000', 'Their Set', ['7ouMYWpwJ422jRcDASZB7P'], { owner: 'dj-friend' });
    const refusal = await user()
      .playlist('6theirPlaylist00000000')
      .then(
        () => undefined,
        (error: unknown) => error as { code: string; kind: string; message: string },
      );
    expect(refusal).toMatchObject({ code: 'SPOTIFY_PLAYLIST_NOT_OWNED', kind: 'permanent' });
    expect(refusal!.message).toContain('"Their Set"');
    expect(refusal!.message).toContain('dj-friend');
    expect(refusal!.message).toMatch(/only .*playlists you own or collaborate on/);
    expect(refusal!.message).toMatch(/copy/i);
  });

  it('refuses a playlist without a user token before asking Spotify, naming SPOTIFY_REFRESH_TOKEN', async () => {
    server.addPlaylist('7minePlaylist000000000', 'Mine', ['7ouMYWpwJ422jRcDASZB7P']);
    const before = server.requests().length;
    const refusal = client().playlist('7minePlaylist000000000');
    await expect(refusal).rejects.toMatchObject({
      code: 'SPOTIFY_UNAUTHORIZED',
      message: expect.stringContaining('SPOTIFY_REFRESH_TOKEN'),
    });
    await expect(refusal).rejects.toMatchObject({ message: expect.stringMatching(/only to a user token/) });
    expect(
      server
        .requests()
        .slice(before)
        .some((r) => r.startsWith('GET /v1/playlists/')),
    ).toBe(false);
  });

  it('asks search for at most 10 results a request and pages for more', async () => {
    for (let i = 0; i < 14; i += 1)
      server.addTrack({
        id: `searchpage${String(i).padStart(12, '0')}`,
        name: `Beacon ${i}`,
        artists: [{ id: 'a5', name: 'Lighthouse' }],
        album: 'Coast',
        releaseDate: '2023',
        durationMs: 170_000,
      });
    const found = await client().searchTracks('beacon lighthouse', 12);
    expect(found).toHaveLength(12);
    expect(new Set(found.map((t) => t.id)).size).toBe(12);
    expect(await client().searchTracks('beacon lighthouse', 3)).toHaveLength(3);
  });

  it('a lapsed Premium or a user missing from the allow-list is SPOTIFY_APP_REFUSED, with the reason and the fix, however Spotify refuses', async () => {
    for (const strict of [true, false]) {
      const local = await startSpotifyServer({ strict });
      onTestFinished(() => local.close());
      local.addTrack({
        id: '7ouMYWpwJ422jRcDASZB7P',
        name: 'Signal',
        artists: [{ id: 'a1', name: 'Relay' }],
        album: 'Wires',
        releaseDate: '2021-03-04',
        durationMs: 201_000,
      });
      const spotify = client({ SPOTIFY_REFRESH_TOKEN: local.refreshToken }, envOf(local));
      local.setOwnerPremium(false);
      const premium = await spotify.track('7ouMYWpwJ422jRcDASZB7P').then(
        () => undefined,
        (error: unknown) => error as { code: string; kind: string; message: string },
      );
      expect(premium).toMatchObject({ code: 'SPOTIFY_APP_REFUSED', kind: 'transient' });
      expect(premium!.message).toMatch(/Premium/);
      expect(premium!.message).toContain('developer.spotify.com/dashboard');
      local.setOwnerPremium(true);
      await expect(spotify.track('7ouMYWpwJ422jRcDASZB7P')).resolves.toMatchObject({ name: 'Signal' });
      local.setUserAllowed(false);
      const allowList = await spotify.track('7ouMYWpwJ422jRcDASZB7P').then(
        () => undefined,
        (error: unknown) => error as { code: string; message: string },
      );
      expect(allowList).toMatchObject({ code: 'SPOTIFY_APP_REFUSED' });
      expect(allowList!.message).toMatch(/allow-list/);
      expect(allowList!.message).toMatch(/User Management/);
    }
  });
});
