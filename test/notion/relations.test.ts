import { join } from 'node:path';
import type { Handler } from '../../src/engine/contracts.js';
import { Store } from '../../state/store.js';
import { systemClock } from '../../src/clock.js';
import { isRoutedToUs } from '../../src/app/sources/tasks.js';
import { silentLogger } from '../../src/log.js';
import { paragraph } from '../../src/notion/blocks.js';
import { loadSchemas } from '../../src/notion/schemas.js';
import { addToRelation } from '../../src/notion/relations.js';
import { checkBeforeDownload } from '../../src/dedup/checks.js';
import { trackRow } from '../../src/pipeline/context.js';
import { decodeFields } from '../../src/app/sources/common.js';
import { FAST, startTestDaemon, testConfig } from '../helpers/daemon.js';
import { gatewayFor, text, title, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Notion lists at most 25 related pages in a page object (has_more says there are more), and a relation write replaces
 * the whole list. tracksync must read a relation in full before it writes one, or every link past the 25th is lost.
 */
describe('relations past the 25 a page object shows', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir();
  const ws = sandbox.workspace;
  const page = (dataSourceId: string, properties: Record<string, unknown>): string =>
    ws.createPage({ parent: { data_source_id: dataSourceId }, properties }).id;
  const many = (dataSourceId: string, n: number, prefix: string): string[] =>
    Array.from({ length: n }, (_, i) => page(dataSourceId, { Name: title(`${prefix} ${i}`) }));

  const quickTask: Handler<'tasks'> = {
    name: 'quick-task',
    source: 'tasks',
    accepts: (input, config) => isRoutedToUs(input.fields, config.routing),
    run: async () => ({
      outcome: 'completed',
      taskStatus: 'completed',
      summary: 'done',
      report: [paragraph('all good')],
    }),
  };

  it('keeps every Execution-Log of a task run again (30 already linked)', async () => {
    const old = many(sandbox.ids.executionLogs.dataSourceId, 30, 'earlier run');
    const task = page(sandbox.ids.tasks.dataSourceId, {
      'Task Name': title('Music Track Sync (weekly)'),
      Status: { status: { name: 'Ready' } },
    });
    ws.setRelation(task, 'Execution-Logs', old);
    const daemon = await startTestDaemon(sandbox, { stateDir: join(dir, 'logs'), handlers: [quickTask as Handler] });
    await daemon.runOnce();
    await daemon.stop('test');
    const linked = ws.relationIds(task, 'Execution-Logs');
    expect(linked).toHaveLength(31);
    expect(linked.slice(0, 30)).toEqual(old);
    expect(decodeFields(daemon.schemas.tasks!, ws.retrievePage(task)).status).toBe('Completed');
  });

  it('adds a playlist to a row linked to 30 playlists without unlinking any, and leaves a relation of 100 as it is', async () => {
    const store = Store.open(join(dir, 'playlists.sqlite'));
    afterAll(() => store.close());
    const config = testConfig(sandbox, join(dir, 'playlists'));
    const notion = gatewayFor(sandbox);
    const schemas = await loadSchemas({ notion, store, config, clock: systemClock, logger: silentLogger() });
    const playlists = many(sandbox.ids.playlists.dataSourceId, 131, 'Set');
    const row = page(sandbox.ids.tracks.dataSourceId, { Title: title('Linked everywhere') });
    ws.setRelation(row, 'Playlists', playlists.slice(0, 30));
    expect(await addToRelation(notion, schemas.tracks, row, 'playlists', [playlists[30]!], silentLogger())).toBe(true);
    expect(ws.relationIds(row, 'Playlists')).toEqual(playlists.slice(0, 31));

    // A person linked 100 in the app: one more cannot be written without replacing all of them, so nothing is written.
    const full = page(sandbox.ids.tracks.dataSourceId, { Title: title('In 100 playlists') });
    ws.setRelation(full, 'Playlists', playlists.slice(0, 100));
    expect(await addToRelation(notion, schemas.tracks, full, 'playlists', [playlists[130]!], silentLogger())).toBe(
      false,
    );
    expect(ws.relationIds(full, 'Playlists')).toEqual(playlists.slice(0, 100));
  });

  it('merges duplicate rows with every playlist of both (30 and 2)', async () => {
    const store = Store.open(join(dir, 'dedup.sqlite'));
    afterAll(() => store.close());
    const config = testConfig(sandbox, join(dir, 'dedup'), { ...FAST, library: { mergeExactDuplicates: true } });
    const notion = gatewayFor(sandbox);
    const schemas = await loadSchemas({ notion, store, config, clock: systemClock, logger: silentLogger() });
    const sets = many(sandbox.ids.playlists.dataSourceId, 32, 'Crate');
    const spotify = { 'Spotify ID': text('dupdupdupdupdupdupdup1') };
    const donor = page(sandbox.ids.tracks.dataSourceId, { Title: title('Twin'), ...spotify });
    ws.setRelation(donor, 'Playlists', sets.slice(0, 30));
    // The keeper: an Eagle id makes it the most complete row (legacy keeper rules).
    const keeper = page(sandbox.ids.tracks.dataSourceId, {
      Title: title('Twin'),
      ...spotify,
      'Eagle File ID': text('EAGLE1'),
    });
    ws.setRelation(keeper, 'Playlists', sets.slice(30));
    const donorPage = await notion.retrievePage(donor);
    const decision = await checkBeforeDownload(
      { config, notion, schema: schemas.tracks, store: store.library, eagle: undefined },
      donorPage,
      trackRow({ source: 'tracks', page: donorPage, fields: decodeFields(schemas.tracks, donorPage) }),
    );
    expect(decision).toMatchObject({ kind: 'merged-into', keeperId: keeper });
    expect(new Set(ws.relationIds(keeper, 'Playlists'))).toEqual(new Set(sets));
  });
});
