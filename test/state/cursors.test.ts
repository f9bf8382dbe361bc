import { join } from 'node:path';
import { Store } from '../../state/store.js';
import { tempDir } from '../helpers/tmp.js';

// Where polling stands (state/cursors.ts): the data source id of each database (src/notion/schemas.ts) and each data
// source's cursor (src/notion/poller.ts).

const dir = tempDir();
let files = 0;
let store: Store;
beforeEach(() => (store = Store.open(join(dir, `cursors-${++files}.sqlite`))));
afterEach(() => store.close());

describe('cursors (Cursors)', () => {
  it('a cursor survives reopening the file', () => {
    // After a restart the poller asks Notion only for pages edited since the cursor, not the whole database again.
    const file = store.db.name;
    const seen = { 'page-1': { h: 'abc', m: '2026-05-01T10:00:00.000Z' } };
    store.cursors.saveCursor('ds-1', '2026-05-01T10:00:00.000Z', seen, 1_000);
    store.close();
    store = Store.open(file);
    const cursor = store.cursors.getCursor('ds-1')!;
    expect(cursor).toMatchObject({ data_source_id: 'ds-1', minute: '2026-05-01T10:00:00.000Z', updated_at: 1_000 });
    expect(JSON.parse(cursor.seen_json)).toEqual(seen);
    expect(store.cursors.getCursor('ds-2')).toBeUndefined();
  });

  it('a full reconcile and a cursor save keep each other', () => {
    // The poller saves the cursor and then records the full pass; losing either means a full query every cycle
    // (last_full_reconcile gone) or one from the beginning (minute gone).
    store.cursors.recordFullReconcile('ds-1', 1_000);
    expect(store.cursors.getCursor('ds-1')).toMatchObject({
      minute: null,
      seen_json: '{}',
      last_full_reconcile: 1_000,
    });
    store.cursors.saveCursor('ds-1', '2026-05-01T10:00:00.000Z', {}, 2_000);
    expect(store.cursors.getCursor('ds-1')).toMatchObject({
      minute: '2026-05-01T10:00:00.000Z',
      last_full_reconcile: 1_000,
      updated_at: 2_000,
    });
    store.cursors.recordFullReconcile('ds-1', 3_000);
    expect(store.cursors.getCursor('ds-1')).toMatchObject({
      minute: '2026-05-01T10:00:00.000Z',
      last_full_reconcile: 3_000,
    });
  });

  it("remembers a database's data source, replaces it when discovered again, and forgets it", () => {
    // Saves a request at every start; a data source that disappeared is forgotten and looked for again.
    expect(store.cursors.getDataSourceId('db-1')).toBeUndefined();
    store.cursors.saveDataSourceId('db-1', 'ds-1', 'Music Tracks', 1_000);
    store.cursors.saveDataSourceId('db-2', 'ds-9', 'Agent-Tasks', 1_000);
    store.cursors.saveDataSourceId('db-1', 'ds-2', 'Music Tracks', 2_000);
    expect(store.cursors.getDataSourceId('db-1')).toBe('ds-2');
    store.cursors.forgetDataSourceId('db-1');
    expect(store.cursors.getDataSourceId('db-1')).toBeUndefined();
    expect(store.cursors.getDataSourceId('db-2')).toBe('ds-9');
  });
});
