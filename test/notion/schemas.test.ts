import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { systemClock } from '../../src/clock.js';
import { ConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { checkRelationTargets, loadSchemas, missingTaskTypes } from '../../src/notion/schemas.js';
import { testConfig } from '../helpers/daemon.js';
import { gatewayFor, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

// At start every configured database is read and bound; a misconfigured workspace is reported in one go, naming each
// database, field and setting, instead of one error per start.
describe('loading the Notion schemas', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-schemas-');
  const store = Store.open(join(dir, 'state.sqlite'));
  afterAll(() => store.close());
  const notion = gatewayFor(sandbox, { store: store.notion });
  const load = (file = {}) =>
    loadSchemas({ notion, store, config: testConfig(sandbox, dir, file), clock: systemClock, logger: silentLogger() });
  const problemsOf = async (promise: Promise<unknown>): Promise<readonly string[]> => {
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  };

  it("binds every configured database of the user's workspace, and every relation points into a shared one", async () => {
    const schemas = await load();
    expect(schemas.tracks.fields.downloaded?.type).toBe('checkbox');
    expect(schemas.tasks?.fields.status?.type).toBe('status');
    const relations = await checkRelationTargets(notion, schemas);
    expect(relations.length).toBeGreaterThan(0);
    expect(relations.every((r) => r.shared)).toBe(true);
  });

  it('lists every problem of every database at once', async () => {
    sandbox.workspace.renameProperty(sandbox.ids.tracks.dataSourceId, 'Downloaded', 'Done?');
    sandbox.workspace.setShared(sandbox.ids.artists.databaseId, false);
    try {
      const problems = await problemsOf(load());
      expect(problems).toHaveLength(2);
      expect(problems.join('\n')).toMatch(/required field "downloaded" has no property/);
      expect(problems.join('\n')).toMatch(/ARTISTS_DB_ID=/);
    } finally {
      sandbox.workspace.renameProperty(sandbox.ids.tracks.dataSourceId, 'Done?', 'Downloaded');
      sandbox.workspace.setShared(sandbox.ids.artists.databaseId, true);
    }
  });

  it('refuses a configured status the Agent-Tasks status lacks, and names the setting', async () => {
    const problems = await problemsOf(load({ routing: { completedStatus: 'Shipped' } }));
    expect(problems).toEqual([expect.stringMatching(/status "Shipped" \(routing.completedStatus\) is not an option/)]);
  });

  it('says which configured task types the live select lacks, without refusing to start', async () => {
    const schemas = await load();
    const config = testConfig(sandbox, dir, { routing: { taskTypes: ['Music Sync', 'Vinyl Rip'] } });
    expect(missingTaskTypes(schemas.tasks!, config)).toEqual([expect.stringContaining('task type "Vinyl Rip"')]);
  });

  it('tells a relation into a database the integration cannot see', async () => {
    // Music Playlists not configured (a data source tracksync reads is shared by definition), and not shared either.
    const schemas = { ...(await load()), playlists: undefined };
    sandbox.workspace.setShared(sandbox.ids.playlists.databaseId, false);
    try {
      const hidden = (await checkRelationTargets(notion, schemas)).filter((r) => !r.shared);
      expect(hidden.length).toBeGreaterThan(0);
      expect(hidden[0]!.targetDataSourceId).toBe(sandbox.ids.playlists.dataSourceId);
    } finally {
      sandbox.workspace.setShared(sandbox.ids.playlists.databaseId, true);
    }
  });
});
