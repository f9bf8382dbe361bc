import { decodeProperty } from '../../src/notion/codecs.js';
import { ensureTrackRow, findTrackRow } from '../../src/domain/lookup.js';
import { classifyUrl, type ClassifiedUrl } from '../../src/domain/urls.js';
import { gatewayFor, seededSchema, withSandbox } from '../helpers/notion.js';

function url(text: string): ClassifiedUrl {
  const c = classifyUrl(text);
  if (!c.ok) throw new Error(c.reason);
  return c.value;
}

// A task naming a URL must reach the row that already holds it, however the URL is spelled, and create one row at most.
describe('finding a track row by its URL', async () => {
  const sandbox = await withSandbox();
  const notion = gatewayFor(sandbox);
  const tracks = seededSchema('tracks');
  const valueOf = (id: string, field: 'soundcloudUrl' | 'youtubeUrl' | 'spotifyId' | 'title') =>
    decodeProperty(
      sandbox.workspace.allPages(tracks.dataSourceId).find((p) => p.id === id)!.properties[tracks.fields[field]!.name],
    );

  it('creates a row with the URL in its own column, and finds it again by another spelling of the URL', async () => {
    const first = await ensureTrackRow(notion, tracks, url('https://soundcloud.com/solar/golden-hour'), {
      title: 'Golden Hour',
      artist: 'Solar Echo',
    });
    expect(first.created).toBe(true);
    expect(valueOf(first.page.id, 'soundcloudUrl')).toBe('https://soundcloud.com/solar/golden-hour');
    expect(valueOf(first.page.id, 'youtubeUrl')).toBeNull();
    const again = await ensureTrackRow(
      notion,
      tracks,
      url('https://m.soundcloud.com/solar/golden-hour?si=abc&utm_source=x'),
    );
    expect(again).toMatchObject({ created: false, page: { id: first.page.id } });
  });

  it('tells apart URLs that only contain one another, and finds a Spotify track by its id', async () => {
    await ensureTrackRow(notion, tracks, url('https://soundcloud.com/solar/golden-hour-remix'));
    const found = await findTrackRow(notion, tracks, url('https://soundcloud.com/solar/golden-hour'));
    expect(valueOf(found!.id, 'title')).toBe('Golden Hour');

    const spotify = await ensureTrackRow(notion, tracks, url('https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC'));
    expect(valueOf(spotify.page.id, 'spotifyId')).toBe('4uLU6hMCjMI75M1A2tKUQC');
    const byUri = await findTrackRow(notion, tracks, url('spotify:track:4uLU6hMCjMI75M1A2tKUQC'));
    expect(byUri?.id).toBe(spotify.page.id);
    const youtube = await ensureTrackRow(notion, tracks, url('https://youtu.be/dQw4w9WgXcQ'));
    expect(valueOf(youtube.page.id, 'youtubeUrl')).toMatch(/dQw4w9WgXcQ/);
    expect((await findTrackRow(notion, tracks, url('https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42')))?.id).toBe(
      youtube.page.id,
    );
  });
});
