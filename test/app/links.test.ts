import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { decodeProperty } from '../../src/notion/codecs.js';
import { findLinks } from '../../src/app/links.js';
import { MEDIA, type MediaServices } from '../../src/services/media.js';
import { makeClip } from '../helpers/audio.js';
import { cli } from '../helpers/cli.js';
import { text, title } from '../helpers/notion.js';
import { pipelineWorld } from '../helpers/pipeline.js';

describe('cross-platform links', async () => {
  const world = await pipelineWorld();
  const { sandbox, media, spotify } = world;
  const field = (id: string, name: string) => decodeProperty(sandbox.workspace.retrievePage(id).properties[name]);
  const clip = (tonic: number, seconds: number) => makeClip({ tonic, mode: 'major', bpm: 120, seconds });
  /** A synced row as the pipeline leaves it: title, artist, measured duration, ISRC, no links but its source. */
  const syncedRow = (name: string, artist: string, extra: Record<string, unknown> = {}) =>
    sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: {
        Title: title(name),
        'Artist Name': text(artist),
        'Audio Duration (seconds)': { number: 200 },
        Downloaded: { checkbox: true },
        ...extra,
      },
    }).id;

  it('picks the right version on each platform, or none: live, remix and 20 s longer uploads lose; ISRC wins on Spotify', async () => {
    const right = await media.addFile('lantern-official.mp3', await clip(0, 4));
    const live = await media.addFile('lantern-live.mp3', await clip(1, 4));
    const remix = await media.addFile('lantern-remix.mp3', await clip(2, 4));
    const longer = await media.addFile('lantern-long.mp3', await clip(3, 4));
    media.addSearchResults('paper moth lantern', [
      { title: 'Paper Moth - Lantern (Live at Paradiso)', url: live, durationSeconds: 212 },
      { title: 'Paper Moth - Lantern (Night Remix)', url: remix, durationSeconds: 201 },
      { title: 'Paper Moth - Lantern', url: longer, durationSeconds: 221 },
      { title: 'Paper Moth - Lantern (Official Audio)', url: right, durationSeconds: 201 },
    ]);
    // SoundCloud has only wrong versions: nothing is written, the best is kept as a candidate with its score.
    media.addSearchResults(
      'paper moth lantern',
      [
        { title: 'Lantern (Live)', url: live, durationSeconds: 215 },
        { title: 'Lantern (extended mix)', url: longer, durationSeconds: 245 },
      ],
      'soundcloud',
    );
    spotify.addTrack({
      id: 'lanternDecoy0000000000',
      name: 'Lantern',
      artists: [{ id: 'artist0000000000000moth', name: 'Paper Moth' }],
      album: 'Live',
      releaseDate: '2020-01-01',
      durationMs: 220_000,
      isrc: 'GBPMO2000001',
    });
    spotify.addTrack({
      id: 'lanternRight0000000000',
      name: 'Lantern',
      artists: [{ id: 'artist0000000000000moth', name: 'Paper Moth' }],
      album: 'Lights',
      releaseDate: '2021-01-01',
      durationMs: 200_500,
      isrc: 'GBPMO2100042',
    });
    const id = syncedRow('Lantern', 'Paper Moth', {
      ISRC: text('GBPMO2100042'),
      Notes: text('Found at the Thursday set.'),
    });

    const daemon = await world.daemon({ file: { links: { enabled: true } } });
    onTestFinished(() => daemon.stop('test'));
    const tools = daemon.services.require<MediaServices>(MEDIA);
    const outcomes = await findLinks(
      {
        notion: daemon.notion,
        schemas: daemon.schemas,
        store: daemon.store.links,
        config: daemon.config,
        clock: systemClock,
        logger: silentLogger(),
        ytdlp: tools.ytdlp,
        spotify: tools.spotify,
      },
      id,
    );

    expect(outcomes.find((o) => o.platform === 'spotify')).toMatchObject({
      status: 'written',
      url: 'https://open.spotify.com/track/lanternRight0000000000',
      score: 1,
    });
    expect(outcomes.find((o) => o.platform === 'youtube')).toMatchObject({ status: 'written', url: right });
    expect(outcomes.find((o) => o.platform === 'soundcloud')).toMatchObject({ status: 'candidate' });
    expect(field(id, 'Spotify URL')).toBe('https://open.spotify.com/track/lanternRight0000000000');
    expect(field(id, 'Spotify ID')).toBe('lanternRight0000000000');
    expect(field(id, 'YouTube URL')).toBe(right);
    expect(field(id, 'SoundCloud URL')).toBeNull();
    const notes = String(field(id, 'Notes'));
    expect(notes.startsWith('Found at the Thursday set.\n[tracksync links] ')).toBe(true);
    expect(notes).toMatch(/SoundCloud: not written, best \S+ \(0\.\d+, (under 0\.75|duration differs)/);
    // Every candidate is kept with its score, the losers too.
    const kept = daemon.store.links.listLinkCandidates(id);
    expect(kept.filter((c) => c.platform === 'youtube')).toHaveLength(4);
    expect(kept.find((c) => c.url === live && c.platform === 'youtube')!.score).toBeLessThan(
      kept.find((c) => c.url === right)!.score,
    );
    expect(
      kept
        .filter((c) => c.accepted === 1)
        .map((c) => c.platform)
        .sort(),
    ).toEqual(['spotify', 'youtube']);
  });

  it('never replaces a URL a person set, and does not write a link that does not answer', async () => {
    const gone = `${media.url}/audio/removed-upload.mp3`;
    media.addSearchResults(
      'quiet harbour tidewater',
      [{ title: 'Quiet Harbour - Tidewater (Official Audio)', url: gone, durationSeconds: 200 }],
      'soundcloud',
    );
    const id = syncedRow('Tidewater', 'Quiet Harbour', {
      'YouTube URL': { url: 'https://www.youtube.com/watch?v=personChose' },
    });
    const configPath = join(world.dir, 'links-cli.json');
    writeFileSync(configPath, JSON.stringify({ search: media.search }));
    const result = await cli(['links', id, '--json'], {
      ...sandbox.env(),
      ...world.env(),
      TRACKSYNC_STATE_DIR: join(world.dir, 'links-cli'),
      TRACKSYNC_CONFIG: configPath,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      outcomes: Array<{ platform: string; status: string; url?: string }>;
      candidates: Array<{ url: string; rejected: string | null }>;
    };
    expect(report.outcomes.find((o) => o.platform === 'youtube')).toEqual({
      platform: 'youtube',
      status: 'present',
      url: 'https://www.youtube.com/watch?v=personChose',
    });
    expect(report.outcomes.find((o) => o.platform === 'soundcloud')).toMatchObject({ status: 'candidate', url: gone });
    expect(report.candidates.find((c) => c.url === gone)!.rejected).toBe('does not answer');
    expect(field(id, 'YouTube URL')).toBe('https://www.youtube.com/watch?v=personChose');
    expect(field(id, 'SoundCloud URL')).toBeNull();
  });

  it('runs after a sync as an item of the links queue; a Spotify 429 reschedules it as asked and never fails the track', async () => {
    const url = await media.addFile('after-sync.mp3', await clip(5, 10));
    const sc = await media.addFile('after-sync-sc.mp3', await clip(5, 10));
    media.addSearchResults(
      'north pier beacon',
      [{ title: 'North Pier - Beacon', url: sc, durationSeconds: 10 }],
      'soundcloud',
    );
    spotify.addTrack({
      id: 'beaconNorthPier0000000',
      name: 'Beacon',
      artists: [{ id: 'artist00000000northpier', name: 'North Pier' }],
      album: 'Pier',
      releaseDate: '2022-02-02',
      durationMs: 10_000,
    });
    const id = sandbox.workspace.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { Title: title('Beacon'), 'Artist Name': text('North Pier'), 'Source URL': { url } },
    }).id;
    const daemon = await world.daemon({ file: { links: { enabled: true } } });
    try {
      await daemon.runOnce({ limit: 1 }); // syncs the track; its links are queued as an item of their own
      expect(field(id, 'Downloaded')).toBe(true);
      expect(daemon.store.items.getItemByPage('links', id)?.state).toBe('queued');
      spotify.rateLimit(100, 120); // now every Spotify call answers 429 Retry-After: 120
      await daemon.runOnce(); // the links item: SoundCloud found, Spotify rate-limited
      const links = daemon.store.items.getItemByPage('links', id)!;
      expect(field(id, 'SoundCloud URL')).toBe(sc);
      expect(field(id, 'Spotify URL')).toBeNull();
      expect(links.state).toBe('retry_wait');
      expect(links.next_attempt_at - Date.now()).toBeGreaterThan(100_000); // the Retry-After, not a tight loop
      expect(links.last_error_message).toContain('429');
      expect(daemon.store.items.getItemByPage('tracks', id)?.state).toBe('done');
    } finally {
      spotify.rateLimit(0, 0);
      await daemon.stop('test');
    }
  }, 60_000);
});
