import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { startEagleServer } from '../../src/sandbox/eagle-server.js';
import { EagleClient, eagleTags, weightedScore } from '../../src/services/eagle.js';
import { tempDir } from '../helpers/tmp.js';

// The Eagle client against the local Eagle over real HTTP: folders made once (legacy GAP-1), tags merged, never lost
// (legacy bug 17), and the legacy weighted match.
describe('Eagle', async () => {
  const dir = tempDir('tracksync-eagle-');
  const server = await startEagleServer({ libraryPath: join(dir, 'library'), token: 'eagle-token' });
  afterAll(() => server.close());
  const client = (base = server.url, explicit = true) =>
    new EagleClient({ base, token: 'eagle-token', fetch, clock: systemClock, logger: silentLogger(), explicit });
  const file = join(dir, 'Solar Echo - Golden Hour.m4a');
  writeFileSync(file, 'audio');

  it('creates a folder path once, however many ask at the same time', async () => {
    const eagle = client();
    const ids = await Promise.all([1, 2, 3].map(() => eagle.folderId(['Playlists', 'Road Trip'])));
    expect(new Set(ids).size).toBe(1);
    expect(await client().folderId(['Playlists', 'Road Trip'])).toBe(ids[0]); // a new client finds it
    expect(server.folders().filter((f) => f.name === 'Playlists')).toHaveLength(1);
  });

  it('imports a file, merges tags into the ones it has, finds it again, and says when Eagle is closed', async () => {
    const eagle = client();
    const folderId = await eagle.folderId(['Playlists', 'Uncategorized']);
    const tags = eagleTags({
      bpm: 121.6,
      key: 'A Minor',
      camelot: '8A',
      playlists: ['Road Trip!'],
      source: 'SoundCloud',
      fingerprint: 'AQAA',
      durationSeconds: 200.4,
      artist: 'Solar Echo',
    });
    expect(tags).toEqual([
      'fingerprint:AQAA',
      'BPM122',
      'A Minor',
      'Camelot 8A',
      'duration:200',
      'Road Trip',
      'SoundCloud',
      'Solar Echo',
    ]);
    const id = await eagle.import({
      path: file,
      name: 'Solar Echo - Golden Hour',
      website: 'https://x.test',
      tags,
      folderId,
    });
    await eagle.mergeTags(id, ['Played']);
    expect(server.items().find((i) => i.id === id)?.tags).toEqual([...tags, 'Played']);
    const found = await eagle.findTrack({ title: 'Golden Hour', artist: 'Solar Echo', durationSeconds: 200, bpm: 122 });
    expect(found?.id).toBe(id);
    expect(
      await eagle.findTrack({ title: 'Another Song', artist: 'Someone Else', durationSeconds: 200 }),
    ).toBeUndefined();
    expect(await eagle.available()).toBe(true);
    server.setRunning(false);
    try {
      expect(await eagle.available()).toBe(false);
    } finally {
      server.setRunning(true);
    }
  });

  it('scores a match by fingerprint first, then title and artist both, duration and BPM', () => {
    const item = (name: string, tags: string[]) =>
      ({ id: 'i', name, ext: 'm4a', tags, folders: [], url: '', path: null }) as const;
    const track = { title: 'Golden Hour', artist: 'Solar Echo', durationSeconds: 200, bpm: 122, fingerprint: 'FP' };
    expect(weightedScore(track, item('whatever', ['fingerprint:FP']))).toBe(100);
    const exact = weightedScore(track, item('Solar Echo - Golden Hour', ['duration:200', 'BPM122']));
    expect(exact).toBeGreaterThanOrEqual(70); // findTrack's threshold
    const off = weightedScore(track, item('Solar Echo - Golden Hour', ['duration:230', 'BPM90']));
    // Same name, but 30 s longer at another tempo: another version, below the threshold.
    expect(off).toBeGreaterThan(0);
    expect(off).toBeLessThan(70);
    // The title alone, under another artist, is no match.
    expect(weightedScore(track, item('Moon Drift - Golden Hour', ['duration:200', 'BPM122']))).toBe(0);
  });
});
