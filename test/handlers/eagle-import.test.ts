import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eagleImportHandler } from '../../handlers/eagle-import.js';
import { systemClock } from '../../src/clock.js';
import { Services } from '../../src/engine/services.js';
import { TrackSyncError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { EagleImport } from '../../src/pipeline/eagle.js';
import { startEagleServer } from '../../src/sandbox/eagle-server.js';
import { EagleClient } from '../../src/services/eagle.js';
import { MEDIA } from '../../src/services/media.js';
import { tempDir } from '../helpers/tmp.js';

// The queued Eagle import of a placed file: it waits while Eagle is closed, then imports the file and adds the Eagle
// tag to the tags the row has (test/dedup/dedup.test.ts runs it inside the daemon).
describe('the eagle-import handler', async () => {
  const dir = tempDir('tracksync-eagle-import-');
  const server = await startEagleServer({ libraryPath: join(dir, 'library') });
  afterAll(() => server.close());
  const path = join(dir, 'Solar Echo - Golden Hour.m4a');
  writeFileSync(path, 'audio');
  const services = new Services().set(MEDIA, {
    eagle: new EagleClient({ base: server.url, fetch, clock: systemClock, logger: silentLogger(), explicit: true }),
  });
  const item: EagleImport = {
    path,
    name: 'Solar Echo - Golden Hour',
    website: 'https://soundcloud.com/solar/golden-hour',
    playlist: 'Road Trip',
    tags: {
      bpm: 122,
      key: null,
      camelot: null,
      playlists: [],
      source: 'SoundCloud',
      fingerprint: null,
      durationSeconds: 200,
      artist: 'Solar Echo',
    },
  };
  const stages: string[] = [];
  /** The handler contract as the runner gives it, with the parts this handler reads. */
  const run = (data: unknown, processing: string[] = ['Audio Analyzed']) =>
    eagleImportHandler.run({
      input: { data, fields: { processing } },
      services,
      stage: async (name: string, _input: unknown, fn: () => Promise<unknown>) => {
        stages.push(name);
        return fn();
      },
    } as never);

  it('imports the file into Playlists/<playlist> and adds the Eagle tag to the tags the row has', async () => {
    const result = await run(item);
    const imported = server.items().find((i) => i.name === item.name)!;
    expect(result).toEqual({
      outcome: 'imported',
      properties: { eagleId: imported.id, processing: ['Audio Analyzed', 'Files Imported to Eagle'] },
    });
    expect(stages).toEqual(['import']);
    const playlists = server.folders().find((f) => f.name === 'Playlists')!;
    expect(playlists.children.map((c) => c.name)).toEqual(['Road Trip']);
    expect(imported.folders).toEqual([playlists.children[0]!.id]);
  });

  it('waits while Eagle is closed, and drops an item that has no file to import', async () => {
    server.setRunning(false);
    try {
      await expect(run(item)).rejects.toMatchObject({ code: 'EAGLE_UNAVAILABLE' });
    } finally {
      server.setRunning(true);
    }
    const error = await run({ name: 'no path' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrackSyncError);
    expect(error).toMatchObject({ code: 'INTERNAL', kind: 'permanent' });
  });
});
