import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { classifyUrl, type ClassifiedUrl } from '../../src/domain/urls.js';
import { listPlaylistEntries } from '../../src/feeds/listing.js';
import { silentLogger } from '../../src/log.js';
import { YtDlp } from '../../src/media/ytdlp.js';
import { startSpotifyServer } from '../../src/sandbox/spotify-server.js';
import { SpotifyService } from '../../src/services/spotify.js';

function url(text: string): ClassifiedUrl {
  const c = classifyUrl(text);
  if (!c.ok) throw new Error(c.reason);
  return c.value;
}

// A playlist named by a task or a feed becomes its first entries, each with a title and an artist to find the track
// by; a Spotify playlist without the user's credentials is refused with the settings that are missing.
describe('listing a playlist', async () => {
  const server = await startSpotifyServer({ strict: true });
  afterAll(() => server.close());
  const env = {
    NOTION_TOKEN: 'ntn_x_123456',
    TRACKS_DB_ID: '27ce73616c2780fbb40efefdd47d6640',
    SPOTIFY_CLIENT_ID: server.clientId,
    SPOTIFY_CLIENT_SECRET: server.clientSecret,
    SPOTIFY_API_BASE_URL: server.apiBaseUrl,
    SPOTIFY_ACCOUNTS_BASE_URL: server.accountsBaseUrl,
    SPOTIFY_REFRESH_TOKEN: server.refreshToken,
  };
  const config = loadConfig({ env, cwd: '/' });
  const ytdlp = new YtDlp(config, silentLogger());
  const spotify = SpotifyService.fromConfig(config, systemClock, silentLogger())!;
  const ids = ['1aaaaaaaaaaaaaaaaaaaaa', '2bbbbbbbbbbbbbbbbbbbbb', '3ccccccccccccccccccccc'];
  ids.forEach((id, i) =>
    server.addTrack({
      id,
      name: `Song ${i}`,
      artists: [
        { id: 'a1', name: 'Relay' },
        { id: 'a2', name: `Guest ${i}` },
      ],
      album: 'Wires',
      releaseDate: '2021',
      durationMs: 200_000,
    }),
  );
  server.addPlaylist('37i9dQZF1DXcBWIGoYBM5M', 'Road Trip', ids);
  const playlist = url('https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M');

  it('lists the first entries of a Spotify playlist with every artist named', async () => {
    const listing = await listPlaylistEntries({ ytdlp, spotify }, playlist, new AbortController().signal, 2);
    expect(listing).toEqual({
      name: 'Road Trip',
      entries: [
        { title: 'Song 0', artist: 'Relay, Guest 0', url: `https://open.spotify.com/track/${ids[0]}` },
        { title: 'Song 1', artist: 'Relay, Guest 1', url: `https://open.spotify.com/track/${ids[1]}` },
      ],
    });
  });

  it('names the missing Spotify settings when there is no Spotify client', async () => {
    const error = await listPlaylistEntries(
      { ytdlp, spotify: undefined },
      playlist,
      new AbortController().signal,
      2,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SPOTIFY_UNAUTHORIZED' });
    expect((error as Error).message).toContain('SPOTIFY_REFRESH_TOKEN');
  });
});
