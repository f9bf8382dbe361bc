import { join } from 'node:path';
import { queueOf } from '../../src/engine/sources.js';
import { silentLogger } from '../../src/log.js';
import { loadSchemas } from '../../src/notion/schemas.js';
import { Store } from '../../state/store.js';
import { testConfig } from '../helpers/daemon.js';
import { gatewayFor, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';
import { FixedClock, NotesSource } from './world.js';

describe('queueOf (src/engine/sources.ts): where a source keeps its items', async () => {
  const sandbox = await withSandbox();

  it("keeps a polled source's items under its database and a local queue's under its own name, claimed apart", async () => {
    const config = testConfig(sandbox, join(tempDir(), 'state'));
    const store = Store.open(join(config.stateDir, 'tracksync.sqlite'));
    onTestFinished(() => store.close());
    const notion = gatewayFor(sandbox);
    const clock = new FixedClock(Date.UTC(2026, 0, 5, 9));
    const schemas = await loadSchemas({ notion, store, config, clock, logger: silentLogger() });
    // Two sources over the same Music Tracks database: the rows themselves, and follow-up imports about those rows.
    const rows = new NotesSource(notion, schemas.tracks);
    const imports = new NotesSource(notion, schemas.tracks, 'imports');
    expect([queueOf(rows), queueOf(imports)]).toEqual(['tracks', 'imports']);

    // The same page is an item of each: one per queue and page, so an import never takes the row's place.
    const now = clock.now();
    const common = { pageId: 'page-1', title: 'Song', now };
    store.items.upsertPolledItem({
      ...common,
      source: queueOf(rows),
      dataSourceId: 'ds',
      handler: 'track',
      inputHash: 'h',
    });
    store.items.enqueueLocal({ ...common, source: queueOf(imports), handler: 'import', inputJson: null, dueAt: now });
    const claim = (source: NotesSource) =>
      store.items
        .claimNextItems({ source: queueOf(source), owner: 'mac:1', bootId: 'boot', now, leaseMs: 60_000, limit: 10 })
        .map((row) => row.handler);
    expect(claim(imports)).toEqual(['import']);
    expect(claim(rows)).toEqual(['track']);
  });
});
