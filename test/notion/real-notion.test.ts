import { join } from 'node:path';
import type { Handler } from '../../src/engine/contracts.js';
import { Store } from '../../state/store.js';
import { systemClock } from '../../src/clock.js';
import { isRoutedToUs } from '../../src/app/sources/tasks.js';
import { checkNotion } from '../../src/doctor/checks.js';
import { ConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { paragraph } from '../../src/notion/blocks.js';
import { decodeProperty, encodeFields, pageHasValues } from '../../src/notion/codecs.js';
import { loadSchemas } from '../../src/notion/schemas.js';
import { FAST, startTestDaemon, testConfig } from '../helpers/daemon.js';
import { gatewayFor, text, title, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

describe('tracksync against Notion as it really is', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir();
  const ws = sandbox.workspace;
  afterEach(() => sandbox.setFaults([]));

  it('does not send a date again that landed, though Notion answers it in another form', async () => {
    const store = Store.open(join(dir, 'dates.sqlite'));
    afterAll(() => store.close());
    const notion = gatewayFor(sandbox);
    const schemas = await loadSchemas({
      notion,
      store,
      config: testConfig(sandbox, join(dir, 'dates')),
      clock: systemClock,
      logger: silentLogger(),
    });
    const row = ws.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { Title: title('dated') },
    }).id;
    const values = { processedAt: '2026-11-24T15:04:05.123Z', releaseDate: '2021-03-05', bpm: 124 };
    sandbox.setFaults([{ method: 'PATCH', path: `/pages/${row}`, status: 504, afterWrite: true, times: 1 }]);
    const before = sandbox.requests().at(-1)?.seq ?? 0;
    const written = await notion.updatePage(row, encodeFields(schemas.tracks, values), (page) =>
      pageHasValues(schemas.tracks, page, values),
    );
    expect(decodeProperty(written.properties['Processed At'])).toBe('2026-11-24T15:04:05.123+00:00');
    expect(sandbox.requests(before).filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('stops with the choices when a database holds several data sources, and uses the one named', async () => {
    const other = await withSandbox();
    other.workspace.addDataSource(other.ids.tracks.databaseId, {
      title: 'Archive 2019',
      properties: [
        { name: 'Title', type: 'title' },
        { name: 'Artist Name', type: 'rich_text' },
        { name: 'Downloaded', type: 'checkbox' },
        { name: 'Source URL', type: 'url' },
      ],
    });
    const stateDir = join(dir, 'several');
    const error = await startTestDaemon(other, { stateDir, handlers: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('Music Tracks');
    expect(message).toContain('"Music Tracks"');
    expect(message).toContain('"Archive 2019"');
    expect(message).toContain('TRACKS_DATA_SOURCE');

    const chosen = await startTestDaemon(other, {
      stateDir,
      handlers: [],
      env: { TRACKS_DATA_SOURCE: 'archive 2019' },
    });
    expect(chosen.schemas.tracks.dataSourceId).not.toBe(other.ids.tracks.dataSourceId);
    await chosen.stop('test');
    const doctor = await checkNotion(
      testConfig(other, stateDir, FAST, { TRACKS_DATA_SOURCE: 'Music Tracks' }),
      silentLogger(),
    );
    const line = doctor.checks.find((c) => c.name === 'Music Tracks data sources');
    expect(line?.detail).toMatch(/"Music Tracks" \([0-9a-f-]+\) <- used, "Archive 2019"/);
  });

  it('asks polls for the properties it uses (never the fingerprints), with the Notion-Version it is written for', async () => {
    ws.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: {
        Title: title('fingerprinted'),
        'WAV Fingerprint': text('AQAA'.repeat(500)),
        Downloaded: { checkbox: true },
      },
    });
    const before = sandbox.requests().at(-1)?.seq ?? 0;
    const none: Handler<'tracks'> = {
      name: 'none',
      source: 'tracks',
      accepts: () => false,
      run: async () => ({ outcome: 'synced' }),
    };
    const daemon = await startTestDaemon(sandbox, { stateDir: join(dir, 'poll'), handlers: [none as Handler] });
    await daemon.runOnce();
    const fingerprintId = daemon.schemas.tracks.fields.fingerprint!.id;
    await daemon.stop('test');
    const requests = sandbox.requests(before);
    const polls = requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith(`/data_sources/${sandbox.ids.tracks.dataSourceId}/query`),
    );
    expect(polls.length).toBeGreaterThan(0);
    for (const poll of polls) {
      const asked = new URLSearchParams(poll.query).getAll('filter_properties');
      expect(asked).toContain('title');
      expect(asked).not.toContain(fingerprintId);
    }
    expect(new Set(requests.map((r) => r.notionVersion))).toEqual(new Set(['2025-09-03']));
  });

  it('keeps syncing rows and results past the workspace block limit, and raises one CRITICAL condition', async () => {
    const taskHandler: Handler<'tasks'> = {
      name: 'reporting',
      source: 'tasks',
      accepts: (input, config) => isRoutedToUs(input.fields, config.routing),
      run: async () => ({
        outcome: 'completed',
        taskStatus: 'completed',
        summary: 'Synced 1 track.',
        report: [paragraph('Track A: synced')],
      }),
    };
    const trackHandler: Handler<'tracks'> = {
      name: 'writing',
      source: 'tracks',
      accepts: (input) => String(input.fields.title ?? '').startsWith('limited'),
      run: async () => ({ outcome: 'synced', properties: { downloaded: true, bpm: 126 } }),
    };
    const tasks = ['Music Sync: first', 'Music Sync: second'].map(
      (name) =>
        ws.createPage({
          parent: { data_source_id: sandbox.ids.tasks.dataSourceId },
          properties: { 'Task Name': title(name), Status: { status: { name: 'Ready' } } },
        }).id,
    );
    const row = ws.createPage({
      parent: { data_source_id: sandbox.ids.tracks.dataSourceId },
      properties: { Title: title('limited row'), 'Source URL': { url: 'https://example.com/a.mp3' } },
    }).id;
    ws.setBlockLimitReached(true);
    try {
      const daemon = await startTestDaemon(sandbox, {
        stateDir: join(dir, 'blocks'),
        handlers: [taskHandler as Handler, trackHandler as Handler],
      });
      await daemon.runOnce();
      await daemon.app.critical.idle();
      const incident = daemon.store.incidents.getIncident('notion-block-limit');
      await daemon.stop('test');
      expect(decodeProperty(ws.retrievePage(row).properties.Downloaded)).toBe(true);
      expect(decodeProperty(ws.retrievePage(row).properties.Tempo)).toBe(126);
      for (const task of tasks) {
        expect(decodeProperty(ws.retrievePage(task).properties.Status)).toBe('Completed');
        expect(String(decodeProperty(ws.retrievePage(task).properties['Execution-Result']))).toContain('block limit');
        expect(ws.allBlocks(task)).toEqual([]);
      }
      expect(incident).toMatchObject({ kind: 'notion-block-limit', cleared_at: null, occurrences: 1 });
      expect(incident?.message).toContain('block limit');
    } finally {
      ws.setBlockLimitReached(false);
    }
  });
});
