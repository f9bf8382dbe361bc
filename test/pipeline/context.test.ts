import { trackRow } from '../../src/pipeline/context.js';

// The row's text enters the pipeline here: every later use (tags, arguments, file names) gets clean, trimmed text.
describe('trackRow', () => {
  const row = (fields: Record<string, unknown>) =>
    trackRow({ page: { id: 'page-1' }, fields } as unknown as Parameters<typeof trackRow>[0]);

  it('reads the fields the pipeline needs, cleaned of control characters', () => {
    const r = row({
      title: ' Golden\u0007 Hour ',
      artistName: 'Solar Echo',
      genre: ['House', 'Deep'],
      soundcloudUrl: 'https://soundcloud.com/solar/golden-hour',
      m4aPath: '/out/a.m4a',
      playlists: ['pl-1', 'pl-2'],
    });
    expect(r).toMatchObject({
      pageId: 'page-1',
      title: 'Golden Hour',
      artist: 'Solar Echo',
      genre: 'House, Deep',
      album: '',
      soundcloudUrl: 'https://soundcloud.com/solar/golden-hour',
      paths: { m4a: '/out/a.m4a', aiff: '', wav: '' },
      playlistIds: ['pl-1', 'pl-2'],
      expectedDurationSeconds: null,
    });
  });

  it("knows the duration from Spotify's milliseconds first, else the measured seconds", () => {
    expect(row({ durationMs: 200_500, durationSeconds: 199 }).expectedDurationSeconds).toBe(200.5);
    expect(row({ durationSeconds: 199 }).expectedDurationSeconds).toBe(199);
  });
});
