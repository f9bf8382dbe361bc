import { join } from 'node:path';
import type { Handler } from '../../src/engine/contracts.js';
import { Store } from '../../state/store.js';
import { systemClock } from '../../src/clock.js';
import { isRoutedToUs } from '../../src/app/sources/tasks.js';
import { checkNotion } from '../../src/doctor/checks.js';
import { silentLogger } from '../../src/log.js';
import { loadSchemas } from '../../src/notion/schemas.js';
import { ArtistDirectory } from '../../src/domain/artists.js';
import { decodeProperty } from '../../src/notion/codecs.js';
import { FAST, startTestDaemon, testConfig } from '../helpers/daemon.js';
import { gatewayFor, title, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

/** A task handler that takes what tracksync's routing gives it and records the pages it ran on. */
function recordingTaskHandler(name: string): { handler: Handler; processed: Set<string> } {
  const processed = new Set<string>();
  const handler: Handler<'tasks'> = {
    name,
    source: 'tasks',
    accepts: (input, config) => isRoutedToUs(input.fields, config.routing),
    run: async (ctx) => {
      processed.add(ctx.item.pageId);
      return { outcome: 'completed', taskStatus: 'completed', summary: 'done' };
    },
  };
  return { handler: handler as Handler, processed };
}

/**
 * Whether Notion's text filters ignore case, and whether a select naming a missing option is refused, is not
 * documented. tracksync must route tasks and find artists the same way under either behaviour: each case runs against
 * a strict local Notion (case-sensitive, unknown option = validation_error) and a lenient one.
 */
describe.each(['strict', 'lenient'] as const)('with %s filters', async (filterMode) => {
  const sandbox = await withSandbox({ filterMode });
  const dir = tempDir();
  const ws = sandbox.workspace;
  const { handler, processed } = recordingTaskHandler('routed');
  const task = (name: string, extra: Record<string, unknown> = {}): string =>
    ws.createPage({
      parent: { data_source_id: sandbox.ids.tasks.dataSourceId },
      properties: { 'Task Name': title(name), Status: { status: { name: 'Ready' } }, ...extra },
    }).id;

  it('routes music tasks whatever the case of their title, and leaves the others', async () => {
    const upper = task('MUSIC TRACK SYNC for the weekend');
    const mixed = task('Friday: Music sync');
    const other = task('Fix the header row of the sheet');
    const daemon = await startTestDaemon(sandbox, { stateDir: join(dir, 'routing'), handlers: [handler] });
    const report = await daemon.runOnce();
    await daemon.stop('test');
    expect(report.errors).toEqual([]);
    expect(processed.has(upper) && processed.has(mixed)).toBe(true);
    expect(processed.has(other)).toBe(false);
  });

  it('routes by the task types that exist and leaves out one the workspace lacks, without failing the poll', async () => {
    const typed = task('Prepare Saturday', { 'Task Type': { select: { name: 'Music Sync' } } });
    const file = { ...FAST, routing: { taskTypes: ['Music Sync', 'DJ Prep'], titleKeywords: [] } };
    const daemon = await startTestDaemon(sandbox, { stateDir: join(dir, 'types'), handlers: [handler], file });
    const report = await daemon.runOnce();
    await daemon.stop('test');
    expect(report.errors).toEqual([]);
    expect(processed.has(typed)).toBe(true);
    const doctor = await checkNotion(testConfig(sandbox, join(dir, 'types'), file), silentLogger());
    expect(doctor.checks).toContainEqual(
      expect.objectContaining({ name: 'Task types', status: 'warn', detail: expect.stringContaining('"DJ Prep"') }),
    );
  });

  it('finds an artist written in another case instead of creating a second one', async () => {
    const existing = ws.createPage({
      parent: { data_source_id: sandbox.ids.artists.dataSourceId },
      properties: { Name: title('Deadmau5') },
    }).id;
    const store = Store.open(join(dir, 'artists.sqlite'));
    afterAll(() => store.close());
    const notion = gatewayFor(sandbox);
    const schemas = await loadSchemas({
      notion,
      store,
      config: testConfig(sandbox, join(dir, 'artists')),
      clock: systemClock,
      logger: silentLogger(),
    });
    const ids = await new ArtistDirectory(notion, silentLogger()).resolve(schemas.artists!, ['deadmau5', 'Kaskade']);
    expect(ids[0]).toBe(existing);
    const names = ws
      .allPages(sandbox.ids.artists.dataSourceId)
      .map((p) => String(decodeProperty(p.properties.Name)).toLowerCase());
    expect(names.filter((n) => n === 'deadmau5')).toHaveLength(1);
    expect(names.filter((n) => n === 'kaskade')).toHaveLength(1);
  });
});

/**
 * A relation into a database not shared with the integration reads as an empty list (makenotion/notion-sdk-js#514):
 * a task assigned to tracksync's agent page must still be taken, and doctor must say what is not shared.
 */
describe('relations into a database the integration cannot see', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir();
  const ws = sandbox.workspace;

  it('takes a task assigned to tracksync although the Agents database is not shared, and doctor names it', async () => {
    const { handler, processed } = recordingTaskHandler('assigned');
    const assigned = ws.createPage({
      parent: { data_source_id: sandbox.ids.tasks.dataSourceId },
      properties: {
        'Task Name': title('Prepare the Saturday set'),
        Status: { status: { name: 'Ready' } },
        'Assigned-Agent': { relation: [{ id: sandbox.ids.tracksyncAgentPageId }] },
      },
    }).id;
    const other = ws.createPage({
      parent: { data_source_id: sandbox.ids.tasks.dataSourceId },
      properties: { 'Task Name': title('Prepare the Sunday set'), Status: { status: { name: 'Ready' } } },
    }).id;
    ws.setShared(sandbox.ids.agents.databaseId, false);
    const file = { ...FAST, routing: { agentPageId: sandbox.ids.tracksyncAgentPageId } };
    const daemon = await startTestDaemon(sandbox, { stateDir: join(dir, 'agents'), handlers: [handler], file });
    await daemon.runOnce();
    await daemon.stop('test');
    expect(processed.has(assigned)).toBe(true);
    expect(processed.has(other)).toBe(false);

    const doctor = await checkNotion(testConfig(sandbox, join(dir, 'agents'), file), silentLogger());
    const warning = doctor.checks.find((c) => c.name === 'Related database not shared');
    expect(warning?.detail).toContain('Agent-Tasks > "Assigned-Agent"');
    expect(warning?.detail).toContain('looks unassigned');
    expect(warning?.fix).toContain('Connections');
  });
});
