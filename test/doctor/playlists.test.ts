import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { systemClock } from '../../src/clock.js';
import { playlistChecks } from '../../src/doctor/playlists.js';
import { silentLogger } from '../../src/log.js';
import { loadSchemas } from '../../src/notion/schemas.js';
import { testConfig } from '../helpers/daemon.js';
import { gatewayFor, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

// Doctor's playlist lines tell the DJ, before an export fails, where the playlists go and whether that folder works,
// where each playlist's tracks and order come from, and which Music Playlists columns tracksync fills in.
describe('the playlist export checks of doctor (src/doctor/playlists.ts)', async () => {
  const sandbox = await withSandbox();
  const dir = tempDir('tracksync-doctor-playlists-');
  const stateDir = join(dir, 'state');
  const store = Store.open(join(dir, 'tracksync.sqlite'));
  afterAll(() => store.close());
  const setup = async (file: object = {}) => {
    const config = testConfig(sandbox, stateDir, file);
    const schemas = await loadSchemas({
      notion: gatewayFor(sandbox),
      store,
      config,
      clock: systemClock,
      logger: silentLogger(),
    });
    return { config, schemas };
  };

  it('on the local workspace: the formats and the folder, where the tracks and their order come from, the write-back', async () => {
    const exportDir = join(dir, 'not-yet');
    const { config, schemas } = await setup({ playlists: { exportDir, appleMusic: false } });
    const checks = playlistChecks(config, schemas, 'darwin');
    expect(checks.find((c) => c.name === 'Playlist export')).toMatchObject({ status: 'ok' });
    expect(checks.find((c) => c.name === 'Playlist export')!.detail).toBe(
      `M3U8 on, rekordbox xml on, Apple Music off; folder ${exportDir} (created at the first export)`,
    );
    // The local workspace's Playlists relation is one-way (as many are): the order comes from row creation, and the
    // line says how to get the order arranged in Notion.
    expect(checks.find((c) => c.name === 'Playlist tracks')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('in the order the rows were created'),
      fix: expect.stringContaining('two-way'),
    });
    // No write-back column in the local workspace: the line names each one to add, with its type.
    expect(checks.find((c) => c.name === 'Playlist write-back')!.detail).toBe(
      'writes nothing back; add "Exported At" (date), "Exported Tracks" (number), "Missing Tracks" (rich text), ' +
        '"Export File" (rich text) to Music Playlists to have them filled too',
    );
    mkdirSync(exportDir, { recursive: true });
    expect(playlistChecks(config, schemas, 'darwin')[0]!.detail).toContain(`folder ${exportDir} (exists)`);
  });

  it('warns that Apple Music playlists need macOS, with the setting that turns them off', async () => {
    const { config, schemas } = await setup({ playlists: { exportDir: join(dir, 'am'), appleMusic: true } });
    expect(playlistChecks(config, schemas, 'linux')).toContainEqual({
      name: 'Playlist export',
      status: 'warn',
      detail: 'Apple Music playlists are on, but Music and osascript exist on macOS only',
      fix: 'set playlists.appleMusic to false in the config file',
    });
    expect(playlistChecks(config, schemas, 'darwin').filter((c) => c.name === 'Playlist export')).toHaveLength(1);
  });

  it('warns when the sort property is not a column of Music Tracks, and says the relation order is used', async () => {
    const { config, schemas } = await setup({
      playlists: { exportDir: join(dir, 'sort'), sortProperty: 'No Such Column' },
    });
    expect(playlistChecks(config, schemas, 'darwin')).toContainEqual(
      expect.objectContaining({ name: 'Playlist order', status: 'warn', fix: expect.stringContaining('sortProperty') }),
    );
  });
});
