import { join } from 'node:path';
import { checkNotion, schemaMapping } from '../../src/doctor/checks.js';
import { silentLogger } from '../../src/log.js';
import { testConfig } from '../helpers/daemon.js';
import { withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

// `tracksync doctor`'s Notion part, against the local Notion: on a working workspace every line is OK and the mapping
// shows which property each field uses; a refused token stops at one FAIL line that says which setting to fix, and a
// database that is not configured says which variable enables it. The command as a whole:
// test/cli/commands/doctor.test.ts.
describe('the Notion checks of doctor (src/doctor/checks.ts)', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-checks-');

  it('passes on the local workspace: token, databases, the data source used, and the field mapping', async () => {
    const config = testConfig(sandbox, join(dir, 'ok'));
    const report = await checkNotion(config, silentLogger());
    const failing = report.checks.filter((c) => c.status === 'fail');
    expect(failing).toEqual([]);
    expect(report.checks.find((c) => c.name === 'Notion token')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining(`accepted by ${sandbox.url}`),
    });
    expect(report.checks.find((c) => c.name === 'Notion databases')!.status).toBe('ok');
    expect(report.checks.find((c) => c.name === 'Music Tracks data sources')!.detail).toContain(
      `(${sandbox.ids.tracks.dataSourceId}) <- used`,
    );
    expect(report.mapping).toContainEqual({
      database: 'Music Tracks',
      field: 'spotifyId',
      property: 'Spotify ID',
      type: 'rich_text',
      note: '',
    });
  });

  it('stops at one FAIL line with the fix when Notion refuses the token', async () => {
    const config = testConfig(sandbox, join(dir, 'token'), undefined, { NOTION_TOKEN: 'secret_not_the_right_one' });
    const report = await checkNotion(config, silentLogger());
    expect(report.checks).toEqual([
      expect.objectContaining({
        name: 'Notion token',
        status: 'fail',
        fix: 'set NOTION_TOKEN to the internal integration secret',
      }),
    ]);
    expect(report.mapping).toEqual([]);
  });

  it('names the variable that enables a database left unset, as a warning for an optional one', async () => {
    const config = testConfig(sandbox, join(dir, 'partial'), undefined, { AGENT_TASKS_DB_ID: '' });
    const report = await checkNotion(config, silentLogger());
    expect(report.checks).toContainEqual({
      name: 'Agent-Tasks',
      status: 'warn',
      detail: 'AGENT_TASKS_DB_ID is not set',
      fix: 'set AGENT_TASKS_DB_ID to enable Agent-Tasks',
    });
    // Only the databases that were read are in the mapping.
    expect(schemaMapping({}).length).toBe(0);
    expect(report.mapping.some((m) => m.database === 'Agent-Tasks')).toBe(false);
  });
});
