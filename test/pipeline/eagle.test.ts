import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import type { Enqueue } from '../../src/engine/contracts.js';
import { silentLogger } from '../../src/log.js';
import { EAGLE_IMPORT_QUEUE, importOrDefer, isEagleImport, type EagleImport } from '../../src/pipeline/eagle.js';
import { startEagleServer } from '../../src/sandbox/eagle-server.js';
import { EagleClient } from '../../src/services/eagle.js';
import { closedPort } from '../helpers/net.js';
import { tempDir } from '../helpers/tmp.js';

/** An enqueue that records what it was given. */
const recordTo =
  (queued: unknown[]): Enqueue =>
  (work) => {
    queued.push(work);
    return true;
  };

// A closed Eagle must never fail a track: the import waits on its queue and is done when Eagle answers.
describe('the Eagle step', async () => {
  const dir = tempDir('tracksync-eagle-step-');
  const server = await startEagleServer({ libraryPath: join(dir, 'library') });
  afterAll(() => server.close());
  const path = join(dir, 'a.m4a');
  writeFileSync(path, 'audio');
  const item: EagleImport = {
    path,
    name: 'Solar Echo - Golden Hour',
    website: 'https://x.test',
    playlist: null,
    tags: {
      bpm: 122,
      key: null,
      camelot: null,
      playlists: [],
      source: 'YouTube',
      fingerprint: null,
      durationSeconds: 200,
      artist: 'Solar Echo',
    },
  };
  const eagle = (base: string, explicit: boolean) =>
    new EagleClient({ base, fetch, clock: systemClock, logger: silentLogger(), explicit });

  it('imports into Playlists/Uncategorized when Eagle answers', async () => {
    const queued: unknown[] = [];
    const id = await importOrDefer(
      { eagle: eagle(server.url, true), enqueue: recordTo(queued), logger: silentLogger() },
      'page-1',
      item,
    );
    expect(server.items().find((i) => i.id === id)?.folders).toHaveLength(1);
    expect(
      server
        .folders()
        .find((f) => f.name === 'Playlists')
        ?.children.map((c) => c.name),
    ).toEqual(['Uncategorized']);
    expect(queued).toEqual([]);
  });

  it('queues the import when a configured Eagle is closed, and does nothing when there is no Eagle at all', async () => {
    const base = `http://127.0.0.1:${await closedPort()}`;
    const queued: unknown[] = [];
    const enqueue = recordTo(queued);
    expect(
      await importOrDefer({ eagle: eagle(base, true), enqueue, logger: silentLogger() }, 'page-1', item),
    ).toBeNull();
    expect(queued).toEqual([{ queue: EAGLE_IMPORT_QUEUE, pageId: 'page-1', title: item.name, data: item }]);
    expect(isEagleImport((queued[0] as { data: unknown }).data)).toBe(true);
    queued.length = 0;
    expect(
      await importOrDefer({ eagle: eagle(base, false), enqueue, logger: silentLogger() }, 'page-1', item),
    ).toBeNull();
    expect(queued).toEqual([]);
  });

  it('recognises a queued import, and nothing else', () => {
    expect(isEagleImport(item)).toBe(true);
    expect(isEagleImport(null)).toBe(false);
    expect(isEagleImport({ path: 'x', name: 'y' })).toBe(false);
  });
});
