import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { EventBus } from '../../src/events.js';
import { CriticalTasks, criticalTitle } from '../../src/handoff/critical.js';
import { watchCriticalConditions } from '../../src/handoff/critical-watch.js';
import { silentLogger } from '../../src/log.js';
import { decodeProperty } from '../../src/notion/codecs.js';
import { loadSchemas } from '../../src/notion/schemas.js';
import { testConfig } from '../helpers/daemon.js';
import { gatewayFor, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

/** One turn of the event loop: every pending promise continuation (a probe's answer, then the raise) has run. */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// The watch turns daemon events into CRITICAL Agent-Tasks for the person (real Notion writes, local Notion over HTTP)
// and clears them when the condition is gone. test/handoff/critical.test.ts runs the same conditions in a daemon;
// here the clock is injected, so "missing for 30 minutes" needs no waiting.
describe('watching for conditions that need a person', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-critical-watch-');
  const store = Store.open(join(dir, 'state.sqlite'));
  afterAll(() => store.close());
  const config = testConfig(sandbox, join(dir, 'state'));
  let now = Date.parse('2026-11-24T12:00:00.000Z');
  const clock = { now: () => now, sleep: async () => undefined };
  const notion = gatewayFor(sandbox, { store: store.notion });
  const schemas = await loadSchemas({ notion, store, config, clock, logger: silentLogger() });
  const critical = new CriticalTasks({ notion, schemas: () => schemas, store, config, clock, logger: silentLogger() });
  const events = new EventBus();
  let ytDlpVersion = '2020.01.01';
  const stop = watchCriticalConditions({
    events,
    critical,
    config,
    clock,
    probes: { ytDlpVersion: async () => ytDlpVersion, spotifyStatus: async () => undefined },
  });
  afterAll(stop);
  const taskTitles = (): string[] =>
    sandbox.workspace
      .allPages(sandbox.ids.tasks.dataSourceId)
      .map((p) => String(decodeProperty(p.properties[schemas.tasks!.fields.title!.name])));
  const retry = (pageId: string, code: string, message: string): void =>
    events.emit('item:retry', { itemId: 1, pageId, code, message } as never);
  const cycleEnd = (errors: number): void =>
    events.emit('cycle:end', { runId: 1, polled: 0, claimed: 0, durationMs: 0, errors });

  it('files "volume missing" only once the volume has been missing for the configured time, and clears it', async () => {
    retry('a', 'VOLUME_NOT_MOUNTED', 'volume not mounted: /Volumes/VIBES');
    await critical.idle();
    expect(critical.isOpen('volume-missing')).toBe(false);
    now += config.critical.volumeMissingAfterMs;
    retry('b', 'VOLUME_NOT_MOUNTED', 'volume not mounted: /Volumes/VIBES');
    await critical.idle();
    expect(critical.isOpen('volume-missing')).toBe(true);
    expect(taskTitles()).toContain(criticalTitle('volume-missing'));
    cycleEnd(0); // the configured folders are all reachable again
    await critical.idle();
    expect(critical.isOpen('volume-missing')).toBe(false);
  });

  it('files "yt-dlp outdated" after failures in a row on two tracks with an old yt-dlp, never for one track', async () => {
    for (let i = 0; i < config.critical.downloadFailuresBeforeTask; i += 1)
      retry('same', 'DOWNLOAD_FAILED', 'HTTP 403');
    await settled();
    await critical.idle();
    expect(critical.isOpen('yt-dlp-outdated')).toBe(false);
    retry('other', 'DOWNLOAD_FAILED', 'HTTP 403');
    await settled();
    await critical.idle();
    expect(critical.isOpen('yt-dlp-outdated')).toBe(true);
    events.emit('item:done', { pageId: 'other', outcome: 'synced' } as never);
    await critical.idle();
    expect(critical.isOpen('yt-dlp-outdated')).toBe(false);
  });

  it('does not blame a current yt-dlp for failures that do not mention it', async () => {
    ytDlpVersion = new Date(now).toISOString().slice(0, 10).replaceAll('-', '.');
    for (const page of ['x', 'y', 'z', 'x']) retry(page, 'DOWNLOAD_FAILED', 'HTTP 403');
    await settled();
    await critical.idle();
    expect(critical.isOpen('yt-dlp-outdated')).toBe(false);
  });

  it('files "Notion access" when a database is refused, and clears it after a cycle without errors', async () => {
    events.emit('cycle:error', { runId: 2, code: 'NOTION_FORBIDDEN', message: 'Music Playlists: 403' });
    await critical.idle();
    expect(critical.isOpen('notion-access')).toBe(true);
    cycleEnd(1);
    await critical.idle();
    expect(critical.isOpen('notion-access')).toBe(true);
    cycleEnd(0);
    await critical.idle();
    expect(critical.isOpen('notion-access')).toBe(false);
  });
});
