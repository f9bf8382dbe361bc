import { join } from 'node:path';
import { Store, handlerStore } from '../../state/store.js';
import { linksHandler } from '../../handlers/links.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { Services } from '../../src/engine/services.js';
import { silentLogger } from '../../src/log.js';
import { createRow } from '../../src/notion/rows.js';
import { registerMediaServices } from '../../src/services/media.js';
import { gatewayFor, seededSchema, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

// The links queue's handler: a synced row's missing links are looked for (test/app/links.test.ts runs the searches);
// a row that has them all, or has no title to search for, costs no search and says so per platform.
describe('the links handler', async () => {
  const sandbox = await withSandbox();
  const notion = gatewayFor(sandbox);
  const tracks = seededSchema('tracks');
  const config = loadConfig({ env: sandbox.env(), cwd: '/' });
  const store = Store.open(join(tempDir('tracksync-links-handler-'), 'state.sqlite'));
  afterAll(() => store.close());
  const services = new Services();
  registerMediaServices(services, config, silentLogger(), systemClock);
  const run = async (values: Parameters<typeof createRow<'tracks'>>[2]['values']) => {
    const { page } = await createRow(notion, tracks, {
      key: JSON.stringify(values),
      values,
      find: async () => undefined,
    });
    return linksHandler.run({
      item: { id: 1, pageId: page.id, attempt: 1 },
      notion,
      schemas: { tracks },
      store: handlerStore(store),
      config,
      clock: systemClock,
      logger: silentLogger(),
      services,
      signal: new AbortController().signal,
    } as never);
  };

  it('reports every link the row already has, searching for none', async () => {
    const result = await run({
      title: 'Golden Hour',
      spotifyUrl: 'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC',
      youtubeUrl: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      soundcloudUrl: 'https://soundcloud.com/solar/golden-hour',
    });
    expect(result.outcome).toBe('links');
    expect((result.details as { links: Array<{ status: string }> }).links.map((l) => l.status)).toEqual([
      'present',
      'present',
      'present',
    ]);
  });

  it('skips every platform for a row with no title to search for', async () => {
    const result = await run({ title: '', sourceUrl: 'https://example.com/a.mp3' });
    expect(result.details).toEqual({
      links: ['spotify', 'youtube', 'soundcloud'].map((platform) => ({
        platform,
        status: 'skipped',
        reason: 'the row has no title to search for',
      })),
    });
  });
});
