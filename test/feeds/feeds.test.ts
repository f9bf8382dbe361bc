import { JOBS } from '../../src/app/music.js';
import { decodeProperty } from '../../src/notion/codecs.js';
import { FAST } from '../helpers/daemon.js';
import { pipelineWorld } from '../helpers/pipeline.js';

describe('feeds: likes and playlists become Music Tracks rows', async () => {
  const world = await pipelineWorld();
  const { sandbox, media, spotify } = world;
  const rows = () => sandbox.workspace.allPages(sandbox.ids.tracks.dataSourceId);
  const bySource = (url: string) => rows().filter((p) => decodeProperty(p.properties['Source URL']) === url);
  // The local feed stands in for https://soundcloud.com/<profile>/likes: the real yt-dlp lists it flat, newest first.
  const file = (extra: object = {}) => ({
    ...FAST,
    search: media.search,
    feeds: { soundcloudLikesUrl: `${media.url}/youtube/search.rss?q={profile}`, spotifyLikes: false, ...extra },
  });

  it('adds new likes, newest first, and stops at the first one it already knows', async () => {
    const like = (n: number) => ({
      title: `Liked ${n}`,
      url: `${media.url}/audio/liked-${n}.mp3`,
      durationSeconds: 180,
    });
    media.addSearchResults('dj-profile', [like(3), like(2), like(1)]);
    const daemon = await world.daemon({ file: file(), env: { SOUNDCLOUD_PROFILE: 'dj-profile' } });
    const first = await daemon.app.runFeeds();
    expect(first).toEqual([{ feed: 'SoundCloud likes of dj-profile', listed: 3, created: 3, known: 0 }]);
    expect(bySource(like(1).url)).toHaveLength(1);
    expect(decodeProperty(bySource(like(3).url)[0]!.properties.Title)).toBe('Liked 3');
    const again = await daemon.app.runFeeds();
    expect(again[0]).toMatchObject({ created: 0, known: 1 }); // stopped at the newest, already known
    await daemon.stop('test');
  });

  it('adds Spotify liked songs and playlist tracks (linked to the playlist), never removing a track that left it', async () => {
    for (const [id, name] of [
      ['feedtrack0000000000001', 'First'],
      ['feedtrack0000000000002', 'Second'],
      ['feedtrack0000000000003', 'Third'],
    ] as const) {
      spotify.addTrack({
        id,
        name,
        artists: [{ id: `a-${id}`, name: 'Feed Artist' }],
        album: 'Feeds',
        releaseDate: '2024',
        durationMs: 200_000,
      });
    }
    spotify.like('feedtrack0000000000001');
    spotify.addPlaylist('37i9dQZF1DX0XUsuxWHRQd', 'Warm Up', ['feedtrack0000000000002', 'feedtrack0000000000003']);
    const daemon = await world.daemon({
      file: file({
        spotifyLikes: true,
        spotifyPlaylists: ['https://open.spotify.com/playlist/37i9dQZF1DX0XUsuxWHRQd'],
      }),
    });
    const reports = await daemon.app.runFeeds();
    expect(reports).toEqual([
      { feed: 'Spotify liked songs', listed: 1, created: 1, known: 0 },
      { feed: 'Spotify playlist Warm Up', listed: 2, created: 2, known: 0 },
    ]);
    const row = (id: string) => rows().find((p) => decodeProperty(p.properties['Spotify ID']) === id)!;
    const playlist = sandbox.workspace
      .allPages(sandbox.ids.playlists.dataSourceId)
      .find((p) => decodeProperty(p.properties.Name) === 'Warm Up')!;
    expect(decodeProperty(row('feedtrack0000000000002').properties.Playlists)).toEqual([playlist.id]);
    expect(decodeProperty(row('feedtrack0000000000001').properties['Artist Name'])).toBe('Feed Artist');
    // "Third" leaves the playlist: its row stays.
    spotify.addPlaylist('37i9dQZF1DX0XUsuxWHRQd', 'Warm Up', ['feedtrack0000000000002']);
    await daemon.app.runFeeds();
    expect(row('feedtrack0000000000003')).toBeDefined();
    expect(row('feedtrack0000000000003').in_trash).toBe(false);
    await daemon.stop('test');
  });

  it('creates at most maxNewRowsPerRun rows in one run', async () => {
    media.addSearchResults(
      'big-profile',
      Array.from({ length: 8 }, (_, i) => ({
        title: `Bulk ${i}`,
        url: `${media.url}/audio/bulk-${i}.mp3`,
        durationSeconds: 100,
      })),
    );
    const daemon = await world.daemon({
      file: file({ maxNewRowsPerRun: 5 }),
      env: { SOUNDCLOUD_PROFILE: 'big-profile' },
    });
    expect((await daemon.app.runFeeds())[0]).toMatchObject({ created: 5 });
    // The newest 5 exist: it stops there.
    expect((await daemon.app.runFeeds())[0]).toMatchObject({ created: 0, known: 1 });
    await daemon.stop('test');
  });

  it('runs as a job on the one queue: its schedule queues it, new rows are made, a feed that fails waits with its code', async () => {
    media.addSearchResults('job-profile', [
      { title: 'Job 1', url: `${media.url}/audio/job-1.mp3`, durationSeconds: 100 },
    ]);
    const daemon = await world.daemon({
      file: { ...file(), schedule: { cycleCron: '0 0 1 1 *' } },
      env: { SOUNDCLOUD_PROFILE: 'job-profile' },
    });
    try {
      daemon.startSchedule();
      const ended = (): Promise<string> =>
        new Promise((resolve) => {
          const offs = [
            daemon.events.on('item:done', (e) => e.source === JOBS.feeds.queue && done(`done: ${e.outcome}`)),
            daemon.events.on('item:retry', (e) => e.pageId === JOBS.feeds.key && done(`retry: ${e.code}`)),
            daemon.events.on('item:failed', (e) => e.pageId === JOBS.feeds.key && done(`failed: ${e.code}`)),
          ];
          const done = (what: string): void => {
            offs.forEach((off) => off());
            resolve(what);
          };
        });
      const read = ended();
      await daemon.app
        .schedules()
        .find((s) => s.name === 'feeds')!
        .run();
      expect(await read).toBe('done: read');
      expect(bySource(`${media.url}/audio/job-1.mp3`)).toHaveLength(1);

      // The profile's likes can no longer be listed: the job ends with the feed's own error code, not silently.
      media.setStatus('/youtube/search.rss', 404);
      const failed = ended();
      daemon.app.requestFeeds();
      expect(await failed).toMatch(/^(retry|failed): [A-Z_]+$/);
      const item = daemon.store.items.getItemByPage(JOBS.feeds.queue, JOBS.feeds.key);
      expect(item?.last_error_code).toMatch(/^[A-Z_]+$/);
      expect(item?.last_error_message).toBeTruthy();
    } finally {
      media.setStatus('/youtube/search.rss', 0);
      await daemon.stop('test');
    }
  });
});
