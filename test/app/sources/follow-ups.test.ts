import { FOLLOW_UP_QUEUES, TrackFollowUpSource } from '../../../src/app/sources/follow-ups.js';
import { systemClock } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log.js';
import { decodeProperty } from '../../../src/notion/codecs.js';
import { createRow } from '../../../src/notion/rows.js';
import { gatewayFor, seededSchema, withSandbox } from '../../helpers/notion.js';

// Follow-up work on a synced row (links, a deferred Eagle import) never claims the row or touches its lock: it reads
// the row, and writes only what the handler returned, over real HTTP to the local Notion.
describe('follow-up queues on Music Tracks rows', async () => {
  const sandbox = await withSandbox();
  const notion = gatewayFor(sandbox);
  const tracks = seededSchema('tracks');
  const source = new TrackFollowUpSource(
    {
      notion,
      schemas: { tracks } as never,
      config: loadConfig({ env: sandbox.env(), cwd: '/' }),
      clock: systemClock,
      logger: silentLogger(),
      identity: { daemonId: 'd1', bootId: 'b1', pid: 1, host: 'test' },
    },
    FOLLOW_UP_QUEUES.eagleImport,
  );
  const { page } = await createRow(notion, tracks, {
    key: 'row',
    values: { title: 'Golden Hour', lock: '', processing: ['Audio Analyzed'] },
    find: async () => undefined,
  });
  const valueOf = (field: 'title' | 'lock' | 'processing' | 'eagleId') =>
    decodeProperty(
      sandbox.workspace.allPages(tracks.dataSourceId).find((p) => p.id === page.id)!.properties[
        tracks.fields[field]!.name
      ],
    );

  it('serves its own queue one item at a time, and nothing a poll would see', () => {
    expect(source.queue).toBe('eagle-import');
    expect(source.maxRunning).toBe(1);
    expect(source.contentHash()).toBe('local');
  });

  it('takes a live row without locking it, and writes only the properties the handler returned', async () => {
    const claim = await source.claim(page.id);
    expect(claim).toMatchObject({ kind: 'claimed', page: { id: page.id } });
    expect(valueOf('lock')).toBe('');
    expect(await source.release()).toBeUndefined(); // nothing to give back: nothing was taken
    await source.writeResult(page, {
      outcome: 'imported',
      properties: { eagleId: 'E1', processing: ['Audio Analyzed', 'Files Imported to Eagle'] },
    });
    expect(valueOf('eagleId')).toBe('E1');
    expect(valueOf('processing')).toEqual(['Audio Analyzed', 'Files Imported to Eagle']);
    expect(valueOf('title')).toBe('Golden Hour');
    expect(await source.writeFailure()).toBeUndefined();
  });

  it('lets go of a row that was deleted', async () => {
    await notion.setPageInTrash(page.id, true);
    expect(await source.claim(page.id)).toMatchObject({ kind: 'gone' });
  });
});
