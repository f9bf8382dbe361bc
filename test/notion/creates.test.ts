import { join } from 'node:path';
import type { Handler } from '../../src/engine/contracts.js';
import { Store } from '../../state/store.js';
import { systemClock } from '../../src/clock.js';
import { isRoutedToUs } from '../../src/app/sources/tasks.js';
import { CriticalTasks, criticalTitle } from '../../src/handoff/critical.js';
import { silentLogger } from '../../src/log.js';
import { decodeProperty } from '../../src/notion/codecs.js';
import { loadSchemas, type Schemas } from '../../src/notion/schemas.js';
import { ArtistDirectory } from '../../src/domain/artists.js';
import { ensureTrackRow } from '../../src/domain/lookup.js';
import { classifyUrl, type ClassifiedUrl } from '../../src/domain/urls.js';
import { startTestDaemon, testConfig } from '../helpers/daemon.js';
import { gatewayFor, title, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * A create that times out or gets a 5xx may have landed, and a query right after it may not show the new page yet
 * (query freshness is not documented). The local Notion answers the create with a 504 after applying it, and hides
 * new pages from queries for 3 s: no page may be created twice.
 */
describe('creates after an ambiguous failure, with queries that lag', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir();
  const ws = sandbox.workspace;
  const lostAnswer = (): void =>
    sandbox.setFaults([{ method: 'POST', path: '^/pages$', status: 504, afterWrite: true, times: 1 }]);
  beforeEach(() => ws.setQueryVisibilityDelay(3_000));
  afterEach(() => {
    ws.setQueryVisibilityDelay(0);
    sandbox.setFaults([]);
  });
  const titles = (dataSourceId: string, property: string): string[] =>
    ws.allPages(dataSourceId).map((p) => String(decodeProperty(p.properties[property])));
  const stores: Store[] = [];
  afterAll(() => stores.forEach((s) => s.close()));
  const setUp = async (
    name: string,
  ): Promise<{ store: Store; schemas: Schemas; notion: ReturnType<typeof gatewayFor> }> => {
    const store = Store.open(join(dir, `${name}.sqlite`));
    stores.push(store);
    const notion = gatewayFor(sandbox, { store: store.notion });
    const schemas = await loadSchemas({
      notion,
      store,
      config: testConfig(sandbox, join(dir, name)),
      clock: systemClock,
      logger: silentLogger(),
    });
    return { store, schemas, notion };
  };
  const url = (raw: string): ClassifiedUrl => {
    const c = classifyUrl(raw);
    if (!c.ok) throw new Error(c.reason);
    return c.value;
  };

  it('creates one Music Tracks row, and finds it again while queries still cannot see it, even after a restart', async () => {
    const { store, schemas, notion } = await setUp('rows');
    const target = url('https://soundcloud.com/some-artist/lagging-row');
    lostAnswer();
    const first = await ensureTrackRow(notion, schemas.tracks, target, { title: 'Lagging row' });
    // Another task names the same track at once, in a process started afresh on the same state directory.
    const second = await ensureTrackRow(gatewayFor(sandbox, { store: store.notion }), schemas.tracks, target);
    expect(second.page.id).toBe(first.page.id);
    expect(titles(sandbox.ids.tracks.dataSourceId, 'Title').filter((t) => t === 'Lagging row')).toHaveLength(1);
  });

  it('creates one artist', async () => {
    const { schemas, notion } = await setUp('artists');
    lostAnswer();
    const [id] = await new ArtistDirectory(notion, silentLogger()).resolve(schemas.artists!, ['Lagging Artist']);
    const [again] = await new ArtistDirectory(notion, silentLogger()).resolve(schemas.artists!, ['Lagging Artist']);
    expect(again).toBe(id);
    expect(titles(sandbox.ids.artists.dataSourceId, 'Name').filter((t) => t === 'Lagging Artist')).toHaveLength(1);
  });

  it('creates one CRITICAL task for a condition seen twice', async () => {
    const { store, schemas, notion } = await setUp('critical');
    const config = testConfig(sandbox, join(dir, 'critical'));
    const critical = new CriticalTasks({
      notion,
      schemas: () => schemas,
      store,
      config,
      clock: systemClock,
      logger: silentLogger(),
    });
    lostAnswer();
    await critical.raise('volume-missing', { message: 'OUT_DIR /Volumes/VIBES is not mounted', tried: 'waited' });
    await critical.raise('volume-missing', { message: 'OUT_DIR /Volumes/VIBES is not mounted', tried: 'waited' });
    expect(
      titles(sandbox.ids.tasks.dataSourceId, 'Task Name').filter((t) => t === criticalTitle('volume-missing')),
    ).toHaveLength(1);
  });

  it('creates one Execution-Log for a task', async () => {
    const handler: Handler<'tasks'> = {
      name: 'logged',
      source: 'tasks',
      accepts: (input, config) => isRoutedToUs(input.fields, config.routing),
      run: async () => ({ outcome: 'completed', taskStatus: 'completed', summary: 'done' }),
    };
    const task = ws.createPage({
      parent: { data_source_id: sandbox.ids.tasks.dataSourceId },
      properties: { 'Task Name': title('Music Sync: lagging log'), Status: { status: { name: 'Ready' } } },
    }).id;
    sandbox.advanceClock(5_000); // the task itself is old enough for queries to show it
    const daemon = await startTestDaemon(sandbox, { stateDir: join(dir, 'logs'), handlers: [handler as Handler] });
    lostAnswer();
    await daemon.runOnce();
    await daemon.stop('test');
    const logs = ws
      .allPages(sandbox.ids.executionLogs.dataSourceId)
      .filter((p) => String(decodeProperty(p.properties.Name)).includes('lagging log'));
    expect(logs).toHaveLength(1);
    expect(ws.relationIds(task, 'Execution-Logs')).toEqual([logs[0]!.id]);
  });
});
