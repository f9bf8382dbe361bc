import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { eagleGroups, notionGroups } from '../../src/dedup/groups.js';
import { silentLogger } from '../../src/log.js';
import type { FieldValue } from '../../src/notion/codecs.js';
import type { FieldKey } from '../../src/notion/databases.js';
import { createRow } from '../../src/notion/rows.js';
import { startEagleServer } from '../../src/sandbox/eagle-server.js';
import { EagleClient } from '../../src/services/eagle.js';
import { gatewayFor, seededSchema, withSandbox } from '../helpers/notion.js';
import { tempDir } from '../helpers/tmp.js';

// `tracksync dedup` lists these groups: exact ones are the same track for sure; fuzzy ones need names alike AND
// durations that agree, or a radio edit and the extended mix would be merged.
describe('duplicate groups', async () => {
  const sandbox = await withSandbox();
  const notion = gatewayFor(sandbox);
  const tracks = seededSchema('tracks');
  const config = loadConfig({ env: sandbox.env(), cwd: '/' });
  const dir = tempDir('tracksync-groups-');

  it('groups Music Tracks rows by shared ids exactly, and by names alike with durations that agree', async () => {
    const ids: Record<string, string> = {};
    const row = async (key: string, values: Partial<Record<FieldKey<'tracks'>, FieldValue>>) => {
      const { page } = await createRow(notion, tracks, { key, values, find: async () => undefined });
      ids[key] = page.id;
    };
    await row('kept', {
      title: 'Golden Hour',
      artistName: 'Solar Echo',
      spotifyId: '4uLU6hMCjMI75M1A2tKUQC',
      m4aPath: '/out/a.m4a',
    });
    await row('same-id', {
      title: 'Golden Hour (Radio Edit)',
      artistName: 'Solar Echo',
      spotifyId: '4uLU6hMCjMI75M1A2tKUQC',
    });
    await row('midnight', { title: 'Midnight Drive', artistName: 'Moon Drift', durationSeconds: 200 });
    await row('midnight-again', { title: 'Midnight  Drive', artistName: 'Moon Drift', durationSeconds: 201 });
    await row('extended', { title: 'Midnight Drive', artistName: 'Moon Drift', durationSeconds: 320 });
    await row('other', { title: 'Sea Glass', artistName: 'Tide Pool', durationSeconds: 200 });

    const groups = await notionGroups(notion, tracks, config, 0.9);
    const exact = groups.filter((g) => g.kind === 'exact');
    expect(exact).toHaveLength(1);
    expect(exact[0]).toMatchObject({ where: 'notion', keeper: { id: ids.kept }, others: [{ id: ids['same-id'] }] });
    const fuzzy = groups.filter((g) => g.kind === 'fuzzy');
    expect(fuzzy).toHaveLength(1);
    const members = [fuzzy[0]!.keeper.id, ...fuzzy[0]!.others.map((o) => o.id)].sort();
    expect(members).toEqual([ids.midnight, ids['midnight-again']].sort());
    expect(fuzzy[0]!.reason).toContain(`durations within ${config.library.durationToleranceSeconds} s`);
  });

  it('groups Eagle items by fingerprint tag exactly, and by names alike of the same type', async () => {
    const server = await startEagleServer({ libraryPath: join(dir, 'eagle') });
    afterAll(() => server.close());
    const eagle = new EagleClient({
      base: server.url,
      fetch,
      clock: systemClock,
      logger: silentLogger(),
      explicit: true,
    });
    const folderId = await eagle.folderId(['Playlists', 'Uncategorized']);
    const add = async (name: string, tags: string[], ext = 'm4a') => {
      const path = join(dir, `${name}.${ext}`);
      writeFileSync(path, name);
      return eagle.import({ path, name, website: '', tags, folderId });
    };
    const a = await add('Solar Echo - Golden Hour', ['fingerprint:FP1', 'BPM122', 'House']);
    const b = await add('Golden Hour copy', ['fingerprint:FP1']);
    const c = await add('Moon Drift - Midnight Drive', []);
    const d = await add('Moon Drift - Midnight Drive 1', []);
    await add('Moon Drift - Midnight Drive', [], 'aiff');
    await add('Tide Pool - Sea Glass', ['fingerprint:FP2']);

    const groups = await eagleGroups(eagle, 0.9);
    expect(groups).toHaveLength(2);
    expect(groups[0]).toMatchObject({ kind: 'exact', keeper: { id: a }, others: [{ id: b }] });
    expect(groups[1]).toMatchObject({ kind: 'fuzzy' });
    expect([groups[1]!.keeper.id, ...groups[1]!.others.map((o) => o.id)].sort()).toEqual([c, d].sort());
  });
});
