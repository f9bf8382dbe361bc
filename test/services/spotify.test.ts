import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { SpotifyService } from '../../src/services/spotify.js';
import { startSpotifyServer } from '../../src/sandbox/spotify-server.js';

describe('SpotifyService against the local Spotify', async () => {
  const server = await startSpotifyServer();
  afterAll(() => server.close());
  const env = { NOTION_TOKEN: 'ntn_x_123456', TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640', SPOTIFY_CLIENT_ID: server.clientId, SPOTIFY_CLIENT_SECRET: server.clientSecret, SPOTIFY_API_BASE_URL: server.apiBaseUrl, SPOTIFY_ACCOUNTS_BASE_URL: server.accountsBaseUrl };
  server.addTrack({ id: '7ouMYWpwJ422jRcDASZB7P', name: 'Signal', artists: [{ id: 'a1', name: 'Relay' }], album: 'Wires', releaseDate: '2021-03-04', durationMs: 201_000, isrc: 'USX9P2100001' });

  it('refreshes its token when it expires, with the refresh token when one is set', async () => {
    server.setTokenLifetime(61); // our client renews a minute early: every call needs a new token
    const spotify = SpotifyService.fromConfig(loadConfig({ env: { ...env, SPOTIFY_REFRESH_TOKEN: server.refreshToken }, cwd: '/' }), systemClock, silentLogger())!;
    await spotify.track('7ouMYWpwJ422jRcDASZB7P');
    await new Promise((r) => setTimeout(r, 1_100));
    const track = await spotify.track('7ouMYWpwJ422jRcDASZB7P');
    expect(track).toMatchObject({ name: 'Signal', isrc: 'USX9P2100001', durationMs: 201_000, album: 'Wires' });
    expect(server.requests().filter((r) => r === 'POST /api/token')).toHaveLength(2);
    server.setTokenLifetime(3600);
  });

  it('names the credentials when Spotify rejects them', async () => {
    const spotify = SpotifyService.fromConfig(loadConfig({ env: { ...env, SPOTIFY_CLIENT_SECRET: 'wrong-secret' }, cwd: '/' }), systemClock, silentLogger())!;
    await expect(spotify.track('7ouMYWpwJ422jRcDASZB7P')).rejects.toMatchObject({ code: 'SPOTIFY_UNAUTHORIZED', message: expect.stringContaining('SPOTIFY_CLIENT_SECRET') });
  });

  it('needs a user token for liked songs', async () => {
    const clientOnly = SpotifyService.fromConfig(loadConfig({ env, cwd: '/' }), systemClock, silentLogger())!;
    await expect(clientOnly.likedTracks(5)).rejects.toMatchObject({ code: 'SPOTIFY_UNAUTHORIZED' });
    server.like('7ouMYWpwJ422jRcDASZB7P');
    const user = SpotifyService.fromConfig(loadConfig({ env: { ...env, SPOTIFY_REFRESH_TOKEN: server.refreshToken }, cwd: '/' }), systemClock, silentLogger())!;
    expect((await user.likedTracks(5)).map((t) => t.name)).toEqual(['Signal']);
  });
});
